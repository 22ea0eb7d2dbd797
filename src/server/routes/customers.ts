/** GET /api/customers/:id: one customer's purchases, signals, scores, reason and the history of writes. */
import { Router } from 'express';
import { z } from 'zod';
import { explainCustomer } from '../../sync/explain.ts';
import type { AdminContext } from '../context.ts';
import { parseInput } from '../validate.ts';

const params = z.object({ id: z.string().min(1).max(100, 'must be a CRM record id (at most 100 characters)') });

export function customerRoutes(ctx: AdminContext): Router {
  const router = Router();
  router.get('/customers/:id', async (req, res) => {
    const { id } = parseInput(params, req.params, 'params');
    res.json(await explainCustomer(ctx.store, ctx.installations.requireInstallationId(), id));
  });
  return router;
}
