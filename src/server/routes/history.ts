/**
 * GET /api/history: the installation's base run by run (customers per stage, churn-risk band and value
 * tier, totals), oldest first, for the page's trends. `kind=sync` keeps only what was written to the CRM.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { AdminContext } from '../context.ts';
import type { ScopeOf } from '../scope.ts';
import { parseInput } from '../validate.ts';

const historyQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(365).default(30),
    /** Only syncs (what the CRM holds), or every run that classified (dry runs too). */
    kind: z.enum(['sync', 'all']).default('all'),
  })
  .strict();

export function historyRoutes(ctx: AdminContext, scopeOf: ScopeOf): Router {
  const router = Router({ mergeParams: true });
  router.get('/history', async (req, res) => {
    const q = parseInput(historyQuery, req.query, 'query');
    const { installationId } = await scopeOf(req);
    // Asked for more when only syncs count, so dry runs between them do not shorten the trend.
    const snapshots = await ctx.insights.history(installationId, q.kind === 'sync' ? q.limit * 3 : q.limit);
    const kept = q.kind === 'sync' ? snapshots.filter((s) => s.kind === 'sync' && s.status !== 'failed') : snapshots;
    res.json({ installation: installationId, runs: kept.slice(-q.limit) });
  });
  return router;
}
