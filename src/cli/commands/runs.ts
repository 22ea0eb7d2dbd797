/** `lifecycle-sync runs`: the recent runs with their status, counts and errors. */
import { Command } from 'commander';
import { LifecycleSyncError } from '../../errors.ts';
import { positiveInteger } from '../options.ts';
import type { CrmFlags } from '../context.ts';
import { print, printJson } from '../output.ts';

export function runsCommand(): Command {
  return new Command('runs')
    .description('list recent runs (and, with --errors RUN, that run\'s per-record errors)')
    .option('--crm <name>', 'hubspot or salesforce')
    .option('--installation <id>', 'the installation to work on (`lifecycle-sync installations list`); needed when there are several')
    .option('--config <file>', 'configuration file (YAML)')
    .option('--limit <n>', 'how many runs', positiveInteger('--limit'), 20)
    .option('--errors <runId>', "show one run's per-record errors")
    .option('--abandon <runId>', 'give up on a run stuck as running (its process is gone or hangs): mark it interrupted and release its lease')
    .option('--json', 'machine-readable output')
    .action(async (flags: CrmFlags & { limit: number; errors?: string; abandon?: string }) => {
      const { commandContext } = await import('../context.ts');
      const ctx = await commandContext(flags);
      try {
        const installationId = ctx.installationId;
        if (flags.abandon) {
          const run = await ctx.store.getRun(flags.abandon);
          if (!run || run.installationId !== installationId) throw new LifecycleSyncError('NOT_FOUND', `no run ${flags.abandon} for ${installationId}`);
          const abandoned = await ctx.store.abandonRun(run.id, 'abandoned by an admin (command line)');
          if (!abandoned) throw new LifecycleSyncError('NOT_FOUND', `${run.id} is not running (${run.status}): there is nothing to abandon`);
          if (flags.json) return printJson(abandoned);
          print(`${abandoned.id} abandoned: ${abandoned.message ?? ''}\n`);
          return;
        }
        if (flags.errors) {
          // Another installation's run is not found here, as if it did not exist.
          const run = await ctx.store.getRun(flags.errors);
          if (!run || run.installationId !== installationId) throw new LifecycleSyncError('NOT_FOUND', `no run ${flags.errors} for ${installationId}`);
          const errors = await ctx.store.listRunErrors(run.id, flags.limit * 50);
          if (flags.json) return printJson(errors);
          // An empty answer must still say something: silence reads as "the command did nothing".
          if (errors.length === 0) return void print(`${run.id} has no per-record errors (${run.status}, ${run.stats.failed} failed).\n`);
          for (const e of errors) print(`${e.phase}\t${e.recordId ?? '-'}\t${e.code}\t${e.message}\n`);
          return;
        }
        const runs = await ctx.store.listRuns(installationId, flags.limit);
        if (flags.json) return printJson(runs);
        if (runs.length === 0) return void print(`No runs yet for ${installationId}. Start one with \`lifecycle-sync sync\`.\n`);
        for (const r of runs) {
          const took = r.finishedAt ? `${((r.finishedAt - r.startedAt) / 1000).toFixed(1)} s` : 'running';
          print(
            `${r.id}  ${r.kind.padEnd(8)} ${r.status.padEnd(11)} ${(r.mode ?? '').padEnd(11)} ${new Date(r.startedAt).toISOString().slice(0, 19)}Z  ${took.padStart(8)}  ` +
              `pulled ${r.stats.pulledCustomers}/${r.stats.pulledDeals}  changed ${r.stats.changed}  written ${r.stats.written}  failed ${r.stats.failed}` +
              `${r.message ? `  — ${r.message}` : ''}\n`,
          );
        }
      } finally {
        await ctx.close();
      }
    });
}
