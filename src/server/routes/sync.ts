/** POST /api/sync: start a run (or a dry run) in the background; answers with its id at once. */
import { Router } from 'express';
import { z } from 'zod';
import type { AdminContext } from '../context.ts';
import { parseInput } from '../validate.ts';

const syncBody = z
  .object({
    dryRun: z.boolean().default(false),
    /** Pull every record instead of what changed since the last run. */
    full: z.boolean().default(false),
  })
  .strict();

export function syncRoutes(ctx: AdminContext): Router {
  const router = Router();
  router.post('/sync', async (req, res) => {
    const body = parseInput(syncBody, req.body ?? {}, 'body');
    const started = await ctx.runs.start({ kind: body.dryRun ? 'dry_run' : 'sync', full: body.full, trigger: 'admin' });
    res.status(202).json({ runId: started.runId, kind: started.kind, status: 'running' });
  });
  return router;
}
