/**
 * Pulling customers (Contacts or Accounts) and Opportunities from Salesforce a page at a time,
 * resumable from a cursor saved after every page.
 * - Full pulls walk each object in Id order (`WHERE Id > :last ORDER BY Id`), following
 *   `nextRecordsUrl` — never jsforce's autoFetch, which stops silently at 10,000 records. A killed run
 *   resumes after the last Id it stored. Above `bulkQueryThreshold` records a Bulk API 2.0 query job is
 *   used instead, resumed by its result locator.
 * - Incremental pulls walk records modified since the cursor in (SystemModstamp, Id) order, and then
 *   the Opportunities whose contact roles changed (a new role does not touch its Opportunity).
 * Contacts' purchases are the Opportunities they have a contact role on (a subquery, so no extra
 * requests); with accountFallback, an Opportunity without roles counts for its Account's contacts.
 */
import { z } from 'zod';
import type { PulledCustomer, PulledDeal, PulledPage, PullRequest, RecordProblem } from '../contract/index.ts';
import { SalesforceApiError, type SalesforceApi } from './api.ts';
import { createQueryJob, queryResultPage, waitForJob, type BulkTiming } from './bulk.ts';
import { customerFields, customerFromRecord, dealFromOpportunity, OPPORTUNITY_FIELDS, text, type CurrencyRates, type CustomerMapping, type SalesforceRecord } from './mapping.ts';
import { chunks, soqlDatetime, soqlId, soqlIdList } from './soql.ts';

export interface PullContext {
  api: SalesforceApi;
  mapping: CustomerMapping;
  accountFallback: boolean;
  bulkQueryThreshold: number;
  timing: BulkTiming;
}

const recordList = z.array(z.record(z.string(), z.unknown()));
const queryPage = z.object({ totalSize: z.number(), done: z.boolean(), nextRecordsUrl: z.string().optional(), records: recordList });
const childResult = z.object({ done: z.boolean(), nextRecordsUrl: z.string().optional(), records: recordList }).nullable().optional();

const phase = z.enum(['customers', 'deals', 'roles', 'done']);
const fullCursor = z.object({
  mode: z.literal('full'),
  phase,
  via: z.enum(['rest', 'bulk']).nullable(),
  afterId: z.string().nullable(),
  jobId: z.string().nullable(),
  locator: z.string().nullable(),
  rolesJobId: z.string().nullable(),
});
type FullCursor = z.infer<typeof fullCursor>;
const incrementalCursor = z.object({ mode: z.literal('incremental'), phase, afterTs: z.number(), afterId: z.string().nullable() });
type IncrementalCursor = z.infer<typeof incrementalCursor>;

/** A SOQL query's records, page by page (each ≤ 2,000), following nextRecordsUrl to the end. */
export async function* restQuery(api: SalesforceApi, label: string, soql: string): AsyncGenerator<SalesforceRecord[]> {
  let page = await api.json(label, queryPage, { method: 'GET', url: `/query?q=${encodeURIComponent(soql)}` });
  yield page.records;
  while (!page.done && page.nextRecordsUrl) {
    page = await api.json(label, queryPage, { method: 'GET', url: page.nextRecordsUrl });
    yield page.records;
  }
}

async function countOf(api: SalesforceApi, object: string): Promise<number> {
  return (await api.json(`count ${object} records`, queryPage, { method: 'GET', url: `/query?q=${encodeURIComponent(`SELECT COUNT() FROM ${object}`)}` })).totalSize;
}

/** Conversion rates of a multi-currency org; null in a single-currency org (it has no CurrencyType). */
export async function currencyRates(api: SalesforceApi): Promise<CurrencyRates> {
  try {
    const rates = new Map<string, number>();
    for await (const page of restQuery(api, 'read currency rates', 'SELECT IsoCode, ConversionRate FROM CurrencyType WHERE IsActive = true')) {
      for (const r of page) {
        const code = text(r, 'IsoCode');
        const rate = Number(text(r, 'ConversionRate'));
        if (code !== null && rate > 0) rates.set(code, rate);
      }
    }
    return rates;
  } catch (error) {
    if (error instanceof SalesforceApiError && error.errorCode === 'INVALID_TYPE') return null;
    throw error;
  }
}

export function mapCustomers(ctx: PullContext, records: SalesforceRecord[]): { customers: PulledCustomer[]; problems: RecordProblem[] } {
  const customers: PulledCustomer[] = [];
  const problems: RecordProblem[] = [];
  for (const r of records) {
    const mapped = customerFromRecord(r, ctx.mapping);
    if (mapped.customer) customers.push(mapped.customer);
    problems.push(...mapped.problems);
  }
  return { customers, problems };
}

function opportunityFields(rates: CurrencyRates): string[] {
  return rates === null ? OPPORTUNITY_FIELDS : [...OPPORTUNITY_FIELDS, 'CurrencyIsoCode'];
}

/** REST selects contact roles with the Opportunity (a subquery costs no extra request). */
export function opportunitySelect(ctx: PullContext, rates: CurrencyRates): string {
  const roles = ctx.mapping.object === 'Contact' ? ', (SELECT ContactId FROM OpportunityContactRoles)' : '';
  return `SELECT ${opportunityFields(rates).join(', ')}${roles} FROM Opportunity`;
}

/** Contact ids from an Opportunity's role subquery, following its own paging if it has one. */
async function rolesOf(ctx: PullContext, opp: SalesforceRecord): Promise<string[]> {
  const parsed = childResult.safeParse(opp.OpportunityContactRoles);
  if (!parsed.success || !parsed.data) return [];
  const ids = parsed.data.records.map((r) => text(r, 'ContactId')).filter((id): id is string => id !== null);
  let next = parsed.data.done ? undefined : parsed.data.nextRecordsUrl;
  while (next) {
    const page = await ctx.api.json('read opportunity contact roles', queryPage, { method: 'GET', url: next });
    ids.push(...page.records.map((r) => text(r, 'ContactId')).filter((id): id is string => id !== null));
    next = page.done ? undefined : page.nextRecordsUrl;
  }
  return ids;
}

/** Contacts of accounts, for Opportunities without contact roles. */
async function contactsOfAccounts(ctx: PullContext, accountIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const group of chunks([...new Set(accountIds)], 300)) {
    for await (const page of restQuery(ctx.api, 'read contacts of accounts', `SELECT Id, AccountId FROM Contact WHERE AccountId IN ${soqlIdList(group)}`)) {
      for (const r of page) {
        const [id, account] = [text(r, 'Id'), text(r, 'AccountId')];
        if (id === null || account === null) continue;
        const list = out.get(account);
        if (list) list.push(id);
        else out.set(account, [id]);
      }
    }
  }
  return out;
}

/** Opportunities to deals, with their customers: contact roles (given, or from the subquery), the Account, or its contacts. */
export async function mapOpportunities(ctx: PullContext, opps: SalesforceRecord[], rates: CurrencyRates, roles: ReadonlyMap<string, string[]> | null): Promise<{ deals: PulledDeal[]; problems: RecordProblem[] }> {
  const customersOf = new Map<SalesforceRecord, string[]>();
  const fallback: string[] = [];
  for (const opp of opps) {
    let ids: string[];
    if (ctx.mapping.object === 'Account') ids = [text(opp, 'AccountId')].filter((id): id is string => id !== null);
    else ids = roles ? (roles.get(text(opp, 'Id') ?? '') ?? []) : await rolesOf(ctx, opp);
    customersOf.set(opp, ids);
    const account = text(opp, 'AccountId');
    if (ids.length === 0 && ctx.mapping.object === 'Contact' && ctx.accountFallback && account !== null) fallback.push(account);
  }
  const accountContacts = fallback.length > 0 ? await contactsOfAccounts(ctx, fallback) : new Map<string, string[]>();
  const deals: PulledDeal[] = [];
  const problems: RecordProblem[] = [];
  for (const opp of opps) {
    let ids = customersOf.get(opp) ?? [];
    if (ids.length === 0 && ctx.mapping.object === 'Contact' && ctx.accountFallback) ids = accountContacts.get(text(opp, 'AccountId') ?? '') ?? [];
    const mapped = dealFromOpportunity(opp, [...new Set(ids)], rates);
    problems.push(...mapped.problems);
    if (mapped.deal) deals.push(mapped.deal);
  }
  return { deals, problems };
}

function lastId(records: SalesforceRecord[]): string | null {
  return records.length > 0 ? text(records[records.length - 1], 'Id') : null;
}

/** Every role (Opportunity → contacts) from a Bulk query job: bulk queries cannot select subqueries. */
async function rolesFromJob(ctx: PullContext, jobId: string): Promise<Map<string, string[]>> {
  await waitForJob(ctx.api, 'query', jobId, ctx.timing);
  const roles = new Map<string, string[]>();
  let locator: string | null = null;
  do {
    const page = await queryResultPage(ctx.api, jobId, locator);
    for (const r of page.rows) {
      if (!r.OpportunityId || !r.ContactId) continue;
      const list = roles.get(r.OpportunityId);
      if (list) list.push(r.ContactId);
      else roles.set(r.OpportunityId, [r.ContactId]);
    }
    locator = page.next;
  } while (locator !== null);
  return roles;
}

async function* fullPull(ctx: PullContext, request: PullRequest): AsyncGenerator<PulledPage> {
  const start: FullCursor = { mode: 'full', phase: 'customers', via: null, afterId: null, jobId: null, locator: null, rolesJobId: null };
  let cursor = request.resume ? fullCursor.parse(request.resume) : start;
  const object = ctx.mapping.object;
  const customerSelect = `SELECT ${customerFields(ctx.mapping, request.fields).join(', ')} FROM ${object}`;
  if (cursor.phase === 'customers') {
    const via = cursor.via ?? ((await countOf(ctx.api, object)) > ctx.bulkQueryThreshold ? 'bulk' : 'rest');
    cursor = { ...cursor, via };
    if (via === 'rest') {
      const where = cursor.afterId ? ` WHERE Id > ${soqlId(cursor.afterId)}` : '';
      for await (const records of restQuery(ctx.api, `query ${object} records`, `${customerSelect}${where} ORDER BY Id`)) {
        cursor = { ...cursor, afterId: lastId(records) ?? cursor.afterId };
        yield { ...mapCustomers(ctx, records), deals: [], cursor };
      }
    } else {
      const jobId = cursor.jobId ?? (await createQueryJob(ctx.api, customerSelect));
      cursor = { ...cursor, jobId };
      await waitForJob(ctx.api, 'query', jobId, ctx.timing);
      for (;;) {
        const page = await queryResultPage(ctx.api, jobId, cursor.locator);
        const done = page.next === null;
        cursor = done ? { ...start, phase: 'deals' } : { ...cursor, locator: page.next };
        yield { ...mapCustomers(ctx, page.rows), deals: [], cursor };
        if (done) break;
      }
    }
    cursor = { ...start, phase: 'deals' };
  }
  if (cursor.phase === 'deals') {
    const rates = await currencyRates(ctx.api);
    const via = cursor.via ?? ((await countOf(ctx.api, 'Opportunity')) > ctx.bulkQueryThreshold ? 'bulk' : 'rest');
    cursor = { ...cursor, via };
    if (via === 'rest') {
      const where = cursor.afterId ? ` WHERE Id > ${soqlId(cursor.afterId)}` : '';
      for await (const records of restQuery(ctx.api, 'query opportunities', `${opportunitySelect(ctx, rates)}${where} ORDER BY Id`)) {
        cursor = { ...cursor, afterId: lastId(records) ?? cursor.afterId };
        yield { customers: [], ...(await mapOpportunities(ctx, records, rates, null)), cursor };
      }
    } else {
      const rolesJobId = object === 'Contact' ? (cursor.rolesJobId ?? (await createQueryJob(ctx.api, 'SELECT OpportunityId, ContactId FROM OpportunityContactRole'))) : null;
      const jobId = cursor.jobId ?? (await createQueryJob(ctx.api, `SELECT ${opportunityFields(rates).join(', ')} FROM Opportunity`));
      cursor = { ...cursor, rolesJobId, jobId };
      const roles = rolesJobId ? await rolesFromJob(ctx, rolesJobId) : new Map<string, string[]>();
      await waitForJob(ctx.api, 'query', jobId, ctx.timing);
      for (;;) {
        const page = await queryResultPage(ctx.api, jobId, cursor.locator);
        const mapped = await mapOpportunities(ctx, page.rows, rates, roles);
        cursor = page.next === null ? { ...start, phase: 'done' } : { ...cursor, locator: page.next };
        yield { customers: [], ...mapped, cursor };
        if (page.next === null) break;
      }
    }
  }
}

/** Records modified at or after (afterTs, afterId), oldest first: a keyset that survives restarts. */
function modifiedSince(c: IncrementalCursor): string {
  const ts = soqlDatetime(c.afterTs);
  return c.afterId === null ? `SystemModstamp >= ${ts}` : `(SystemModstamp > ${ts} OR (SystemModstamp = ${ts} AND Id > ${soqlId(c.afterId)}))`;
}

function advance(c: IncrementalCursor, records: SalesforceRecord[]): IncrementalCursor {
  const last = records[records.length - 1];
  if (!last) return c;
  const ts = Date.parse(text(last, 'SystemModstamp') ?? '');
  return { ...c, afterTs: Number.isFinite(ts) ? ts : c.afterTs, afterId: text(last, 'Id') };
}

async function* incrementalPull(ctx: PullContext, request: PullRequest): AsyncGenerator<PulledPage> {
  const since = request.since ?? 0;
  let cursor: IncrementalCursor = request.resume ? incrementalCursor.parse(request.resume) : { mode: 'incremental', phase: 'customers', afterTs: since, afterId: null };
  const object = ctx.mapping.object;
  if (cursor.phase === 'customers') {
    const skip = request.skipOwnWrites ?? null;
    let own = '';
    if (skip) {
      // Not written by the last run, or modified after it wrote.
      const field = ctx.mapping.names[skip.field];
      const value = soqlDatetime(Date.parse(skip.value));
      // Literals are whole seconds: "after" rounds up, so our own writes in that second stay out.
      own = ` AND (${field} != ${value} OR ${field} = null OR SystemModstamp > ${soqlDatetime(Math.ceil(skip.unlessModifiedAfter / 1000) * 1000)})`;
    }
    const soql = `SELECT ${customerFields(ctx.mapping, request.fields).join(', ')} FROM ${object} WHERE ${modifiedSince(cursor)}${own} ORDER BY SystemModstamp, Id`;
    for await (const records of restQuery(ctx.api, `query changed ${object} records`, soql)) {
      cursor = advance(cursor, records);
      yield { ...mapCustomers(ctx, records), deals: [], cursor };
    }
    cursor = { mode: 'incremental', phase: 'deals', afterTs: since, afterId: null };
  }
  const rates = cursor.phase === 'done' ? null : await currencyRates(ctx.api);
  if (cursor.phase === 'deals') {
    const soql = `${opportunitySelect(ctx, rates)} WHERE ${modifiedSince(cursor)} ORDER BY SystemModstamp, Id`;
    for await (const records of restQuery(ctx.api, 'query changed opportunities', soql)) {
      cursor = advance(cursor, records);
      yield { customers: [], ...(await mapOpportunities(ctx, records, rates, null)), cursor };
    }
    cursor = { mode: 'incremental', phase: object === 'Contact' ? 'roles' : 'done', afterTs: since, afterId: null };
  }
  if (cursor.phase === 'roles') {
    // Roles added or changed since, on Opportunities the deals phase did not read: those again, with all their roles.
    const changed = new Set<string>();
    for await (const records of restQuery(ctx.api, 'query changed contact roles', `SELECT OpportunityId FROM OpportunityContactRole WHERE SystemModstamp >= ${soqlDatetime(since)} AND Opportunity.SystemModstamp < ${soqlDatetime(since)}`)) {
      for (const r of records) {
        const id = text(r, 'OpportunityId');
        if (id !== null) changed.add(id);
      }
    }
    const groups = chunks([...changed], 300);
    if (groups.length === 0) yield { customers: [], deals: [], problems: [], cursor: { ...cursor, phase: 'done' } };
    for (const [i, group] of groups.entries()) {
      const records: SalesforceRecord[] = [];
      for await (const page of restQuery(ctx.api, 'query opportunities of changed roles', `${opportunitySelect(ctx, rates)} WHERE Id IN ${soqlIdList(group)}`)) records.push(...page);
      // Not resumable inside this phase (it restarts): it is small, and re-reading is harmless.
      yield { customers: [], ...(await mapOpportunities(ctx, records, rates, null)), cursor: i === groups.length - 1 ? { ...cursor, phase: 'done' } : cursor };
    }
  }
}

export function pullSalesforce(ctx: PullContext, request: PullRequest): AsyncIterable<PulledPage> {
  return request.mode === 'full' ? fullPull(ctx, request) : incrementalPull(ctx, request);
}
