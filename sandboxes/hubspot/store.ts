/**
 * In-memory records. A record version is an immutable snapshot, so the search index can keep serving an
 * older version while a write is "not yet indexed" (search lag) without copying anything.
 */
import type { ObjectType } from './schema.ts';

export type SortKey = number | string | null;

export interface Snap {
  readonly id: string;
  readonly num: number;
  readonly props: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly archived: boolean;
  readonly archivedAt?: number;
  /** Parsed sort/filter keys, filled lazily by search; never stale because the snapshot never changes. */
  keys?: Map<string, SortKey>;
}

/**
 * Records of one type in creation order. Ids are consecutive from `base`, so an id is also its position:
 * list pages and id lookups are O(1) whatever the table size.
 */
export class ObjectTable {
  readonly type: ObjectType;
  readonly base: number;
  private readonly rows: Snap[] = [];

  constructor(type: ObjectType, base: number) {
    this.type = type;
    this.base = base;
  }

  get length(): number {
    return this.rows.length;
  }

  nextNum(): number {
    return this.base + this.rows.length;
  }

  /** Position of an id (which may be past the end), or null if it is not one of this table's ids. */
  position(id: string): number | null {
    if (!/^\d{1,15}$/.test(id)) return null;
    const pos = Number(id) - this.base;
    return pos >= 0 ? pos : null;
  }

  get(id: string): Snap | undefined {
    const pos = this.position(id);
    return pos === null ? undefined : this.rows[pos];
  }

  at(pos: number): Snap | undefined {
    return this.rows[pos];
  }

  put(snap: Snap): void {
    const pos = snap.num - this.base;
    if (pos === this.rows.length) this.rows.push(snap);
    else if (pos >= 0 && pos < this.rows.length) this.rows[pos] = snap;
    else throw new Error(`id ${snap.id} out of sequence`);
  }

  ids(): string[] {
    return this.rows.filter((r) => !r.archived).map((r) => r.id);
  }
}

function insertSorted(list: string[], id: string): boolean {
  const n = Number(id);
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Number(list[mid]) < n) lo = mid + 1;
    else hi = mid;
  }
  if (list[lo] === id) return false;
  list.splice(lo, 0, id);
  return true;
}

/**
 * Associations between two object types (contacts–deals, companies–deals), both directions, each list
 * sorted by id (stable paging). `left` ids are the first argument of add/remove.
 */
export class Associations {
  readonly left: ObjectType;
  readonly right: ObjectType;
  private readonly rightOfLeft = new Map<string, string[]>();
  private readonly leftOfRight = new Map<string, string[]>();
  private readonly listeners: ((leftId: string, rightId: string, removed: boolean) => void)[] = [];

  constructor(left: ObjectType, right: ObjectType) {
    this.left = left;
    this.right = right;
  }

  /** Told of every association added or removed (webhooks' associationChange). */
  onChange(listener: (leftId: string, rightId: string, removed: boolean) => void): void {
    this.listeners.push(listener);
  }

  add(leftId: string, rightId: string): boolean {
    const rights = this.rightOfLeft.get(leftId) ?? [];
    const lefts = this.leftOfRight.get(rightId) ?? [];
    this.rightOfLeft.set(leftId, rights);
    this.leftOfRight.set(rightId, lefts);
    const added = insertSorted(rights, rightId);
    insertSorted(lefts, leftId);
    if (added) for (const l of this.listeners) l(leftId, rightId, false);
    return added;
  }

  remove(leftId: string, rightId: string): boolean {
    const rights = this.rightOfLeft.get(leftId) ?? [];
    const lefts = this.leftOfRight.get(rightId) ?? [];
    const at = rights.indexOf(rightId);
    if (at < 0) return false;
    rights.splice(at, 1);
    const c = lefts.indexOf(leftId);
    if (c >= 0) lefts.splice(c, 1);
    for (const l of this.listeners) l(leftId, rightId, true);
    return true;
  }

  /** Ids of the other type associated with `id` of type `from`. */
  of(from: ObjectType, id: string): readonly string[] {
    return (from === this.left ? this.rightOfLeft.get(id) : this.leftOfRight.get(id)) ?? [];
  }

  /** Adds or removes with the ids in either order: `fromId` is of type `from`. */
  set(from: ObjectType, fromId: string, toId: string, present: boolean): boolean {
    const [l, r] = from === this.left ? [fromId, toId] : [toId, fromId];
    return present ? this.add(l, r) : this.remove(l, r);
  }
}

/** The type a two-type caller means: contacts and companies ↔ deals, deals → contacts. */
export function defaultOther(type: ObjectType): ObjectType {
  return type === 'deals' ? 'contacts' : 'deals';
}

/** Id ranges differ per type so a contact id used as a deal id is caught rather than silently matched. */
export const ID_BASE: Record<ObjectType, number> = { contacts: 1001, companies: 90_000_001, deals: 5_000_001 };

export class Store {
  readonly contacts = new ObjectTable('contacts', ID_BASE.contacts);
  readonly companies = new ObjectTable('companies', ID_BASE.companies);
  readonly deals = new ObjectTable('deals', ID_BASE.deals);
  /** Contact–deal associations (left: contacts). */
  readonly associations = new Associations('contacts', 'deals');
  /** Company–deal associations (left: companies). Contact–company ones are not modelled. */
  readonly companyDeals = new Associations('companies', 'deals');
  /** Lower-cased email → contact id (contact emails are unique in HubSpot). */
  readonly emails = new Map<string, string>();

  table(type: ObjectType): ObjectTable {
    return type === 'contacts' ? this.contacts : type === 'companies' ? this.companies : this.deals;
  }

  /** The associations between two types, or undefined where the sandbox models none. */
  pair(from: ObjectType, to: ObjectType): Associations | undefined {
    for (const p of [this.associations, this.companyDeals]) if ((p.left === from && p.right === to) || (p.left === to && p.right === from)) return p;
    return undefined;
  }

  /**
   * Live records of type `to` associated with `id`: archiving a record removes it from its associations'
   * lists. `to` defaults to deals for contacts and companies, and to contacts for deals.
   */
  associated(from: ObjectType, id: string, to: ObjectType = defaultOther(from)): readonly string[] {
    const ids = this.pair(from, to)?.of(from, id) ?? [];
    const other = this.table(to);
    return ids.every((x) => other.get(x)?.archived === false) ? ids : ids.filter((x) => other.get(x)?.archived === false);
  }
}
