/** GET /api/customers/:id: one customer's purchases, signals, scores, reason and the history of writes. */
import { Router } from 'express';
import { z } from 'zod';
import { explainCustomer } from '../../sync/explain.ts';
import type { AdminContext } from '../context.ts';
import type { ScopeOf } from '../scope.ts';
import { parseInput } from '../validate.ts';

const params = z.object({ id: z.string().min(1).max(100, 'must be a CRM record id (at most 100 characters)') });

export function customerRoutes(ctx: AdminContext, scopeOf: ScopeOf): Router {
  const router = Router({ mergeParams: true });
  router.get('/customers/:id', async (req, res) => {
    const { id } = parseInput(params, req.params, 'params');
    res.json(await explainCustomer(ctx.store, (await scopeOf(req)).installationId, id));
  });
  return router;
}
