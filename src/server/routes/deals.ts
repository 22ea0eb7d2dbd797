/**
 * The open-deal pipeline (issue #14): GET /api/deals/pipeline (counts and amounts by MEDDIC score band ×
 * win probability band, the win model's card, whether deal scoring is on), GET /api/deals/open (a page
 * of the open deals, sorted) and GET /api/deals/open.csv (all of them), from what the last real sync
 * with deal scoring stored (store/openDeals.ts). Each deal links to its record in the CRM, from the
 * installation's credentials check (cached a minute), as the customers do.
 */
import { Router } from 'express';
import { z } from 'zod';
import { openDealsCsv } from '../../io/openDealsCsv.ts';
import { OPEN_DEAL_SORTS, PIPELINE_BAND_FROM, type OpenDealQuery, type StoredOpenDeal } from '../../store/openDeals.ts';
import type { InstallationScope } from '../../service/installation.ts';
import { winModelCard } from '../../service/winModelCard.ts';
import type { AdminContext } from '../context.ts';
import type { ScopeOf } from '../scope.ts';
import { parseInput } from '../validate.ts';

/** The most deals a page of the list holds. */
export const MAX_DEAL_PAGE_SIZE = 200;
/** Deals per read while an export streams. */
const EXPORT_PAGE = 5000;

const oneOf = <const T extends readonly string[]>(values: T) => z.enum(values, { message: `must be one of ${values.join(', ')}` });
const order = { sort: oneOf(OPEN_DEAL_SORTS).default('winProbability'), order: oneOf(['desc', 'asc']).default('desc') };
const listQuery = z
  .object({
    ...order,
    page: z.coerce.number({ message: 'must be a page number from 1' }).int('must be a whole number').min(1, 'must be a page number from 1').default(1),
    pageSize: z.coerce.number({ message: `must be a number from 1 to ${MAX_DEAL_PAGE_SIZE}` }).int('must be a whole number').min(1, `must be a number from 1 to ${MAX_DEAL_PAGE_SIZE}`).max(MAX_DEAL_PAGE_SIZE, `must be at most ${MAX_DEAL_PAGE_SIZE}`).default(50),
  })
  .strict();
const csvQuery = z.object(order).strict();
const noQuery = z.object({}).strict();

/** A deal as the API answers it. */
export type OpenDealItem = StoredOpenDeal & { crmUrl: string | null };

/** The installation's deal record link with `{id}` in it, or null when the check failed or gave none. */
async function dealUrl(ctx: AdminContext, scope: InstallationScope): Promise<(id: string) => string | null> {
  const verified = await ctx.installations.verify(scope);
  const template = verified.ok && verified.dealRecordUrl ? verified.dealRecordUrl : null;
  return (id) => (template ? template.replace('{id}', encodeURIComponent(id)) : null);
}

const HOW_TO_ENABLE = 'Deal scoring is off: set sync.deals.enabled: true in the configuration file, then run a sync. It creates the MEDDIC fields on deals and scores every open deal.';

export function dealRoutes(ctx: AdminContext, scopeOf: ScopeOf): Router {
  const router = Router({ mergeParams: true });

  router.get('/deals/pipeline', async (req, res) => {
    parseInput(noQuery, req.query, 'query');
    const scope = await scopeOf(req);
    const enabled = scope.config.sync.deals.enabled;
    const pipeline = await ctx.store.openDealPipeline(scope.installationId);
    res.json({
      enabled,
      howToEnable: enabled ? null : HOW_TO_ENABLE,
      currency: scope.config.classifier.ltv.currency,
      /** Each band's lower bound, on both axes (the last reaches 100). */
      bands: PIPELINE_BAND_FROM,
      ...pipeline,
      winModel: await winModelCard(ctx.store, scope.installationId, pipeline.runId),
    });
  });

  router.get('/deals/open', async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    const scope = await scopeOf(req);
    const found = await ctx.store.openDeals(scope.installationId, { sort: q.sort, order: q.order, offset: (q.page - 1) * q.pageSize, limit: q.pageSize });
    const url = found.rows.length > 0 ? await dealUrl(ctx, scope) : () => null;
    const rows: OpenDealItem[] = found.rows.map((r) => ({ ...r, crmUrl: url(r.dealId) }));
    res.json({ total: found.total, page: q.page, pageSize: q.pageSize, sort: q.sort, order: q.order, rows });
  });

  router.get('/deals/open.csv', async (req, res) => {
    const q = parseInput(csvQuery, req.query, 'query');
    const scope = await scopeOf(req);
    const url = await dealUrl(ctx, scope);
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="open-deals-${scope.installationId}.csv"`);
    res.write(openDealsCsv([]));
    // An installation's open deals are thousands at most: offset pages are fine here.
    for (let offset = 0; ; offset += EXPORT_PAGE) {
      const query: OpenDealQuery = { sort: q.sort, order: q.order, offset, limit: EXPORT_PAGE };
      const page = await ctx.store.openDeals(scope.installationId, query);
      if (page.rows.length > 0) res.write(openDealsCsv(page.rows.map((r) => ({ ...r, crmUrl: url(r.dealId) })), false));
      if (page.rows.length < EXPORT_PAGE) break;
    }
    res.end();
  });

  return router;
}
