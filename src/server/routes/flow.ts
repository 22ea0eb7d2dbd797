/**
 * The stage flow between any two scored runs of the installation (GET /api/history/flow?from=&to=): how
 * many customers went from each stage to each stage, new and gone ones too (service/stageFlow.ts); and
 * the runs whose stage records are kept, for the page's pickers (GET /api/history/flow/runs). A run of
 * another installation, one pruned (only the newest sync.stageHistoryRuns keep theirs) or one that did
 * not finish classifying is a 404 that says which.
 */
import { Router } from 'express';
import { z } from 'zod';
import { LifecycleSyncError } from '../../errors.ts';
import { stageFlow } from '../../service/stageFlow.ts';
import type { StageRecordRun } from '../../store/types.ts';
import type { AdminContext } from '../context.ts';
import type { ScopeOf } from '../scope.ts';
import { parseInput } from '../validate.ts';
import { runIdParams } from './runs.ts';

const runId = runIdParams.shape.id;
const flowQuery = z.object({ from: runId, to: runId }).strict();
const runsQuery = z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(60) }).strict();

/** Every run with a kept record: the setting may have been lowered since older ones were kept. */
const ALL_KEPT = 100_000;

export function flowRoutes(ctx: AdminContext, scopeOf: ScopeOf): Router {
  const router = Router({ mergeParams: true });

  router.get('/history/flow/runs', async (req, res) => {
    const { limit } = parseInput(runsQuery, req.query, 'query');
    const scope = await scopeOf(req);
    res.json({ installation: scope.installationId, keep: scope.config.sync.stageHistoryRuns, runs: await ctx.store.stageRecordRuns(scope.installationId, limit) });
  });

  router.get('/history/flow', async (req, res) => {
    const q = parseInput(flowQuery, req.query, 'query');
    const scope = await scopeOf(req);
    const kept = new Map((await ctx.store.stageRecordRuns(scope.installationId, ALL_KEPT)).map((r) => [r.runId, r]));
    const recorded = async (id: string): Promise<StageRecordRun> => {
      const run = kept.get(id);
      if (run) return run;
      const stored = await ctx.store.getRun(id);
      if (!stored || stored.installationId !== scope.installationId) throw new LifecycleSyncError('NOT_FOUND', `no run ${id} for ${scope.installationId}`);
      throw new LifecycleSyncError(
        'NOT_FOUND',
        stored.kind === 'rollback'
          ? `${id} is a rollback: it scored no one, so it has no stages to compare`
          : `${id} has no stage record: it was pruned (only the newest ${scope.config.sync.stageHistoryRuns} scored runs keep theirs, sync.stageHistoryRuns), or it ended before it had classified everyone`,
      );
    };
    const from = await recorded(q.from);
    const to = await recorded(q.to);
    const flows = await stageFlow(ctx.store, from.runId, to.runId);
    const side = (r: StageRecordRun) => ({ runId: r.runId, asOf: r.asOf, kind: r.kind, startedAt: r.startedAt, customers: r.customers });
    res.json({ installation: scope.installationId, from: side(from), to: side(to), flows });
  });

  return router;
}
