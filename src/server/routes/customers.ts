/**
 * GET /api/customers/:id: one customer's purchases, signals, scores, reason and the history of writes,
 * with the link to its record in the CRM and what a record is there ("contact", "company"; from the
 * installation's credentials check, cached a minute),
 * and the same in words (`description`: the sentences `lifecycle-sync explain` prints).
 */
import { Router } from 'express';
import { z } from 'zod';
import { connectorDefinition } from '../../../connectors/registry.ts';
import { describeCustomer, describeOptions } from '../../sync/describe.ts';
import { explainCustomer } from '../../sync/explain.ts';
import type { AdminContext } from '../context.ts';
import type { ScopeOf } from '../scope.ts';
import { parseInput } from '../validate.ts';

const params = z.object({ id: z.string().min(1).max(100, 'must be a CRM record id (at most 100 characters)') });

export function customerRoutes(ctx: AdminContext, scopeOf: ScopeOf): Router {
  const router = Router({ mergeParams: true });
  router.get('/customers/:id', async (req, res) => {
    const { id } = parseInput(params, req.params, 'params');
    const scope = await scopeOf(req);
    const explanation = await explainCustomer(ctx.store, scope.installationId, id);
    const verified = await ctx.installations.verify(scope);
    const crmUrl = verified.ok && verified.recordUrl ? verified.recordUrl.replace('{id}', encodeURIComponent(id)) : null;
    const recordLabel = verified.ok ? (verified.recordLabel ?? null) : null;
    const description = describeCustomer(explanation, describeOptions(scope.config, connectorDefinition(scope.crm)?.label ?? scope.crm));
    res.json({ ...explanation, crmUrl, recordLabel, description });
  });
  return router;
}
