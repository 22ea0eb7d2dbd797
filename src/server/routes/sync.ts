/** POST /api/sync: start a run (or a dry run), or queue it for the workers; answers with its id at once. */
import { Router } from 'express';
import { z } from 'zod';
import type { AdminContext } from '../context.ts';
import type { ScopeOf } from '../scope.ts';
import { startRun } from '../startRun.ts';
import { parseInput } from '../validate.ts';

const syncBody = z
  .object({
    dryRun: z.boolean().default(false),
    /** Pull every record instead of what changed since the last run. */
    full: z.boolean().default(false),
  })
  .strict();

export function syncRoutes(ctx: AdminContext, scopeOf: ScopeOf): Router {
  const router = Router({ mergeParams: true });
  router.post('/sync', async (req, res) => {
    const body = parseInput(syncBody, req.body ?? {}, 'body');
    const started = await startRun(ctx, await scopeOf(req), { kind: body.dryRun ? 'dry_run' : 'sync', full: body.full, trigger: 'admin' });
    res.status(202).json(started);
  });
  return router;
}
