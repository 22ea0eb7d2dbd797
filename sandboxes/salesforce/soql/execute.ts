/**
 * Runs a compiled query over the tables. Where the WHERE clause allows, it reads only part of a table:
 * listed ids, children of listed parents (through the reference index), or a key range of a sorted
 * index — the first ORDER BY field's, or SystemModstamp/LastModifiedDate/CreatedDate/Id. Everything else
 * is a scan, which is fine at benchmark scale (hundreds of thousands of records in milliseconds).
 */
import type { FieldDef, Value } from '../schema.ts';
import type { Rec, Store, Table } from '../store.ts';
import { sortKey, toJson } from '../values.ts';
import type { CompiledQuery, OrderKey } from './compile.ts';
import { compareKeys } from '../orderedIndex.ts';

const RANGE_INDEXED = new Set(['SystemModstamp', 'LastModifiedDate', 'CreatedDate', 'Id']);

interface Candidates {
  seqs: Iterable<number>;
  /** Already in the order of the first ORDER BY key. */
  ordered: boolean;
}

function candidates(table: Table, q: CompiledQuery): Candidates {
  const { hints } = q;
  if (hints.ids !== undefined) {
    const seqs = [...hints.ids].map((id) => table.seqOf(id)).filter((s): s is number => s !== undefined).sort((a, b) => a - b);
    return { seqs, ordered: false };
  }
  if (hints.parents !== undefined && table.hasChildIndex(hints.parents.field.name)) {
    const seqs = new Set<number>();
    for (const id of hints.parents.ids) for (const s of table.childSeqs(hints.parents.field.name, id)) seqs.add(s);
    return { seqs: [...seqs].sort((a, b) => a - b), ordered: false };
  }
  const first = q.order[0] as OrderKey | undefined;
  if (first !== undefined && first.path.steps.length === 0) {
    const range = hints.ranges.get(first.path.field) ?? {};
    return { seqs: table.index(first.path.field).scan({ ...range, descending: first.descending, nulls: first.nullsFirst ? 'first' : 'last' }), ordered: true };
  }
  for (const [field, range] of hints.ranges) {
    if (RANGE_INDEXED.has(field.name)) return { seqs: table.index(field).scan(range), ordered: false };
  }
  return { seqs: allSeqs(table.size), ordered: false };
}

function* allSeqs(n: number): Generator<number> {
  for (let s = 0; s < n; s++) yield s;
}

function comparator(order: readonly OrderKey[], from: number): (a: { rec: Rec; seq: number }, b: { rec: Rec; seq: number }) => number {
  const descFirst = order[0]?.descending === true;
  return (a, b) => {
    for (let i = from; i < order.length; i++) {
      const k = order[i];
      const va = sortKey(k.path.field, k.path.get(a.rec));
      const vb = sortKey(k.path.field, k.path.get(b.rec));
      if (va === vb) continue;
      if (va === null) return k.nullsFirst ? -1 : 1;
      if (vb === null) return k.nullsFirst ? 1 : -1;
      const c = compareKeys(va, vb);
      return k.descending ? -c : c;
    }
    // Ties keep id order, in the direction of the first key.
    return descFirst ? b.seq - a.seq : a.seq - b.seq;
  };
}

/**
 * ORDER BY without a trailing `Id` key that repeats what the index already gives: ties of the first key
 * come in id order, in that key's direction (`ORDER BY SystemModstamp, Id`, the incremental-sync idiom).
 */
function effectiveOrder(order: readonly OrderKey[]): OrderKey[] {
  const [first, second] = order;
  if (order.length === 2 && second.path.steps.length === 0 && second.path.field.type === 'id' && second.descending === first.descending) return [first];
  return [...order];
}

/** The matching records, ordered, with OFFSET and LIMIT applied. */
export function selectRecords(store: Store, compiled: CompiledQuery): Rec[] {
  const q = { ...compiled, order: effectiveOrder(compiled.order) };
  const table = store.table(q.object.def.name);
  const { seqs, ordered } = candidates(table, q);
  const wanted = q.limit === undefined ? Infinity : q.offset + q.limit;
  const canStop = q.order.length === 0 || (ordered && q.order.length === 1);
  const matches: { rec: Rec; seq: number }[] = [];
  for (const seq of seqs) {
    const rec = table.at(seq);
    if (rec === undefined || (!q.scanAll && rec.IsDeleted === true) || !q.predicate(rec)) continue;
    matches.push({ rec, seq });
    if (canStop && matches.length >= wanted) break;
  }
  if (q.order.length > 0 && !ordered) matches.sort(comparator(q.order, 0));
  else if (q.order.length > 1) sortTies(matches, q.order);
  const end = q.limit === undefined ? matches.length : Math.min(matches.length, q.offset + q.limit);
  return matches.slice(q.offset, end).map((m) => m.rec);
}

/** Matches came sorted by the first key only: sort each run of equal first keys by the others. */
function sortTies(matches: { rec: Rec; seq: number }[], order: readonly OrderKey[]): void {
  const first = order[0];
  const cmp = comparator(order, 1);
  let start = 0;
  const keyAt = (i: number) => sortKey(first.path.field, first.path.get(matches[i].rec));
  for (let i = 1; i <= matches.length; i++) {
    if (i < matches.length && keyAt(i) === keyAt(start)) continue;
    if (i - start > 1) {
      const run = matches.slice(start, i).sort(cmp);
      matches.splice(start, run.length, ...run);
    }
    start = i;
  }
}

export function countRecords(store: Store, q: CompiledQuery): number {
  return selectRecords(store, { ...q, order: [] }).length;
}

interface Accumulator {
  count: number;
  distinct: Set<Value>;
  min: Value;
  max: Value;
  sum: number;
  numbers: number;
}

function accumulate(acc: Accumulator, field: FieldDef, v: Value): void {
  if (v === null) return;
  acc.count++;
  acc.distinct.add(typeof v === 'string' ? v.toUpperCase() : v);
  const k = sortKey(field, v);
  if (acc.min === null || compareKeys(k, sortKey(field, acc.min)) < 0) acc.min = v;
  if (acc.max === null || compareKeys(k, sortKey(field, acc.max)) > 0) acc.max = v;
  if (typeof v === 'number') {
    acc.sum += v;
    acc.numbers++;
  }
}

/** GROUP BY and aggregate functions: rows as REST returns them (AggregateResult). */
export function aggregateRows(store: Store, q: CompiledQuery): Record<string, unknown>[] {
  const groups = new Map<string, { rec: Rec; accs: Accumulator[] }>();
  for (const rec of selectRecords(store, { ...q, order: [], limit: undefined, offset: 0 })) {
    const key = JSON.stringify(q.groupBy.map((g) => sortKey(g.field, g.get(rec))));
    let group = groups.get(key);
    if (group === undefined) {
      group = { rec, accs: q.aggregates.map(() => ({ count: 0, distinct: new Set(), min: null, max: null, sum: 0, numbers: 0 })) };
      groups.set(key, group);
    }
    q.aggregates.forEach((a, i) => {
      if (a.path !== undefined && group !== undefined) accumulate(group.accs[i], a.path.field, a.path.get(rec));
    });
  }
  let rows = [...groups.values()];
  if (q.order.length > 0) {
    const cmp = comparator(q.order, 0);
    rows = rows.map((r, seq) => ({ r, seq })).sort((a, b) => cmp({ rec: a.r.rec, seq: a.seq }, { rec: b.r.rec, seq: b.seq })).map((x) => x.r);
  }
  const out = rows.map(({ rec, accs }) => {
    const row: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
    for (const g of q.groupBy) row[g.field.name] = toJson(g.field, g.get(rec));
    q.aggregates.forEach((a, i) => {
      const acc = accs[i];
      const field = a.path?.field;
      switch (a.fn) {
        case 'COUNT':
          row[a.key] = acc.count;
          break;
        case 'COUNT_DISTINCT':
          row[a.key] = acc.distinct.size;
          break;
        case 'MIN':
          row[a.key] = field === undefined ? null : toJson(field, acc.min);
          break;
        case 'MAX':
          row[a.key] = field === undefined ? null : toJson(field, acc.max);
          break;
        case 'SUM':
          row[a.key] = acc.numbers === 0 ? null : acc.sum;
          break;
        case 'AVG':
          row[a.key] = acc.numbers === 0 ? null : acc.sum / acc.numbers;
          break;
      }
    });
    return row;
  });
  // Without GROUP BY, an aggregate over no records still answers one row.
  if (q.groupBy.length === 0 && out.length === 0) {
    const row: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
    for (const a of q.aggregates) row[a.key] = a.fn === 'COUNT' || a.fn === 'COUNT_DISTINCT' ? 0 : null;
    out.push(row);
  }
  const end = q.limit === undefined ? out.length : q.offset + q.limit;
  return out.slice(q.offset, end);
}
