/**
 * Records, one table per object. A record is an immutable snapshot (a write stores a new object; records
 * are never changed in place, by convention rather than Object.freeze, which costs memory and time at
 * benchmark scale), so a query cursor that holds the records it matched serves later pages as of the
 * query, without copies.
 * Rows are kept in creation order, which is also Id order (ids are consecutive per object).
 */
import { IdAllocator, sequenceOf } from './ids.ts';
import { OrderedIndex, type IndexKey } from './orderedIndex.ts';
import type { SchemaRegistry } from './registry.ts';
import type { FieldDef, Value } from './schema.ts';
import { sortKey } from './values.ts';

export type Rec = Readonly<Record<string, Value>>;

const UNINDEXED_REFERENCES = new Set(['OwnerId', 'CreatedById', 'LastModifiedById']);

export class Table {
  readonly objectName: string;
  readonly keyPrefix: string;
  /** Position = the id's sequence number − 1 (ids are consecutive per object): no id → row map needed. */
  private readonly rows: (Rec | undefined)[] = [];
  /** Reference field (lower case) → children by the parent's sequence number: a lone child as a number
   * (most opportunities have one contact role), several as an array. */
  private readonly children = new Map<string, { parentPrefix: string; byParent: (number | number[] | undefined)[] }>();
  private readonly indexes = new Map<string, { index: OrderedIndex; field: FieldDef }>();
  private readonly referenceFields: readonly { name: string; lower: string; parentPrefix: string }[];

  constructor(objectName: string, keyPrefix: string, referenceFields: readonly { name: string; parentPrefix: string }[]) {
    this.objectName = objectName;
    this.keyPrefix = keyPrefix;
    this.referenceFields = referenceFields.map((f) => ({ ...f, lower: f.name.toLowerCase() }));
    for (const f of this.referenceFields) this.children.set(f.lower, { parentPrefix: f.parentPrefix, byParent: [] });
  }

  get size(): number {
    return this.rows.length;
  }

  seqOf(id: string): number | undefined {
    if (!id.startsWith(this.keyPrefix)) return undefined;
    const n = sequenceOf(id);
    if (n === undefined || n < 1 || n > this.rows.length || this.rows[n - 1]?.Id !== id) return undefined;
    return n - 1;
  }

  get(id: string): Rec | undefined {
    const seq = this.seqOf(id);
    return seq === undefined ? undefined : this.rows[seq];
  }

  at(seq: number): Rec | undefined {
    return this.rows[seq];
  }

  insert(rec: Rec): void {
    const id = String(rec.Id);
    const seq = this.rows.length;
    if (sequenceOf(id) !== seq + 1 || !id.startsWith(this.keyPrefix)) throw new Error(`${this.objectName} ids must be allocated in order: ${id}`);
    this.rows.push(rec);
    for (const f of this.referenceFields) this.link(f.lower, rec[f.name], seq);
    if (this.indexes.size > 0) for (const { index, field } of this.indexes.values()) index.update(seq, undefined, sortKey(field, rec[field.name]));
  }

  replace(rec: Rec): Rec {
    const id = String(rec.Id);
    const seq = this.seqOf(id);
    const before = seq === undefined ? undefined : this.rows[seq];
    if (seq === undefined || before === undefined) throw new Error(`no ${this.objectName} ${id}`);
    this.rows[seq] = rec;
    for (const f of this.referenceFields) {
      if (before[f.name] !== rec[f.name]) {
        this.unlink(f.lower, before[f.name], seq);
        this.link(f.lower, rec[f.name], seq);
      }
    }
    for (const { index, field } of this.indexes.values()) index.update(seq, sortKey(field, before[field.name]), sortKey(field, rec[field.name]));
    return before;
  }

  /** Removes a record for good (a hard delete: gone from queryAll too). */
  remove(id: string): void {
    const seq = this.seqOf(id);
    const before = seq === undefined ? undefined : this.rows[seq];
    if (seq === undefined || before === undefined) return;
    this.rows[seq] = undefined;
    for (const f of this.referenceFields) this.unlink(f.lower, before[f.name], seq);
    for (const { index, field } of this.indexes.values()) index.update(seq, sortKey(field, before[field.name]), undefined);
  }

  /** Seqs of the records whose reference field holds this parent id (deleted ones included). */
  childSeqs(referenceField: string, parentId: string): readonly number[] {
    const entry = this.children.get(referenceField.toLowerCase());
    const parent = entry === undefined || !parentId.startsWith(entry.parentPrefix) ? undefined : sequenceOf(parentId);
    const found = entry === undefined || parent === undefined ? undefined : entry.byParent[parent];
    return found === undefined ? [] : typeof found === 'number' ? [found] : found;
  }

  hasChildIndex(referenceField: string): boolean {
    return this.children.has(referenceField.toLowerCase());
  }

  index(field: FieldDef): OrderedIndex {
    const key = field.name.toLowerCase();
    let entry = this.indexes.get(key);
    if (entry === undefined) {
      const keyOf = (seq: number): IndexKey | undefined => {
        const rec = this.rows[seq];
        return rec === undefined ? undefined : sortKey(field, rec[field.name]);
      };
      entry = { index: new OrderedIndex(keyOf, () => this.rows.length), field };
      this.indexes.set(key, entry);
    }
    return entry.index;
  }

  /** Drops indexes of a field whose definition changed (a custom field re-created with another type). */
  dropIndex(fieldName: string): void {
    this.indexes.delete(fieldName.toLowerCase());
  }

  private link(field: string, parent: Value | undefined, seq: number): void {
    if (typeof parent !== 'string') return;
    const entry = this.children.get(field);
    const p = entry === undefined || !parent.startsWith(entry.parentPrefix) ? undefined : sequenceOf(parent);
    if (entry === undefined || p === undefined) return;
    const found = entry.byParent[p];
    if (found === undefined) entry.byParent[p] = seq;
    else if (typeof found === 'number') entry.byParent[p] = [found, seq];
    else found.push(seq);
  }

  private unlink(field: string, parent: Value | undefined, seq: number): void {
    if (typeof parent !== 'string') return;
    const entry = this.children.get(field);
    const p = entry === undefined || !parent.startsWith(entry.parentPrefix) ? undefined : sequenceOf(parent);
    if (entry === undefined || p === undefined) return;
    const found = entry.byParent[p];
    if (found === undefined) return;
    if (typeof found === 'number') {
      if (found === seq) entry.byParent[p] = undefined;
      return;
    }
    const at = found.indexOf(seq);
    if (at >= 0) found.splice(at, 1);
  }
}

export class Store {
  readonly ids = new IdAllocator();
  private readonly tables = new Map<string, Table>();

  constructor(registry: SchemaRegistry) {
    for (const schema of registry.all()) {
      // The owner and audit lookups are not indexed: nothing reads records by them, and every record
      // has them.
      const refs = schema.fields
        .filter((f) => f.type === 'reference' && !UNINDEXED_REFERENCES.has(f.name))
        .map((f) => ({ name: f.name, parentPrefix: registry.object(f.referenceTo[0])?.def.keyPrefix ?? '' }));
      this.tables.set(schema.def.name.toLowerCase(), new Table(schema.def.name, schema.def.keyPrefix, refs));
    }
  }

  table(objectName: string): Table {
    const t = this.tables.get(objectName.toLowerCase());
    if (t === undefined) throw new Error(`no table for ${objectName}`);
    return t;
  }
}
