/**
 * What search sees: a lagged copy of the records (writes become visible `lagMs` after they happen, as
 * HubSpot's CRM search guide warns) plus sorted indexes per property, built on first use and then maintained incrementally,
 * so a sorted search page costs O(log n + page) instead of a sort of the whole table.
 */
import type { PropertyRegistry } from './properties.ts';
import type { ObjectType, PropertyType } from './schema.ts';
import { ID_BASE, type Snap, type SortKey } from './store.ts';
import { dateOnlyMs } from './validation.ts';

/**
 * A property's value as search compares it: numbers for numeric and date types, lower case for strings.
 * Date parses are cached on the snapshot (the expensive part of filtering on timestamps); a snapshot
 * never changes, and date and datetime parse the same way, so a cached value cannot go stale.
 */
export function keyOf(snap: Snap, name: string, type: PropertyType | undefined): SortKey {
  const raw = snap.props[name];
  if (raw === undefined || type === undefined) return null;
  switch (type) {
    case 'string': return raw.toLowerCase();
    case 'bool':
    case 'enumeration': return raw;
    case 'number': {
      const n = Number(raw);
      return Number.isNaN(n) ? null : n;
    }
    case 'date':
    case 'datetime': {
      const cached = snap.keys?.get(name);
      if (cached !== undefined) return cached;
      const ms = dateOnlyMs(raw) ?? Date.parse(raw);
      const key = Number.isNaN(ms) ? null : ms;
      snap.keys ??= new Map();
      snap.keys.set(name, key);
      return key;
    }
  }
}

export function compareKeys(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function lowerBoundNum(list: readonly number[], n: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Records with a value, sorted by (key, id); records without one, sorted by id. */
export class SortedIndex {
  readonly keys: (number | string)[] = [];
  readonly nums: number[] = [];
  readonly nulls: number[] = [];

  /** First position whose (key, num) is ≥ (key, num) — or > key when `after` is set and num is ignored. */
  bound(key: number | string, afterKey: boolean, num = -Infinity): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareKeys(this.keys[mid], key);
      const before = afterKey ? c <= 0 : c < 0 || (c === 0 && this.nums[mid] < num);
      if (before) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(key: SortKey, num: number): void {
    if (key === null) {
      this.nulls.splice(lowerBoundNum(this.nulls, num), 0, num);
      return;
    }
    const at = this.bound(key, false, num);
    this.keys.splice(at, 0, key);
    this.nums.splice(at, 0, num);
  }

  remove(key: SortKey, num: number): void {
    if (key === null) {
      const at = lowerBoundNum(this.nulls, num);
      if (this.nulls[at] === num) this.nulls.splice(at, 1);
      return;
    }
    const at = this.bound(key, false, num);
    if (this.nums[at] === num) {
      this.keys.splice(at, 1);
      this.nums.splice(at, 1);
    }
  }
}

interface Pending {
  snap: Snap;
  at: number;
}

export class SearchIndex {
  readonly type: ObjectType;
  private readonly registry: PropertyRegistry;
  private readonly lagMs: number;
  private readonly base: number;
  /** Visible snapshots by id − base (ids are dense): lookups without string conversions or hashing. */
  private readonly rows: (Snap | undefined)[] = [];
  private count = 0;
  /** Ids (as numbers) of visible records in creation order: the default result order. */
  private readonly order: number[] = [];
  private pending: Pending[] = [];
  private head = 0;
  private readonly sorted = new Map<string, SortedIndex>();

  constructor(type: ObjectType, registry: PropertyRegistry, lagMs: number) {
    this.type = type;
    this.base = ID_BASE[type];
    this.registry = registry;
    this.lagMs = lagMs;
  }

  enqueue(snap: Snap, now: number): void {
    this.pending.push({ snap, at: now + this.lagMs });
    // Without searches nothing drains the queue; bound it so superseded snapshots can be collected.
    if (this.pending.length - this.head > 50_000) this.catchUp(now);
  }

  /** Drops the index of a property whose definition changed (keys may now compare differently). */
  invalidate(name: string): void {
    this.sorted.delete(name);
  }

  /** Makes every write whose lag has elapsed visible. */
  catchUp(now: number): void {
    let end = this.head;
    while (end < this.pending.length && this.pending[end].at <= now) end++;
    // A bulk load is cheaper to re-sort later than to splice in one record at a time.
    if (end - this.head > Math.max(1000, this.count / 20)) this.sorted.clear();
    for (let i = this.head; i < end; i++) this.apply(this.pending[i].snap);
    this.head = end;
    if (this.head > 4096 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  }

  private apply(snap: Snap): void {
    const old = this.rows[snap.num - this.base];
    if (old !== undefined) for (const [name, idx] of this.sorted) this.move(idx, name, old, snap.archived ? undefined : snap);
    if (snap.archived) {
      if (old !== undefined) {
        this.rows[snap.num - this.base] = undefined;
        this.count--;
        const at = lowerBoundNum(this.order, snap.num);
        if (this.order[at] === snap.num) this.order.splice(at, 1);
      }
      return;
    }
    while (this.rows.length < snap.num - this.base) this.rows.push(undefined);
    this.rows[snap.num - this.base] = snap;
    if (old === undefined) {
      this.count++;
      const last = this.order[this.order.length - 1];
      if (last === undefined || last < snap.num) this.order.push(snap.num);
      else this.order.splice(lowerBoundNum(this.order, snap.num), 0, snap.num);
      for (const [name, idx] of this.sorted) idx.insert(keyOf(snap, name, this.propertyType(name)), snap.num);
    }
  }

  private move(idx: SortedIndex, name: string, old: Snap, next: Snap | undefined): void {
    const type = this.propertyType(name);
    const before = keyOf(old, name, type);
    const after = next === undefined ? undefined : keyOf(next, name, type);
    if (after !== undefined && before === after) return;
    idx.remove(before, old.num);
    if (after !== undefined && next !== undefined) idx.insert(after, next.num);
  }

  private propertyType(name: string): PropertyType | undefined {
    return this.registry.get(this.type, name)?.type;
  }

  /** The visible snapshot of a record, by numeric id. */
  at(num: number): Snap | undefined {
    return this.rows[num - this.base];
  }

  /** Visible ids in creation order. */
  creationOrder(): readonly number[] {
    return this.order;
  }

  sortedBy(name: string): SortedIndex {
    const existing = this.sorted.get(name);
    if (existing !== undefined) return existing;
    const type = this.propertyType(name);
    const idx = new SortedIndex();
    const withKeys: { key: number | string; num: number }[] = [];
    for (const num of this.order) {
      const snap = this.rows[num - this.base];
      if (snap === undefined) continue;
      const key = keyOf(snap, name, type);
      if (key === null) idx.nulls.push(num);
      else withKeys.push({ key, num });
    }
    withKeys.sort((a, b) => compareKeys(a.key, b.key) || a.num - b.num);
    for (const e of withKeys) {
      idx.keys.push(e.key);
      idx.nums.push(e.num);
    }
    this.sorted.set(name, idx);
    return idx;
  }
}
