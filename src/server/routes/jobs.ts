/**
 * GET /api/jobs: the installation's run jobs on the queue (with Postgres): queued, running, retrying, and
 * the dead ones whose retries are spent, with why their last attempt failed. With SQLite runs are not
 * queued: the list is empty and says so.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { AdminContext } from '../context.ts';
import type { ScopeOf } from '../scope.ts';
import { parseInput } from '../validate.ts';

const listQuery = z
  .object({
    /** Only the jobs whose retries are spent (pg-boss's `failed` state: the dead letters). */
    failed: z.enum(['true', 'false']).default('false'),
    limit: z.coerce.number().int().min(1).max(200).default(20),
  })
  .strict();

export function jobRoutes(ctx: AdminContext, scopeOf: ScopeOf): Router {
  const router = Router({ mergeParams: true });
  router.get('/jobs', async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    const { installationId } = await scopeOf(req);
    if (!ctx.queue) {
      res.json({ installation: installationId, queue: null, jobs: [] });
      return;
    }
    res.json({ installation: installationId, queue: 'pg-boss', jobs: await ctx.queue.list({ installationId, failedOnly: q.failed === 'true', limit: q.limit }) });
  });
  return router;
}
