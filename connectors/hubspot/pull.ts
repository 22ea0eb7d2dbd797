/**
 * Pulling customers (contacts, or companies with `hubspot.customerObject: companies`) and deals from
 * HubSpot a page at a time, resumable from a cursor. The cursor's phase `contacts` is the customers' phase
 * whichever the object (so cursors stored before companies existed stay valid).
 * - Full: the list endpoints (100 per page) for customers, then deals; each group of up to 1,000 deals
 *   gets its customers from one associations batch read (the date-based path of `hubspot.apiVersion`, or
 *   the SDK's v4 client under `legacy`).
 * - Incremental: the search endpoints on last-modified (200 per page, ascending). HubSpot stops a search
 *   at 10,000 results, so the window is re-based on the last timestamp seen before that; records already
 *   returned at that exact timestamp are skipped. If more than 10,000 records share one timestamp, that
 *   timestamp is walked in id order. The plugin's own last writes are filtered out in the query.
 * Pages never accumulate: each group is yielded (and checkpointed by the engine) before the next.
 */
import type { PublicObjectSearchRequest } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import { z } from 'zod';
import { ConnectorError, type PulledCustomer, type PulledDeal, type PulledPage, type PullRequest, type RecordProblem } from '../contract/index.ts';
import { contactProperties, customerFromContact, dealFromHubSpot, DEAL_PROPERTIES, objectOf, type ContactMapping, type HubSpotRecord, type StageMap } from './mapping.ts';
import { CUSTOMER_OBJECTS, type CustomerObject, type HubSpotApiVersion } from './settings.ts';
import type { HubSpotTransport } from './transport.ts';
import { associationsPath } from './versions.ts';

const GROUP = 1000;
const LIST_PAGE = 100;
const SEARCH_PAGE = 200;
const SEARCH_CAP = 10_000;

export const record = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullable()),
  updatedAt: z.union([z.date(), z.string()]).optional(),
});
export const listPage = z.object({ results: z.array(record), paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional() });
const searchPage = z.object({
  total: z.number().optional(),
  results: z.array(record),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});
/** An associated id: v4 answers a JSON number, the date-based versions document a string. */
const objectId = z.union([z.string(), z.number()]).transform(String);
const associationResult = z.object({
  to: z.array(z.object({ toObjectId: objectId })),
  paging: z.object({ next: z.object({ after: z.string() }).optional() }).optional(),
});
/** The SDK's v4 client renames the documented `from` to `_from`. */
const sdkAssociationsPage = z.object({ results: z.array(associationResult.extend({ _from: z.object({ id: z.string() }) })) });
/** The documented answer (200, or 207 with `errors` for deals without contacts, which are left alone). */
const associationsPage = z.object({ results: z.array(associationResult.extend({ from: z.object({ id: z.string() }) })) });
type AssociationsPage = { results: { fromId: string; toIds: string[]; after: string | undefined }[] };

const pipelines = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      stages: z.array(z.object({ id: z.string(), label: z.string().optional(), metadata: z.record(z.string(), z.string()) })),
    }),
  ),
});

const listCursor = z.object({ mode: z.literal('full'), phase: z.enum(['contacts', 'deals', 'done']), after: z.string().nullable() });
const windowState = z.object({
  windowStart: z.number(),
  after: z.string().nullable(),
  /** Ids already returned at windowStart (the window is inclusive). */
  seenAtStart: z.array(z.string()),
  /** Walking one over-full timestamp in id order: the last id returned. */
  tieAfterId: z.string().nullable(),
});
const searchCursor = z.object({
  mode: z.literal('incremental'),
  phase: z.enum(['contacts', 'deals', 'done']),
  state: windowState,
});
type WindowState = z.infer<typeof windowState>;

export function toRecord(r: z.infer<typeof record>): HubSpotRecord {
  return { id: r.id, properties: r.properties, updatedAt: r.updatedAt instanceof Date ? r.updatedAt.toISOString() : (r.updatedAt ?? null) };
}

export interface PullContext {
  transport: HubSpotTransport;
  mapping: ContactMapping;
  apiVersion: HubSpotApiVersion;
}

export async function loadStages(ctx: Pick<PullContext, 'transport'>): Promise<StageMap> {
  const data = pipelines.parse((await ctx.transport.call('api', 'list deal pipelines', (c) => c.crm.pipelines.pipelinesApi.getAllWithHttpInfo('deals'))).data);
  const map = new Map<string, { closed: boolean; won: boolean; label?: string }>();
  for (const p of data.results) {
    for (const s of p.stages) {
      const closed = s.metadata.isClosed === 'true';
      map.set(`${p.id}/${s.id}`, { closed, won: closed && Number(s.metadata.probability) === 1, ...(s.label ? { label: s.label } : {}) });
    }
  }
  return map;
}

export type Direction = { from: 'deals'; to: CustomerObject } | { from: CustomerObject; to: 'deals' };

/** Deals → the installation's customers (contacts or companies). */
export const dealsToCustomers = (ctx: PullContext): Direction => ({ from: 'deals', to: objectOf(ctx.mapping) });
/** The installation's customers → their deals. */
export const customersToDeals = (ctx: PullContext): Direction => ({ from: objectOf(ctx.mapping), to: 'deals' });

/** One page of associations (deal→customers, or customer→deals), by the SDK's v4 client or the date-based path. */
async function readAssociations(ctx: PullContext, inputs: { id: string; after?: string }[], way: Direction): Promise<AssociationsPage> {
  const label = way.from === 'deals' ? `read deal associations to ${way.to}` : `read ${CUSTOMER_OBJECTS[way.from].singular} associations`;
  if (ctx.apiVersion === 'legacy') {
    const page = sdkAssociationsPage.parse((await ctx.transport.call('api', label, (c) => c.crm.associations.v4.batchApi.getPageWithHttpInfo(way.from, way.to, { inputs }))).data);
    return { results: page.results.map((r) => ({ fromId: r._from.id, toIds: r.to.map((t) => t.toObjectId), after: r.paging?.next?.after })) };
  }
  const path = associationsPath(ctx.apiVersion, `${way.from}/${way.to}/batch/read`);
  const parsed = associationsPage.safeParse((await ctx.transport.request('api', label, { method: 'POST', path, body: { inputs } })).data);
  if (!parsed.success) throw new ConnectorError('INVALID_RESPONSE', `HubSpot answered POST ${path} unexpectedly: ${z.prettifyError(parsed.error)}`);
  return { results: parsed.data.results.map((r) => ({ fromId: r.from.id, toIds: r.to.map((t) => t.toObjectId), after: r.paging?.next?.after })) };
}

/** Deal id → customer ids (or customer id → deal ids), by associations batch read (1,000 inputs a call; per-record paging). */
export async function contactsOfDeals(ctx: PullContext, dealIds: string[], way: Direction = dealsToCustomers(ctx)): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(dealIds.map((id) => [id, []]));
  let inputs: { id: string; after?: string }[] = dealIds.map((id) => ({ id }));
  while (inputs.length > 0) {
    const page = await readAssociations(ctx, inputs, way);
    const next: { id: string; after?: string }[] = [];
    for (const r of page.results) {
      out.get(r.fromId)?.push(...r.toIds);
      if (r.after) next.push({ id: r.fromId, after: r.after });
    }
    inputs = next;
  }
  return out;
}

export function mapDeals(records: HubSpotRecord[], contacts: Map<string, string[]>, stages: StageMap): { deals: PulledDeal[]; problems: RecordProblem[] } {
  const deals: PulledDeal[] = [];
  const problems: RecordProblem[] = [];
  for (const r of records) {
    const mapped = dealFromHubSpot(r, [...new Set(contacts.get(r.id) ?? [])], stages);
    problems.push(...mapped.problems);
    if (mapped.deal) deals.push(mapped.deal);
  }
  return { deals, problems };
}

export function mapContacts(ctx: PullContext, records: HubSpotRecord[]): { customers: PulledCustomer[]; problems: RecordProblem[] } {
  const customers: PulledCustomer[] = [];
  const problems: RecordProblem[] = [];
  for (const r of records) {
    const mapped = customerFromContact(r, ctx.mapping);
    customers.push(mapped.customer);
    problems.push(...mapped.problems);
  }
  return { customers, problems };
}

async function* fullPull(ctx: PullContext, request: PullRequest): AsyncGenerator<PulledPage> {
  let cursor = request.resume ? listCursor.parse(request.resume) : { mode: 'full' as const, phase: 'contacts' as const, after: null };
  const properties = contactProperties(ctx.mapping, request.fields);
  while (cursor.phase === 'contacts') {
    const records: HubSpotRecord[] = [];
    let after = cursor.after;
    do {
      const object = objectOf(ctx.mapping);
      const page = listPage.parse(
        (
          await ctx.transport.call('api', `list ${object}`, (c) =>
            object === 'companies'
              ? c.crm.companies.basicApi.getPageWithHttpInfo(LIST_PAGE, after ?? undefined, properties)
              : c.crm.contacts.basicApi.getPageWithHttpInfo(LIST_PAGE, after ?? undefined, properties),
          )
        ).data,
      );
      records.push(...page.results.map(toRecord));
      after = page.paging?.next?.after ?? null;
    } while (after && records.length < GROUP);
    cursor = after ? { mode: 'full', phase: 'contacts', after } : { mode: 'full', phase: 'deals', after: null };
    yield { ...mapContacts(ctx, records), deals: [], cursor };
  }
  if (cursor.phase === 'deals') {
    const stages = await loadStages(ctx);
    while (cursor.phase === 'deals') {
      const records: HubSpotRecord[] = [];
      let after = cursor.after;
      do {
        const page = listPage.parse(
          (await ctx.transport.call('api', 'list deals', (c) => c.crm.deals.basicApi.getPageWithHttpInfo(LIST_PAGE, after ?? undefined, DEAL_PROPERTIES))).data,
        );
        records.push(...page.results.map(toRecord));
        after = page.paging?.next?.after ?? null;
      } while (after && records.length < GROUP);
      const contacts = records.length > 0 ? await contactsOfDeals(ctx, records.map((r) => r.id)) : new Map<string, string[]>();
      cursor = after ? { mode: 'full', phase: 'deals', after } : { mode: 'full', phase: 'done', after: null };
      yield { customers: [], ...mapDeals(records, contacts, stages), cursor };
    }
  }
}

type Filter = { propertyName: string; operator: string; value?: string };

interface SearchSpec {
  object: CustomerObject | 'deals';
  modified: string;
  properties: string[];
  /** Extra OR-groups are built by this from the window's own filters. */
  groups: (window: Filter[]) => Filter[][];
}

/**
 * The SDK types `sorts` as strings and `operator` as its own enum, while HubSpot documents sorts as
 * objects; the SDK sends both through unchanged. This is the one place that bridges the types.
 */
function searchRequest(body: { filterGroups: { filters: Filter[] }[]; sorts: { propertyName: string; direction: string }[]; properties: string[]; limit: number; after?: string }): PublicObjectSearchRequest {
  return body as unknown as PublicObjectSearchRequest;
}

/** One search page from a window state; returns the records to emit and the next state (null when done). */
async function searchStep(ctx: PullContext, spec: SearchSpec, state: WindowState): Promise<{ records: HubSpotRecord[]; next: WindowState | null }> {
  const tie = state.tieAfterId !== null;
  const window: Filter[] = tie
    ? [
        { propertyName: spec.modified, operator: 'EQ', value: String(state.windowStart) },
        { propertyName: 'hs_object_id', operator: 'GT', value: state.tieAfterId ?? '0' },
      ]
    : [{ propertyName: spec.modified, operator: 'GTE', value: String(state.windowStart) }];
  const body = {
    filterGroups: spec.groups(window).map((filters) => ({ filters })),
    sorts: [{ propertyName: tie ? 'hs_object_id' : spec.modified, direction: 'ASCENDING' }],
    properties: spec.properties,
    limit: SEARCH_PAGE,
    ...(state.after ? { after: state.after } : {}),
  };
  const api = spec.object;
  const page = searchPage.parse((await ctx.transport.call('search', `search ${api}`, (c) => c.crm[api].searchApi.doSearchWithHttpInfo(searchRequest(body)))).data);
  const raw = page.results.map(toRecord);
  const modifiedOf = (r: HubSpotRecord) => Date.parse(r.properties[spec.modified] ?? r.updatedAt ?? '') || 0;
  const seen = new Set(state.seenAtStart);
  const records = tie ? raw : raw.filter((r) => !(modifiedOf(r) === state.windowStart && seen.has(r.id)));
  const after = page.paging?.next?.after ?? null;
  if (after === null) {
    // The window is exhausted. After an over-full timestamp walked by id, continue strictly after it.
    return { records, next: tie ? { windowStart: state.windowStart + 1, after: null, seenAtStart: [], tieAfterId: null } : null };
  }
  // HubSpot's search `after` is an offset; a page that would reach past 10,000 is refused, so re-base first.
  const fits = Number(after) + SEARCH_PAGE <= SEARCH_CAP;
  if (tie) return { records, next: fits ? { ...state, after } : { ...state, after: null, tieAfterId: raw[raw.length - 1].id } };
  if (fits) return { records, next: { ...state, after } };
  const last = modifiedOf(raw[raw.length - 1]);
  if (last === state.windowStart) {
    // Everything in this window shares one timestamp: walk it by id.
    return { records, next: { windowStart: last, after: null, seenAtStart: [], tieAfterId: '0' } };
  }
  const atLast = raw.filter((r) => modifiedOf(r) === last).map((r) => r.id);
  return { records, next: { windowStart: last, after: null, seenAtStart: atLast, tieAfterId: null } };
}

async function* incrementalPull(ctx: PullContext, request: PullRequest): AsyncGenerator<PulledPage> {
  const since = request.since ?? 0;
  const fresh = (): WindowState => ({ windowStart: since, after: null, seenAtStart: [], tieAfterId: null });
  let cursor = request.resume ? searchCursor.parse(request.resume) : { mode: 'incremental' as const, phase: 'contacts' as const, state: fresh() };
  const skip = request.skipOwnWrites ?? null;
  const scoredName = skip ? ctx.mapping.names[skip.field] : null;
  const object = objectOf(ctx.mapping);
  const modified = CUSTOMER_OBJECTS[object].modified;
  const contacts: SearchSpec = {
    object,
    modified,
    properties: contactProperties(ctx.mapping, request.fields),
    groups: (window) =>
      skip && scoredName
        ? [
            // Not written by the last run, or modified after it wrote (HubSpot ORs the groups).
            [...window, { propertyName: scoredName, operator: 'NEQ', value: String(Date.parse(skip.value)) }],
            [...window, { propertyName: scoredName, operator: 'NOT_HAS_PROPERTY' }],
            [...window, { propertyName: modified, operator: 'GT', value: String(skip.unlessModifiedAfter) }],
          ]
        : [window],
  };
  const deals: SearchSpec = { object: 'deals', modified: 'hs_lastmodifieddate', properties: DEAL_PROPERTIES, groups: (window) => [window] };

  while (cursor.phase === 'contacts') {
    const records: HubSpotRecord[] = [];
    let state: WindowState | null = cursor.state;
    while (state && records.length < GROUP) {
      const step = await searchStep(ctx, contacts, state);
      records.push(...step.records);
      state = step.next;
    }
    cursor = state ? { mode: 'incremental', phase: 'contacts', state } : { mode: 'incremental', phase: 'deals', state: fresh() };
    yield { ...mapContacts(ctx, records), deals: [], cursor };
  }
  if (cursor.phase === 'deals') {
    const stages = await loadStages(ctx);
    while (cursor.phase === 'deals') {
      const records: HubSpotRecord[] = [];
      let state: WindowState | null = cursor.state;
      while (state && records.length < GROUP) {
        const step = await searchStep(ctx, deals, state);
        records.push(...step.records);
        state = step.next;
      }
      const associations = records.length > 0 ? await contactsOfDeals(ctx, records.map((r) => r.id)) : new Map<string, string[]>();
      cursor = state ? { mode: 'incremental', phase: 'deals', state } : { mode: 'incremental', phase: 'done', state: fresh() };
      yield { customers: [], ...mapDeals(records, associations, stages), cursor };
    }
  }
}

export function pullHubSpot(ctx: PullContext, request: PullRequest): AsyncIterable<PulledPage> {
  return request.mode === 'full' ? fullPull(ctx, request) : incrementalPull(ctx, request);
}
