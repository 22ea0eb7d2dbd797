/** Runs: the list, one run with its per-record errors, a dry run's planned changes, and rollback. */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { DEAL_OUTPUT_KEYS, FIELD_KEYS } from '../../../connectors/contract/index.ts';
import { LifecycleSyncError } from '../../errors.ts';
import type { RunRecord } from '../../store/types.ts';
import type { AdminContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import type { ScopeOf } from '../scope.ts';
import { queuedRun, queuedRuns, startRun } from '../startRun.ts';
import { parseInput } from '../validate.ts';

export const runIdParams = z.object({ id: z.string().regex(/^[\w-]{1,80}$/, 'must be a run id such as run_20260101T020000_ab12cd') });
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }).strict();
const planQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    offset: z.coerce.number().int().min(0).default(0),
    /** A customer field, or a deal output (a dry run with deal scoring plans `deal:<id>` records after the customers). */
    field: z.enum([...FIELD_KEYS, ...DEAL_OUTPUT_KEYS]).optional(),
    /** `record`: one entry per record with its changed fields (the page); paging counts records. */
    group: z.enum(['record']).optional(),
  })
  .strict();

/** One of the installation's runs: another installation's run id is not found, never shown. */
export async function runOf(ctx: AdminContext, installationId: string, id: string): Promise<RunRecord> {
  const run = await ctx.store.getRun(id);
  if (!run || run.installationId !== installationId) throw new LifecycleSyncError('NOT_FOUND', `no run ${id} for ${installationId}`);
  return run;
}

export function runRoutes(ctx: AdminContext, scopeOf: ScopeOf): Router {
  const router = Router({ mergeParams: true });
  const scopedRun = async (req: Request) => {
    const { installationId } = await scopeOf(req);
    return runOf(ctx, installationId, parseInput(runIdParams, req.params, 'params').id);
  };

  router.get('/runs', async (req, res) => {
    const { limit } = parseInput(listQuery, req.query, 'query');
    let installationId: string | null = null;
    try {
      installationId = (await scopeOf(req)).installationId;
    } catch (error) {
      // No CRM yet: no runs (the page asks before anything is connected); several installations: said.
      if (!(error instanceof LifecycleSyncError && error.code === 'NOT_CONFIGURED')) throw error;
    }
    if (!installationId) {
      res.json({ installation: null, runs: [] });
      return;
    }
    // Runs queued for the workers and not started yet come first, from their jobs.
    const queued = await queuedRuns(ctx, installationId, limit);
    res.json({ installation: installationId, runs: [...queued, ...(await ctx.store.listRuns(installationId, limit))].slice(0, limit) });
  });

  router.get('/runs/:id', async (req, res) => {
    const { installationId } = await scopeOf(req);
    const { id } = parseInput(runIdParams, req.params, 'params');
    const stored = await ctx.store.getRun(id);
    if (!stored || stored.installationId !== installationId) {
      const queued = await queuedRun(ctx, installationId, id);
      if (queued) {
        res.json({ run: queued, errors: [] });
        return;
      }
    }
    const run = await runOf(ctx, installationId, id);
    // The errors grouped by code with counts (the page's summary), and the first thousand themselves.
    res.json({ run, errorCounts: await ctx.store.runErrorCounts(run.id), errors: await ctx.store.listRunErrors(run.id, 1000) });
  });

  router.get('/runs/:id/plan', async (req, res) => {
    const run = await scopedRun(req);
    const q = parseInput(planQuery, req.query, 'query');
    if (run.kind !== 'dry_run') throw new HttpError(409, 'NOT_A_DRY_RUN', `${run.id} is a ${run.kind}, not a dry run: only dry runs have a plan (its writes are in its audit)`);
    if (run.status === 'running') throw new HttpError(409, 'RUN_IN_PROGRESS', `${run.id} is still running: its plan is ready when it ends`);
    // `records` and `changedFields` are the customers' as before; `deals` and `dealChangedFields` the open deals' (deal scoring on).
    const dealFields = run.stats.deals?.changedFields ?? {};
    const deals = run.stats.deals?.changed ?? 0;
    const head = { runId: run.id, status: run.status, asOf: run.asOf, records: run.stats.changed, changedFields: run.stats.changedFields, stageTransitions: run.stats.stageTransitions, deals, dealChangedFields: dealFields, offset: q.offset };
    // Paged in the store (an index range), never loaded whole: a plan can hold millions of changes.
    if (q.group === 'record') {
      const records = await ctx.store.planRecords(run.id, { offset: q.offset, limit: q.limit });
      res.json({ ...head, total: run.stats.changed + deals, byRecord: records.map((r) => ({ recordId: r.recordId, changes: r.changes.map((c) => ({ field: c.field, previous: c.previous, next: c.next })) })) });
      return;
    }
    const counts: Partial<Record<string, number>> = { ...run.stats.changedFields, ...dealFields };
    const total = q.field ? (counts[q.field] ?? 0) : Object.values(counts).reduce((a: number, b) => a + (b ?? 0), 0);
    res.json({ ...head, total, changes: await ctx.store.planChanges(run.id, { offset: q.offset, limit: q.limit, field: q.field }) });
  });

  router.post('/runs/:id/rollback', async (req, res) => {
    const scope = await scopeOf(req);
    const run = await runOf(ctx, scope.installationId, parseInput(runIdParams, req.params, 'params').id);
    parseInput(z.object({}).strict(), req.body ?? {}, 'body');
    if (run.kind !== 'sync' && run.kind !== 'rescore') throw new HttpError(409, 'NOT_ROLLBACKABLE', `${run.id} is a ${run.kind === 'dry_run' ? 'dry run: it wrote nothing' : 'rollback: roll back the run it restored instead'}`);
    if (run.status === 'running') throw new HttpError(409, 'RUN_IN_PROGRESS', `${run.id} is still running`);
    const started = await startRun(ctx, scope, { kind: 'rollback', rollbackOf: run.id, trigger: 'admin' });
    res.status(202).json({ ...started, rollbackOf: run.id });
  });

  router.post('/runs/:id/abandon', async (req, res) => {
    const run = await scopedRun(req);
    parseInput(z.object({}).strict(), req.body ?? {}, 'body');
    if (run.status !== 'running') throw new HttpError(409, 'NOT_RUNNING', `${run.id} is not running (it ${run.status === 'interrupted' ? 'was interrupted' : run.status}): there is nothing to abandon`);
    const abandoned = await ctx.runs.abandon(run.id);
    if (!abandoned) throw new HttpError(409, 'NOT_RUNNING', `${run.id} ended before it could be abandoned`);
    ctx.log.warn('run abandoned by an admin', { runId: run.id });
    res.json({ run: abandoned });
  });

  return router;
}
