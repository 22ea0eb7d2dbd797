/** `lifecycle-sync sync`: pull, classify and write back (or preview with --dry-run). */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import type { PlanKey } from '../../store/types.ts';
import { LifecycleSyncError } from '../../errors.ts';
import { sameFile } from '../../io/sameFile.ts';
import type { SyncProgress, SyncSummary } from '../../sync/engine.ts';
import type { CommandContext, CrmFlags } from '../context.ts';
import { isoDay } from '../options.ts';
import { print, printJson } from '../output.ts';

interface SyncFlags extends CrmFlags {
  dryRun?: boolean;
  full?: boolean;
  asOf?: number;
  planCsv?: string;
  enqueue?: boolean;
  force?: boolean;
}

const n = (v: number) => v.toLocaleString('en-US');

export function formatRunSummary(s: SyncSummary): string {
  const lines = [
    `${s.kind === 'dry_run' ? 'Dry run' : s.kind === 'rollback' ? 'Rollback' : s.kind === 'rescore' ? 'Rescore' : 'Run'} ${s.runId} ${s.status}${s.mode ? ` (${s.mode} pull` : ' ('}${s.mode ? ', ' : ''}as of ${s.asOf})`,
    `  pulled ${n(s.pulled.customers)} contacts and ${n(s.pulled.deals)} deals; classified ${n(s.classified)}; ${n(s.changed)} records ${s.kind === 'dry_run' ? 'would change' : 'to change'}`,
  ];
  if (s.kind !== 'dry_run') lines.push(`  written ${n(s.written)}, failed ${n(s.failed)}`);
  lines.push(`  API requests ${n(s.requests)} (${n(s.rateLimited)} rate-limited, ${n(s.retries)} retried)${s.skippedRecords > 0 ? `; ${n(s.skippedRecords)} CRM records skipped as unreadable (see \`runs\`)` : ''}`);
  const fields = Object.entries(s.changedFields);
  if (fields.length > 0) lines.push(`  fields: ${fields.map(([k, v]) => `${k} ${n(v ?? 0)}`).join(', ')}`);
  const moves = Object.entries(s.stageTransitions).sort((a, b) => b[1] - a[1]);
  if (moves.length > 0) lines.push(`  stage moves: ${moves.slice(0, 12).map(([k, v]) => `${k} ${n(v)}`).join(', ')}${moves.length > 12 ? ', ...' : ''}`);
  if (s.model?.fallbackReason) lines.push(`  model: ${s.model.name} (fallback: ${s.model.fallbackReason})`);
  if (s.message) lines.push(`  ${s.message}`);
  return lines.join('\n');
}

/** The plan CSV must not land on a file the run needs (the state database and its journal, the config). */
function refuseOverwrite(planCsv: string, database: string, config: string | undefined): void {
  const taken: [string, string][] = [[database, 'the state database'], [`${database}-wal`, 'the state database'], [`${database}-shm`, 'the state database']];
  if (config) taken.push([config, 'the configuration file']);
  for (const [path, what] of taken) {
    if (sameFile(planCsv, path)) throw new LifecycleSyncError('INPUT_INVALID', `--plan-csv ${planCsv} is ${what}: writing the plan there would destroy it`);
  }
}

export function syncCommand(): Command {
  return new Command('sync')
    .description('pull customers and deals, classify them and write the scores back to the CRM')
    .option('--crm <name>', 'hubspot or salesforce')
    .option('--installation <id>', 'the installation to work on (`lifecycle-sync installations list`); needed when there are several')
    .option('--config <file>', 'configuration file (YAML)')
    .option('--dry-run', 'write nothing, change no fields: report what would change')
    .option('--full', 'pull every record (otherwise only what changed since the last run)')
    .option('--as-of <date>', 'score as of this day (YYYY-MM-DD); default today', isoDay('--as-of'))
    .option('--force', "with --as-of before the last successful sync's as-of day: write the older scores without asking")
    .option('--plan-csv <file>', 'dry run: where to write the CSV of planned changes')
    .option('--enqueue', 'with Postgres: put the run on the job queue for a `lifecycle-sync worker` and print its run id at once')
    .option('--json', 'print a machine-readable run summary')
    .action(async (flags: SyncFlags) => {
      if (flags.enqueue) return enqueue(flags);
      // Loaded here, not at the top: `--help` and a bad flag must not pay for the engine, the store and the connectors.
      const [{ commandContext }, { runSync }, { fieldSpecs }, { guardPastAsOf }, { phaseProgress }, { planCsv: formatPlanCsv }, { storeLocation }, { dealNumberFields }] = await Promise.all([
        import('../context.ts'),
        import('../../sync/engine.ts'),
        import('../../sync/fields.ts'),
        import('../pastAsOf.ts'),
        import('../progress.ts'),
        import('../../io/planCsv.ts'),
        import('../../store/open.ts'),
        import('../../sync/dealFields.ts'),
      ]);
      const ctx = await commandContext(flags);
      try {
        // The SQLite state file (the plan CSVs go beside it), or, with Postgres, the configured path's place.
        const where = storeLocation(ctx.config.store, process.env);
        const stateFile = where.kind === 'sqlite' ? where.path : ctx.config.store.path;
        if (flags.planCsv !== undefined) refuseOverwrite(flags.planCsv, stateFile, flags.config ?? process.env.LIFECYCLE_SYNC_CONFIG);
        refusePaused(ctx);
        const { installationId, connector } = await ctx.connection();
        await guardPastAsOf({ store: ctx.store, installationId, asOfDay: flags.asOf, dryRun: flags.dryRun ?? false, force: flags.force ?? false });
        const progress = phaseProgress();
        ctx.routeLog(progress.logStream);
        const summary = await runSync({
          store: ctx.store,
          connector,
          installationId,
          classifier: ctx.config.classifier,
          sync: ctx.config.sync,
          dryRun: flags.dryRun,
          full: flags.full,
          asOfDay: flags.asOf ?? null,
          log: ctx.log,
          onProgress: (p: SyncProgress) => progress.update(p.phase, p.done, p.total),
        }).finally(() => {
          progress.stop();
          ctx.routeLog(null);
        });
        let planCsv: string | null = null;
        if (summary.kind === 'dry_run' && summary.status === 'succeeded') {
          planCsv = flags.planCsv ?? join(dirname(stateFile), 'plans', `${summary.runId}.csv`);
          mkdirSync(dirname(planCsv), { recursive: true });
          const numeric = new Set<string>([...fieldSpecs(ctx.config.classifier, ctx.config.sync).filter((f) => f.type === 'number').map((f) => f.key), ...dealNumberFields()]);
          // Page by page: a first run's plan can hold every customer.
          writeFileSync(planCsv, formatPlanCsv([], numeric));
          let after: PlanKey | null = null;
          for (let page = await ctx.store.plannedAfter(summary.runId, null, 2000); page.length > 0; page = await ctx.store.plannedAfter(summary.runId, after, 2000)) {
            appendFileSync(planCsv, formatPlanCsv(page.flatMap((r) => r.changes), numeric, false));
            after = page[page.length - 1].key;
          }
        }
        if (flags.json) printJson({ ...summary, planCsv });
        else {
          print(`${formatRunSummary(summary)}\n`);
          if (planCsv) print(`  planned changes: ${planCsv}\n`);
        }
        if (summary.status === 'failed') process.exitCode = 1;
      } finally {
        await ctx.close();
      }
    });
}

function refusePaused(ctx: CommandContext): void {
  if (ctx.installation?.status === 'paused') throw new LifecycleSyncError('SYNC_LOCKED', `installation ${ctx.installationId} is paused: \`lifecycle-sync installations resume ${ctx.installationId}\` first`);
}

/** `sync --enqueue`: the run as a job for the workers; answers with its run id, not its outcome. */
async function enqueue(flags: SyncFlags): Promise<void> {
  if (flags.planCsv !== undefined) throw new LifecycleSyncError('INPUT_INVALID', '--plan-csv needs the run here: the plan of a queued dry run is read with `lifecycle-sync runs`');
  const [{ commandContext }, { storeLocation }, { guardPastAsOf }, { RunQueue }] = await Promise.all([
    import('../context.ts'),
    import('../../store/open.ts'),
    import('../pastAsOf.ts'),
    import('../../jobs/runQueue.ts'),
  ]);
  const ctx = await commandContext(flags);
  try {
    const where = storeLocation(ctx.config.store, process.env);
    if (where.kind !== 'postgres') throw new LifecycleSyncError('NOT_CONFIGURED', '--enqueue puts the run on the job queue in Postgres: set DATABASE_URL (with the SQLite file, run `sync` without it)');
    refusePaused(ctx);
    await guardPastAsOf({ store: ctx.store, installationId: ctx.installationId, asOfDay: flags.asOf, dryRun: flags.dryRun ?? false, force: flags.force ?? false });
    const queue = await RunQueue.open({ url: where.url, settings: ctx.config.jobs, log: ctx.log, role: 'client' });
    try {
      const queued = await queue.enqueue(ctx.installationId, { kind: flags.dryRun ? 'dry_run' : 'sync', full: flags.full ?? false, asOfDay: flags.asOf ?? null, trigger: 'cli' });
      if (flags.json) printJson({ ...queued, installationId: ctx.installationId });
      else print(`Queued run ${queued.runId} for ${ctx.installationId} (job ${queued.jobId}); \`lifecycle-sync runs --installation ${ctx.installationId}\` shows it once a worker has started it.\n`);
    } finally {
      await queue.close({ graceful: false });
    }
  } finally {
    await ctx.close();
  }
}
