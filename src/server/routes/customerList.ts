/**
 * The customer list: GET /api/customers (a page, searched, filtered, sorted) and GET /api/customers.csv
 * (every customer the same filters match, streamed a page at a time), from the store's customer list
 * (store/customerList.ts). Each row links to its record in the CRM, from the installation's credentials
 * check (cached a minute), as GET /api/customers/:id does.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { CHURN_BANDS, STAGES_IN_LIFECYCLE_ORDER, VALUE_TIERS } from '../../classifier/types.ts';
import { customersCsv } from '../../io/customersCsv.ts';
import { CUSTOMER_SORTS, type CustomerListQuery, type CustomerListRow } from '../../store/customerList.ts';
import type { InstallationScope } from '../../service/installation.ts';
import type { AdminContext } from '../context.ts';
import type { ScopeOf } from '../scope.ts';
import { parseInput } from '../validate.ts';

/** The most rows a page of the list holds. */
export const MAX_PAGE_SIZE = 200;
/** Rows per read while an export streams. */
const EXPORT_PAGE = 5000;

const oneOf = <const T extends readonly string[]>(values: T) => z.enum(values, { message: `must be one of ${values.join(', ')}` });

const filters = {
  search: z.string().max(200, 'must be at most 200 characters').optional(),
  /** One stage, or several separated by commas (at_risk,churned). */
  stage: z
    .string()
    .transform((v) => v.split(','))
    .pipe(z.array(oneOf(STAGES_IN_LIFECYCLE_ORDER)))
    .optional(),
  band: oneOf(CHURN_BANDS).optional(),
  tier: oneOf(VALUE_TIERS).optional(),
  /** Churn risk from (inclusive) and to (exclusive), 0–100: a bar of the page's churn-risk histogram. */
  churnFrom: z.coerce.number({ message: 'must be a number from 0 to 100' }).min(0, 'must be from 0 to 100').max(100, 'must be from 0 to 100').optional(),
  churnTo: z.coerce.number({ message: 'must be a number from 0 to 100' }).min(0, 'must be from 0 to 100').max(101, 'must be at most 101').optional(),
  changed: z.enum(['true', 'false'], { message: 'must be true or false' }).optional(),
  /** Only prospects (people with a conversion likelihood). */
  prospects: z.enum(['true'], { message: 'must be true' }).optional(),
  sort: oneOf(CUSTOMER_SORTS).default('clv'),
  order: oneOf(['desc', 'asc']).default('desc'),
};
const listQuery = z
  .object({
    ...filters,
    page: z.coerce.number({ message: 'must be a page number from 1' }).int('must be a whole number').min(1, 'must be a page number from 1').default(1),
    pageSize: z.coerce.number({ message: `must be a number from 1 to ${MAX_PAGE_SIZE}` }).int('must be a whole number').min(1).max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`).default(50),
  })
  .strict();
const csvQuery = z.object(filters).strict();

type Filters = z.infer<typeof csvQuery>;

/** A row as the API answers it. */
export type CustomerListItem = CustomerListRow & { crmUrl: string | null };

function storeQuery(f: Filters, page: { offset: number; limit: number }): CustomerListQuery {
  return {
    ...(f.search !== undefined ? { search: f.search } : {}),
    ...(f.stage !== undefined ? { stages: f.stage } : {}),
    ...(f.band !== undefined ? { churnRiskBand: f.band } : {}),
    ...(f.tier !== undefined ? { valueTier: f.tier } : {}),
    ...(f.churnFrom !== undefined ? { churnRiskFrom: f.churnFrom } : {}),
    ...(f.churnTo !== undefined ? { churnRiskBelow: f.churnTo } : {}),
    ...(f.changed !== undefined ? { changedInLastRun: f.changed === 'true' } : {}),
    ...(f.prospects === 'true' ? { prospects: true } : {}),
    sort: f.sort,
    order: f.order,
    ...page,
  };
}

/** The installation's record link with `{id}` in it, or null when the check failed or gave none. */
async function recordUrl(ctx: AdminContext, scope: InstallationScope): Promise<(id: string) => string | null> {
  return (await recordLinks(ctx, scope)).url;
}

/** The record links and what a record is in the CRM ("contact", "company"; null when the check says nothing). */
async function recordLinks(ctx: AdminContext, scope: InstallationScope): Promise<{ url: (id: string) => string | null; label: string | null }> {
  const verified = await ctx.installations.verify(scope);
  const template = verified.ok && verified.recordUrl ? verified.recordUrl : null;
  return { url: (id) => (template ? template.replace('{id}', encodeURIComponent(id)) : null), label: verified.ok ? (verified.recordLabel ?? null) : null };
}

export function customerListRoutes(ctx: AdminContext, scopeOf: ScopeOf): Router {
  const router = Router({ mergeParams: true });

  router.get('/customers', async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    const scope = await scopeOf(req);
    const found = await ctx.store.customerList(scope.installationId, storeQuery(q, { offset: (q.page - 1) * q.pageSize, limit: q.pageSize }));
    const links = found.rows.length > 0 ? await recordLinks(ctx, scope) : { url: () => null, label: null };
    const rows: CustomerListItem[] = found.rows.map((r) => ({ ...r, crmUrl: links.url(r.recordId) }));
    // recordLabel: the page says "company" for a companies installation (null with no rows or no check).
    res.json({ total: found.total, page: q.page, pageSize: q.pageSize, recordLabel: links.label, rows });
  });

  router.get('/customers.csv', async (req: Request, res) => {
    const q = parseInput(csvQuery, req.query, 'query');
    const scope = await scopeOf(req);
    const url = await recordUrl(ctx, scope);
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="customers-${scope.installationId}.csv"`);
    res.write(customersCsv([]));
    // Keyset pages in the list's order: the millionth row costs what the first did.
    let after: CustomerListQuery['after'];
    for (;;) {
      const page = await ctx.store.customerList(scope.installationId, { ...storeQuery(q, { offset: 0, limit: EXPORT_PAGE }), count: false, ...(after ? { after } : {}) });
      if (page.rows.length > 0) res.write(customersCsv(page.rows.map((r) => ({ ...r, crmUrl: url(r.recordId) })), false));
      const last = page.rows.at(-1);
      if (page.rows.length < EXPORT_PAGE || !last) break;
      after = { figure: last[q.sort] ?? null, recordId: last.recordId };
    }
    res.end();
  });

  return router;
}
