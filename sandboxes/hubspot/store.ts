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

/** Contact–deal associations, both directions, each list sorted by id (stable paging). */
export class Associations {
  private readonly dealsOfContact = new Map<string, string[]>();
  private readonly contactsOfDeal = new Map<string, string[]>();
  private readonly listeners: ((contactId: string, dealId: string, removed: boolean) => void)[] = [];

  /** Told of every association added or removed (webhooks' associationChange). */
  onChange(listener: (contactId: string, dealId: string, removed: boolean) => void): void {
    this.listeners.push(listener);
  }

  add(contactId: string, dealId: string): boolean {
    const deals = this.dealsOfContact.get(contactId) ?? [];
    const contacts = this.contactsOfDeal.get(dealId) ?? [];
    this.dealsOfContact.set(contactId, deals);
    this.contactsOfDeal.set(dealId, contacts);
    const added = insertSorted(deals, dealId);
    insertSorted(contacts, contactId);
    if (added) for (const l of this.listeners) l(contactId, dealId, false);
    return added;
  }

  remove(contactId: string, dealId: string): boolean {
    const deals = this.dealsOfContact.get(contactId) ?? [];
    const contacts = this.contactsOfDeal.get(dealId) ?? [];
    const at = deals.indexOf(dealId);
    if (at < 0) return false;
    deals.splice(at, 1);
    const c = contacts.indexOf(contactId);
    if (c >= 0) contacts.splice(c, 1);
    for (const l of this.listeners) l(contactId, dealId, true);
    return true;
  }

  /** Ids of the other type associated with `id` of type `from`. */
  of(from: ObjectType, id: string): readonly string[] {
    return (from === 'contacts' ? this.dealsOfContact.get(id) : this.contactsOfDeal.get(id)) ?? [];
  }
}

/** Id ranges differ per type so a contact id used as a deal id is caught rather than silently matched. */
export const ID_BASE: Record<ObjectType, number> = { contacts: 1001, deals: 5_000_001 };

export class Store {
  readonly contacts = new ObjectTable('contacts', ID_BASE.contacts);
  readonly deals = new ObjectTable('deals', ID_BASE.deals);
  readonly associations = new Associations();
  /** Lower-cased email → contact id (contact emails are unique in HubSpot). */
  readonly emails = new Map<string, string>();

  table(type: ObjectType): ObjectTable {
    return type === 'contacts' ? this.contacts : this.deals;
  }

  /** Live records associated with `id`: archiving a record removes it from its associations' lists. */
  associated(from: ObjectType, id: string): readonly string[] {
    const ids = this.associations.of(from, id);
    const other = this.table(from === 'contacts' ? 'deals' : 'contacts');
    return ids.every((x) => other.get(x)?.archived === false) ? ids : ids.filter((x) => other.get(x)?.archived === false);
  }
}
