/**
 * The org's schema at run time: standard objects plus custom fields created through the Metadata API.
 * Names are case-insensitive everywhere in Salesforce, so every lookup goes through lower-case keys;
 * what clients see keeps the canonical spelling.
 */
import type { ChildRelationship, FieldDef, ObjectDef, SchemaOptions } from './schema.ts';
import { standardObjects } from './schema.ts';

export interface ObjectSchema {
  readonly def: ObjectDef;
  /** Fields whose default is not null. */
  readonly defaults: readonly FieldDef[];
  field(name: string): FieldDef | undefined;
  readonly fields: readonly FieldDef[];
  /** Reference field by relationship name (Account for AccountId). */
  parentRelationship(name: string): FieldDef | undefined;
  childRelationship(name: string): ChildRelationship | undefined;
  readonly childRelationships: readonly ChildRelationship[];
}

class MutableObjectSchema implements ObjectSchema {
  readonly def: ObjectDef;
  private byName = new Map<string, FieldDef>();
  /** The canonical spellings, looked up first: most callers use them. */
  private exact = new Map<string, FieldDef>();
  /** Fields whose default is not null, which every new record gets. */
  defaults: readonly FieldDef[] = [];
  private byRelationship = new Map<string, FieldDef>();
  private children = new Map<string, ChildRelationship>();

  constructor(def: ObjectDef) {
    this.def = def;
    this.reindex();
  }

  get fields(): readonly FieldDef[] {
    return this.def.fields;
  }

  get childRelationships(): readonly ChildRelationship[] {
    return [...this.children.values()];
  }

  field(name: string): FieldDef | undefined {
    return this.exact.get(name) ?? this.byName.get(name.toLowerCase());
  }

  parentRelationship(name: string): FieldDef | undefined {
    return this.byRelationship.get(name.toLowerCase());
  }

  childRelationship(name: string): ChildRelationship | undefined {
    return this.children.get(name.toLowerCase());
  }

  addChild(rel: ChildRelationship): void {
    this.children.set(rel.relationshipName.toLowerCase(), rel);
  }

  reindex(): void {
    this.byName = new Map(this.def.fields.map((f) => [f.name.toLowerCase(), f]));
    this.exact = new Map(this.def.fields.map((f) => [f.name, f]));
    this.defaults = this.def.fields.filter((f) => f.defaultValue !== null);
    this.byRelationship = new Map(this.def.fields.filter((f) => f.relationshipName !== null).map((f) => [(f.relationshipName ?? '').toLowerCase(), f]));
  }
}

export class SchemaRegistry {
  private readonly objects = new Map<string, MutableObjectSchema>();
  private readonly listeners: (() => void)[] = [];
  /** Bumped by every schema change, so caches keyed on it (field-level security) stay right. */
  version = 0;

  constructor(options: SchemaOptions = {}) {
    for (const def of standardObjects(options)) this.objects.set(def.name.toLowerCase(), new MutableObjectSchema(def));
    for (const schema of this.objects.values()) {
      for (const f of schema.fields) {
        if (f.type !== 'reference' || f.childRelationshipName === undefined) continue;
        this.objects.get(f.referenceTo[0].toLowerCase())?.addChild({
          relationshipName: f.childRelationshipName, childSObject: schema.def.name, field: f.name, cascadeDelete: f.cascadeDelete,
        });
      }
    }
  }

  object(name: string): ObjectSchema | undefined {
    return this.objects.get(name.toLowerCase());
  }

  all(): ObjectSchema[] {
    return [...this.objects.values()];
  }

  byKeyPrefix(prefix: string): ObjectSchema | undefined {
    for (const o of this.objects.values()) if (o.def.keyPrefix === prefix) return o;
    return undefined;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Adds or replaces a custom field (fields keep their position when replaced). */
  putCustomField(objectName: string, def: FieldDef): void {
    const schema = this.objects.get(objectName.toLowerCase());
    if (schema === undefined) throw new Error(`unknown object ${objectName}`);
    const at = schema.def.fields.findIndex((f) => f.name.toLowerCase() === def.name.toLowerCase());
    if (at >= 0) schema.def.fields[at] = def;
    else {
      // Custom fields go before the audit fields, as describe lists them.
      const audit = schema.def.fields.findIndex((f) => f.name === 'CreatedDate' || f.name === 'SystemModstamp');
      schema.def.fields.splice(audit < 0 ? schema.def.fields.length : audit, 0, def);
    }
    schema.reindex();
    this.changed();
  }

  removeCustomField(objectName: string, fieldName: string): boolean {
    const schema = this.objects.get(objectName.toLowerCase());
    if (schema === undefined) return false;
    const at = schema.def.fields.findIndex((f) => f.custom && f.name.toLowerCase() === fieldName.toLowerCase());
    if (at < 0) return false;
    schema.def.fields.splice(at, 1);
    schema.reindex();
    this.changed();
    return true;
  }

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}
