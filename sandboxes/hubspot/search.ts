/**
 * CRM search: filter groups ORed, filters ANDed, one sort, offset paging capped at 10,000
 * results. Runs against the lagged SearchIndex; a sort on a property with range filters on that same
 * property walks only the matching slice of its sorted index.
 */
import { z } from 'zod';
import { badRequest } from './errors.ts';
import type { PropertyRegistry } from './properties.ts';
import { QUERY_PROPERTIES, type ObjectType, type PropertyDefinition } from './schema.ts';
import { compareKeys, keyOf, type SearchIndex, type SortedIndex } from './searchIndex.ts';
import type { Snap, SortKey } from './store.ts';
import { dateOnlyMs, datetimeMs } from './validation.ts';

export const MAX_BODY_CHARS = 3000;
export const MAX_RESULTS = 10_000;
const MAX_GROUPS = 5;
const MAX_FILTERS_PER_GROUP = 6;
const MAX_FILTERS = 18;
const MAX_LIMIT = 200;

const OPERATORS = ['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN'] as const;
type Operator = (typeof OPERATORS)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const filterSchema = z.object({
  propertyName: z.string(),
  operator: z.enum(OPERATORS),
  value: scalar.optional(),
  highValue: scalar.optional(),
  values: z.array(scalar).optional(),
});
type Filter = z.output<typeof filterSchema>;

export const searchRequestSchema = z.object({
  filterGroups: z.array(z.object({ filters: z.array(filterSchema) })).optional(),
  sorts: z.array(z.object({ propertyName: z.string(), direction: z.enum(['ASCENDING', 'DESCENDING']).optional() })).optional(),
  query: z.string().optional(),
  properties: z.array(z.string()).optional(),
  limit: z.number().int().min(0).optional(),
  // "You must format the value in the after parameter as an integer" (HubSpot's CRM search guide).
  after: z.union([z.string().regex(/^\d+$/, 'after must be an integer'), z.number().int().min(0)]).optional(),
});
export type SearchRequest = z.output<typeof searchRequestSchema>;

export interface SearchOutcome {
  total: number;
  results: Snap[];
  nextAfter?: string;
}

type Predicate = (snap: Snap) => boolean;

interface Range {
  lower?: { key: number | string; inclusive: boolean };
  upper?: { key: number | string; inclusive: boolean };
}

const RANGE_OPERATORS: ReadonlySet<Operator> = new Set(['EQ', 'GT', 'GTE', 'LT', 'LTE', 'BETWEEN']);

export interface SearchContext {
  type: ObjectType;
  registry: PropertyRegistry;
  index: SearchIndex;
  /** Live associated ids of a record (associations are not lagged: they are not properties). */
  associated(from: ObjectType, id: string): readonly string[];
}

/** Checks the documented limits; throws HubSpot's 400 VALIDATION_ERROR. */
export function checkLimits(req: SearchRequest): { limit: number; after: number } {
  const groups = req.filterGroups ?? [];
  if (groups.length > MAX_GROUPS) throw badRequest(`Too many filter groups: ${groups.length}. The maximum is ${MAX_GROUPS}.`);
  for (const g of groups) {
    if (g.filters.length > MAX_FILTERS_PER_GROUP) throw badRequest(`Too many filters in a filter group: ${g.filters.length}. The maximum is ${MAX_FILTERS_PER_GROUP}.`);
  }
  const total = groups.reduce((n, g) => n + g.filters.length, 0);
  if (total > MAX_FILTERS) throw badRequest(`Too many filters: ${total}. The maximum is ${MAX_FILTERS} across all filter groups.`);
  if ((req.sorts ?? []).length > 1) throw badRequest('Only one sort is supported per search request.');
  const limit = req.limit ?? 10;
  if (limit > MAX_LIMIT) throw badRequest(`limit must be less than or equal to ${MAX_LIMIT}, was ${limit}`);
  const after = Number(req.after ?? 0);
  if (after >= MAX_RESULTS) throw tooDeep(after + limit);
  return { limit, after };
}

function tooDeep(upTo: number): Error {
  return badRequest(`Search results are limited to ${MAX_RESULTS} per query; this request would page to result ${upTo}.`);
}

/** Parses a filter value into the key space of the property (numbers for numeric/date types). */
function filterKey(def: PropertyDefinition, raw: string): number | string {
  switch (def.type) {
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || Number.isNaN(n)) throw badRequest(`${raw} is not a valid number for property ${def.name}`);
      return n;
    }
    case 'datetime':
    case 'date': {
      const ms = def.type === 'date' ? dateOnlyMs(raw) ?? datetimeMs(raw) : datetimeMs(raw);
      if (ms === null) throw badRequest(`${raw} is not a valid ${def.type} for property ${def.name}; use epoch milliseconds`);
      return ms;
    }
    case 'string':
      return raw.toLowerCase();
    case 'bool':
      return raw.toLowerCase();
    case 'enumeration':
      return raw; // enumeration filters are case-sensitive
  }
}

function tokenPattern(raw: string): RegExp {
  const escaped = raw.toLowerCase().split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${escaped}$`);
}

function need(f: Filter, field: 'value' | 'highValue'): string {
  const v = f[field];
  if (v === undefined) throw badRequest(`Filter on ${f.propertyName} with operator ${f.operator} requires ${field}`);
  return v;
}

function compileAssociationFilter(ctx: SearchContext, f: Filter): Predicate {
  const target = f.propertyName.slice('associations.'.length).toLowerCase();
  const other = ctx.type === 'contacts' ? ['deal', 'deals', '0-3'] : ['contact', 'contacts', '0-1'];
  if (!other.includes(target)) throw badRequest(`Unsupported association filter ${f.propertyName}`);
  const ids = (snap: Snap): readonly string[] => ctx.associated(ctx.type, snap.id);
  switch (f.operator) {
    case 'EQ': { const v = need(f, 'value'); return (s) => ids(s).includes(v); }
    case 'NEQ': { const v = need(f, 'value'); return (s) => !ids(s).includes(v); }
    case 'IN': { const set = new Set(f.values ?? []); return (s) => ids(s).some((id) => set.has(id)); }
    case 'NOT_IN': { const set = new Set(f.values ?? []); return (s) => !ids(s).some((id) => set.has(id)); }
    case 'HAS_PROPERTY': return (s) => ids(s).length > 0;
    case 'NOT_HAS_PROPERTY': return (s) => ids(s).length === 0;
    case 'LT': case 'LTE': case 'GT': case 'GTE': case 'BETWEEN': case 'CONTAINS_TOKEN': case 'NOT_CONTAINS_TOKEN':
      throw badRequest(`Operator ${f.operator} is not supported for ${f.propertyName}`);
  }
}

function compileFilter(ctx: SearchContext, f: Filter): Predicate {
  if (f.propertyName.startsWith('associations.')) return compileAssociationFilter(ctx, f);
  const def = ctx.registry.get(ctx.type, f.propertyName);
  if (def === undefined) throw badRequest(`Property ${f.propertyName} does not exist on object type ${ctx.type}`);
  const name = def.name;
  const type = def.type;
  const multi = def.type === 'enumeration' && def.fieldType === 'checkbox';
  const key = (s: Snap): SortKey => keyOf(s, name, type);
  const has = (s: Snap): boolean => s.props[name] !== undefined;
  const equals = (s: Snap, v: number | string): boolean => {
    if (multi) return (s.props[name] ?? '').split(';').includes(String(v));
    const k = key(s);
    return k !== null && compareKeys(k, v) === 0;
  };
  const inSet = (s: Snap, set: ReadonlySet<number | string>): boolean => {
    if (multi) return (s.props[name] ?? '').split(';').some((v) => set.has(v));
    const k = key(s);
    return k !== null && set.has(k);
  };
  const compare = (s: Snap, v: number | string, ok: (c: number) => boolean): boolean => {
    const k = key(s);
    return k !== null && ok(compareKeys(k, v));
  };
  const tokens = (s: Snap, re: RegExp): boolean => {
    const raw = s.props[name];
    if (raw === undefined) return false;
    const lower = raw.toLowerCase();
    return re.test(lower) || lower.split(/[\s,;]+/).some((t) => re.test(t));
  };
  // IN/NOT_IN values on string properties are compared as given: HubSpot requires them lowercase.
  const setOf = (): Set<number | string> =>
    new Set((f.values ?? []).map((v) => (type === 'string' ? v : filterKey(def, v))));
  switch (f.operator) {
    case 'EQ': { const v = filterKey(def, need(f, 'value')); return (s) => equals(s, v); }
    case 'NEQ': { const v = filterKey(def, need(f, 'value')); return (s) => !equals(s, v); }
    case 'LT': { const v = filterKey(def, need(f, 'value')); return (s) => compare(s, v, (c) => c < 0); }
    case 'LTE': { const v = filterKey(def, need(f, 'value')); return (s) => compare(s, v, (c) => c <= 0); }
    case 'GT': { const v = filterKey(def, need(f, 'value')); return (s) => compare(s, v, (c) => c > 0); }
    case 'GTE': { const v = filterKey(def, need(f, 'value')); return (s) => compare(s, v, (c) => c >= 0); }
    case 'BETWEEN': {
      const lo = filterKey(def, need(f, 'value'));
      const hi = filterKey(def, need(f, 'highValue'));
      return (s) => compare(s, lo, (c) => c >= 0) && compare(s, hi, (c) => c <= 0);
    }
    case 'IN': {
      if (f.values === undefined) throw badRequest(`Filter on ${name} with operator IN requires values`);
      const set = setOf();
      return (s) => inSet(s, set);
    }
    case 'NOT_IN': {
      if (f.values === undefined) throw badRequest(`Filter on ${name} with operator NOT_IN requires values`);
      const set = setOf();
      return (s) => !inSet(s, set);
    }
    case 'HAS_PROPERTY': return has;
    case 'NOT_HAS_PROPERTY': return (s) => !has(s);
    case 'CONTAINS_TOKEN': { const re = tokenPattern(need(f, 'value')); return (s) => tokens(s, re); }
    case 'NOT_CONTAINS_TOKEN': { const re = tokenPattern(need(f, 'value')); return (s) => !tokens(s, re); }
  }
}

function compileQuery(ctx: SearchContext, query: string | undefined): Predicate | undefined {
  const words = (query ?? '').toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return undefined;
  const fields = QUERY_PROPERTIES[ctx.type];
  return (s) => words.every((w) => fields.some((f) => {
    const v = s.props[f]?.toLowerCase();
    return v !== undefined && (v.startsWith(w) || v.split(/[\s@.,;_-]+/).some((t) => t.startsWith(w)));
  }));
}

/** Range filters on the sort property become bounds on its sorted index and are not re-checked. */
function extractRange(ctx: SearchContext, sortName: string, filters: readonly Filter[]): { range: Range | undefined; rest: Filter[] } {
  const def = ctx.registry.get(ctx.type, sortName);
  if (def === undefined || (def.type === 'enumeration' && def.fieldType === 'checkbox')) return { range: undefined, rest: [...filters] };
  const range: Range = {};
  const rest: Filter[] = [];
  let used = false;
  const tighterLower = (key: number | string, inclusive: boolean): void => {
    const c = range.lower === undefined ? 1 : compareKeys(key, range.lower.key);
    if (c > 0 || (c === 0 && !inclusive)) range.lower = { key, inclusive };
  };
  const tighterUpper = (key: number | string, inclusive: boolean): void => {
    const c = range.upper === undefined ? -1 : compareKeys(key, range.upper.key);
    if (c < 0 || (c === 0 && !inclusive)) range.upper = { key, inclusive };
  };
  for (const f of filters) {
    if (f.propertyName !== sortName || !RANGE_OPERATORS.has(f.operator)) {
      rest.push(f);
      continue;
    }
    used = true;
    const v = filterKey(def, need(f, 'value'));
    switch (f.operator) {
      case 'EQ': tighterLower(v, true); tighterUpper(v, true); break;
      case 'GT': tighterLower(v, false); break;
      case 'GTE': tighterLower(v, true); break;
      case 'LT': tighterUpper(v, false); break;
      case 'LTE': tighterUpper(v, true); break;
      case 'BETWEEN': tighterLower(v, true); tighterUpper(filterKey(def, need(f, 'highValue')), true); break;
      case 'NEQ': case 'IN': case 'NOT_IN': case 'HAS_PROPERTY': case 'NOT_HAS_PROPERTY': case 'CONTAINS_TOKEN': case 'NOT_CONTAINS_TOKEN':
        break; // not range operators (filtered out above)
    }
  }
  return { range: used ? range : undefined, rest };
}

/** The smallest range containing all of them, or undefined if any is unbounded everywhere. */
function hull(ranges: readonly (Range | undefined)[]): Range | undefined {
  const out: Range = {};
  let lowerOpen = false;
  let upperOpen = false;
  for (const r of ranges) {
    if (r === undefined) return undefined;
    if (r.lower === undefined) lowerOpen = true;
    else if (out.lower === undefined || compareKeys(r.lower.key, out.lower.key) < 0) out.lower = { ...r.lower };
    else if (compareKeys(r.lower.key, out.lower.key) === 0) out.lower.inclusive ||= r.lower.inclusive;
    if (r.upper === undefined) upperOpen = true;
    else if (out.upper === undefined || compareKeys(r.upper.key, out.upper.key) > 0) out.upper = { ...r.upper };
    else if (compareKeys(r.upper.key, out.upper.key) === 0) out.upper.inclusive ||= r.upper.inclusive;
  }
  if (lowerOpen) delete out.lower;
  if (upperOpen) delete out.upper;
  return out;
}

/** Ids in result order: a sorted index (optionally a slice of it) or creation order. */
interface Sequence {
  length: number;
  at(i: number): number;
}

function indexSequence(idx: SortedIndex, range: Range | undefined, descending: boolean): Sequence {
  const lo = range?.lower === undefined ? 0 : idx.bound(range.lower.key, !range.lower.inclusive);
  const hi = range?.upper === undefined ? idx.keys.length : idx.bound(range.upper.key, range.upper.inclusive);
  const count = Math.max(0, hi - lo);
  // Records without a value come last in either direction and never satisfy a range.
  const nulls = range === undefined ? idx.nulls : [];
  return {
    length: count + nulls.length,
    at: (i) => (i < count ? idx.nums[descending ? hi - 1 - i : lo + i] : nulls[i - count]),
  };
}

export function runSearch(ctx: SearchContext, req: SearchRequest, now: number): SearchOutcome {
  const { limit, after } = checkLimits(req);
  ctx.index.catchUp(now);
  const groups = (req.filterGroups ?? []).filter((g) => g.filters.length > 0);
  const sort = req.sorts?.[0];
  if (sort !== undefined && ctx.registry.get(ctx.type, sort.propertyName) === undefined) {
    throw badRequest(`Cannot sort on property ${sort.propertyName}: it does not exist on object type ${ctx.type}`);
  }
  let sequence: Sequence;
  let residual: Filter[][] = groups.map((g) => g.filters);
  if (sort !== undefined) {
    const parts = groups.map((g) => extractRange(ctx, sort.propertyName, g.filters));
    let range: Range | undefined;
    if (parts.length === 1) {
      range = parts[0].range;
      residual = [parts[0].rest];
    } else if (parts.length > 1) {
      // Every OR-group bounded on the sort property (an incremental sync's window in each group):
      // walk the hull of the bounds and re-check every group's filters within it.
      range = hull(parts.map((p) => p.range));
    }
    sequence = indexSequence(ctx.index.sortedBy(sort.propertyName), range, sort.direction === 'DESCENDING');
  } else {
    const order = ctx.index.creationOrder();
    sequence = { length: order.length, at: (i) => order[i] };
  }
  const compiled = residual.map((filters) => filters.map((f) => compileFilter(ctx, f))).filter((g) => g.length > 0);
  const queryMatch = compileQuery(ctx, req.query);
  const snapAt = (i: number): Snap => {
    const snap = ctx.index.at(sequence.at(i));
    if (snap === undefined) throw new Error('search index out of sync');
    return snap;
  };
  const results: Snap[] = [];
  let total = 0;
  if (compiled.length === 0 && queryMatch === undefined) {
    total = sequence.length;
    for (let i = after; i < Math.min(total, after + limit); i++) results.push(snapAt(i));
  } else {
    const matches = (s: Snap): boolean =>
      (compiled.length === 0 || compiled.some((g) => g.every((p) => p(s)))) && (queryMatch === undefined || queryMatch(s));
    for (let i = 0; i < sequence.length; i++) {
      const s = snapAt(i);
      if (!matches(s)) continue;
      if (total >= after && results.length < limit) results.push(s);
      total++;
    }
  }
  // Only 10,000 results of a query can be paged to.
  if (after + limit > MAX_RESULTS && total > MAX_RESULTS) throw tooDeep(after + limit);
  const next = after + limit;
  return { total, results, ...(limit > 0 && next < total ? { nextAfter: String(next) } : {}) };
}
