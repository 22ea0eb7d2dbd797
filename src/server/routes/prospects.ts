/**
 * GET /prospects: the page's "Prospects most likely to convert" card — the conversion model's line from
 * the latest fit (fitted with its cross-validated AUC, or the fallback with its reason) and the ten
 * prospects with the highest likelihood in the customer list, each with the strongest factor the run
 * found for them (sync/conversionPhase.ts keeps the top ten with the fit).
 */
import { Router } from 'express';
import { z } from 'zod';
import type { AdminContext } from '../context.ts';
import type { ScopeOf } from '../scope.ts';

const TOP = 10;

/** What the engine stores with the fit (engine.ts conversionModel); older fits have none. */
const storedConversion = z.object({
  conversionModel: z.object({
    model: z.object({ basis: z.string() }),
    label: z.string(),
    validation: z.object({ auc: z.number().nullable().optional() }).nullable(),
    prospects: z.number(),
    top: z.array(z.object({ recordId: z.string(), likelihood: z.number(), strongestFactor: z.string().nullable() })),
  }),
});

export function prospectRoutes(ctx: AdminContext, scopeOf: ScopeOf): Router {
  const router = Router({ mergeParams: true });

  router.get('/prospects', async (req, res) => {
    const scope = await scopeOf(req);
    const latest = await ctx.store.latestModelFit(scope.installationId);
    const parsed = storedConversion.safeParse(latest?.fit);
    const stored = parsed.success ? parsed.data.conversionModel : null;
    const factors = new Map((stored?.top ?? []).map((t) => [t.recordId, t.strongestFactor]));
    const list = await ctx.store.customerList(scope.installationId, { prospects: true, sort: 'conversionLikelihood', order: 'desc', offset: 0, limit: TOP });
    const verified = list.rows.length > 0 ? await ctx.installations.verify(scope) : null;
    const template = verified?.ok && verified.recordUrl ? verified.recordUrl : null;
    res.json({
      model: stored && { basis: stored.model.basis, label: stored.label, auc: stored.validation?.auc ?? null, prospects: stored.prospects },
      top: list.rows.map((r) => ({
        recordId: r.recordId,
        name: r.name,
        likelihood: r.conversionLikelihood ?? null,
        strongestFactor: factors.get(r.recordId) ?? null,
        crmUrl: template ? template.replace('{id}', encodeURIComponent(r.recordId)) : null,
      })),
    });
  });

  return router;
}
