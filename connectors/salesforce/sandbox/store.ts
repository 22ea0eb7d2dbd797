/**
 * Records, one table per object. A record is an immutable snapshot (a write stores a new object), so a
 * query cursor that holds the records it matched serves later pages as of the query, without copies.
 * Rows are kept in creation order, which is also Id order (ids are consecutive per object).
 */
import { IdAllocator } from './ids.ts';
import { OrderedIndex, type IndexKey } from './orderedIndex.ts';
import type { SchemaRegistry } from './registry.ts';
import type { FieldDef, Value } from './schema.ts';
import { sortKey } from './values.ts';

export type Rec = Readonly<Record<string, Value>>;

export class Table {
  readonly objectName: string;
  private readonly rows: (Rec | undefined)[] = [];
  private readonly seqs = new Map<string, number>();
  /** Reference field (lower case) → parent id → child seqs: child lookups and subqueries. */
  private readonly children = new Map<string, Map<string, number[]>>();
  private readonly indexes = new Map<string, { index: OrderedIndex; field: FieldDef }>();
  private readonly referenceFields: readonly string[];

  constructor(objectName: string, referenceFields: readonly string[]) {
    this.objectName = objectName;
    this.referenceFields = referenceFields;
    for (const f of referenceFields) this.children.set(f.toLowerCase(), new Map());
  }

  get size(): number {
    return this.rows.length;
  }

  get(id: string): Rec | undefined {
    const seq = this.seqs.get(id);
    return seq === undefined ? undefined : this.rows[seq];
  }

  seqOf(id: string): number | undefined {
    return this.seqs.get(id);
  }

  at(seq: number): Rec | undefined {
    return this.rows[seq];
  }

  insert(rec: Rec): void {
    const id = String(rec.Id);
    const seq = this.rows.length;
    this.rows.push(rec);
    this.seqs.set(id, seq);
    for (const f of this.referenceFields) this.link(f, rec[f], seq);
    for (const { index, field } of this.indexes.values()) index.update(seq, undefined, sortKey(field, rec[field.name]));
  }

  replace(rec: Rec): Rec {
    const id = String(rec.Id);
    const seq = this.seqs.get(id);
    if (seq === undefined) throw new Error(`no ${this.objectName} ${id}`);
    const before = this.rows[seq];
    if (before === undefined) throw new Error(`${this.objectName} ${id} was removed`);
    this.rows[seq] = rec;
    for (const f of this.referenceFields) {
      if (before[f] !== rec[f]) {
        this.unlink(f, before[f], seq);
        this.link(f, rec[f], seq);
      }
    }
    for (const { index, field } of this.indexes.values()) index.update(seq, sortKey(field, before[field.name]), sortKey(field, rec[field.name]));
    return before;
  }

  /** Removes a record for good (a hard delete: gone from queryAll too). */
  remove(id: string): void {
    const seq = this.seqs.get(id);
    const before = seq === undefined ? undefined : this.rows[seq];
    if (seq === undefined || before === undefined) return;
    this.rows[seq] = undefined;
    this.seqs.delete(id);
    for (const f of this.referenceFields) this.unlink(f, before[f], seq);
    for (const { index, field } of this.indexes.values()) index.update(seq, sortKey(field, before[field.name]), undefined);
  }

  /** Seqs of the records whose reference field holds this parent id (deleted ones included). */
  childSeqs(referenceField: string, parentId: string): readonly number[] {
    return this.children.get(referenceField.toLowerCase())?.get(parentId) ?? [];
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
    const map = this.children.get(field.toLowerCase());
    if (map === undefined) return;
    const list = map.get(parent);
    if (list === undefined) map.set(parent, [seq]);
    else list.push(seq);
  }

  private unlink(field: string, parent: Value | undefined, seq: number): void {
    if (typeof parent !== 'string') return;
    const list = this.children.get(field.toLowerCase())?.get(parent);
    if (list === undefined) return;
    const at = list.indexOf(seq);
    if (at >= 0) list.splice(at, 1);
  }
}

export class Store {
  readonly ids = new IdAllocator();
  private readonly tables = new Map<string, Table>();

  constructor(registry: SchemaRegistry) {
    for (const schema of registry.all()) {
      const refs = schema.fields.filter((f) => f.type === 'reference').map((f) => f.name);
      this.tables.set(schema.def.name.toLowerCase(), new Table(schema.def.name, refs));
    }
  }

  table(objectName: string): Table {
    const t = this.tables.get(objectName.toLowerCase());
    if (t === undefined) throw new Error(`no table for ${objectName}`);
    return t;
  }
}
