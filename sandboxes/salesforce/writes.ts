/**
 * Every record write, from the API or the direct data API: validation, integrity rules, values the
 * platform derives (Name, the Opportunity stage flags), audit fields, and cascading deletes. Writes are
 * planned first and applied after, so an allOrNone request can check every record before changing one.
 */
import { canonicalId, keyPrefixOf } from './ids.ts';
import { recordError, type RecordError } from './errors.ts';
import type { FieldSecurity } from './fls.ts';
import type { ObjectSchema, SchemaRegistry } from './registry.ts';
import { OPPORTUNITY_STAGES, type FieldDef, type Value } from './schema.ts';
import type { Rec, Store } from './store.ts';
import { readPayload, type WriteMode } from './validation.ts';

export interface WriteContext {
  /** The running user, or null for the sandbox itself (seeding and test setup: no FLS, audit fields settable). */
  userId: string | null;
  now: number;
}

export type Planned =
  | { ok: true; apply: () => Rec }
  | { ok: false; errors: RecordError[]; parseError?: { field: FieldDef; message: string } };

/** Objects whose deleted records go to the recycle bin (queryAll still sees them); others are removed. */
const RECYCLE_BIN = new Set(['account', 'contact', 'opportunity', 'opportunitycontactrole']);
/** Canonical names: writes always carry them. */
const PERMISSION_OBJECTS = new Set(['PermissionSet', 'FieldPermissions', 'PermissionSetAssignment']);
const DEVELOPER_NAME = /^[A-Za-z](?!.*__)[A-Za-z0-9_]*(?<!_)$/;
const NOTHING_CHANGED: ReadonlySet<string> = new Set();
const STAGES = new Map(OPPORTUNITY_STAGES.map((s) => [s.name, s]));

function fail(errors: RecordError[]): Planned {
  return { ok: false, errors };
}

export class RecordWriter {
  private readonly store: Store;
  private readonly registry: SchemaRegistry;
  private readonly fls: FieldSecurity;
  /** Whose name goes in CreatedById/OwnerId when the sandbox itself writes. */
  private readonly systemUserId: () => string;
  private readonly writeListeners: ((objectName: string, rec: Rec) => void)[] = [];

  constructor(deps: { store: Store; registry: SchemaRegistry; fls: FieldSecurity; systemUserId: () => string }) {
    this.store = deps.store;
    this.registry = deps.registry;
    this.fls = deps.fls;
    this.systemUserId = deps.systemUserId;
  }

  onWrite(listener: (objectName: string, rec: Rec) => void): void {
    this.writeListeners.push(listener);
  }

  schema(objectName: string): ObjectSchema {
    const s = this.registry.object(objectName);
    if (s === undefined) throw new Error(`unknown object ${objectName}`);
    return s;
  }

  /** Plans a create or update from a client payload (field names as the client spelled them). */
  plan(objectName: string, mode: WriteMode, payload: Readonly<Record<string, unknown>>, ctx: WriteContext, existing?: Rec): Planned {
    const schema = this.schema(objectName);
    const name = schema.def.name;
    if (ctx.userId !== null && !(mode === 'create' ? schema.def.createable : schema.def.updateable)) {
      return fail([recordError('INSUFFICIENT_ACCESS_OR_READONLY', `insufficient access rights on object id`)]);
    }
    const read = readPayload(schema, payload, mode, (f) => this.fls.access(ctx.userId, name, f), { system: ctx.userId === null });
    if (read.parseError !== undefined) return { ok: false, errors: read.errors, parseError: read.parseError };
    if (read.errors.length > 0) return fail(read.errors);
    return this.planValues(schema, mode, read.values, ctx, existing);
  }

  /** Plans a write of already-typed values (the CSV path reads values itself and lands here too). */
  planValues(schema: ObjectSchema, mode: WriteMode, values: ReadonlyMap<FieldDef, Value>, ctx: WriteContext, existing?: Rec): Planned {
    const name = schema.def.name;
    if (mode === 'update' && existing === undefined) throw new Error('update without a record');
    // A record holds the fields that have a value or a default; a missing key reads as null. Copied key
    // by key: object spread is far slower for records this wide.
    const next: Record<string, Value> = {};
    if (mode === 'create') for (const f of schema.defaults) next[f.name] = f.defaultValue;
    else for (const k in existing) next[k] = (existing)[k];
    for (const [f, v] of values) next[f.name] = v;
    const changed = new Set([...values.keys()].map((f) => f.name));
    const errors = [...this.required(schema, next, mode, changed), ...this.references(values), ...this.objectRules(schema, next, mode, existing)];
    if (errors.length > 0) return fail(errors);
    return {
      ok: true,
      apply: () => {
        this.derive(name, next, changed, mode, existing, ctx.now);
        const rec = mode === 'create' ? this.insert(schema, next, ctx) : this.replace(schema, next, existing, ctx, changed);
        if (name === 'OpportunityContactRole' && rec.IsPrimary === true && changed.has('IsPrimary')) this.singlePrimary(rec, ctx);
        return rec;
      },
    };
  }

  /**
   * Inserts a record whose values are already typed and valid (the benchmark seed builds hundreds of
   * thousands): no payload reading or integrity checks, but the same defaults, derived values, audit
   * fields and indexes as any create.
   */
  insertTrusted(objectName: string, values: Readonly<Record<string, Value>>, ctx: WriteContext): string {
    const schema = this.schema(objectName);
    const next: Record<string, Value> = {};
    for (const f of schema.defaults) next[f.name] = f.defaultValue;
    for (const k in values) next[k] = values[k];
    this.derive(schema.def.name, next, NOTHING_CHANGED, 'create', undefined, ctx.now);
    return String(this.insert(schema, next, ctx).Id);
  }

  /** Deletes a live record (and what cascades from it); undefined when done, else why not. */
  delete(objectName: string, id: string, ctx: WriteContext): RecordError | undefined {
    const schema = this.schema(objectName);
    const table = this.store.table(schema.def.name);
    const rec = table.get(id);
    if (rec === undefined) return recordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
    if (rec.IsDeleted === true) return recordError('ENTITY_IS_DELETED', 'entity is deleted');
    if (ctx.userId !== null && !schema.def.deletable) return recordError('INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id');
    this.deleteCascade(schema, rec, ctx);
    return undefined;
  }

  private deleteCascade(schema: ObjectSchema, rec: Rec, ctx: WriteContext): void {
    const name = schema.def.name;
    const table = this.store.table(name);
    const id = String(rec.Id);
    for (const child of schema.childRelationships.filter((c) => c.cascadeDelete)) {
      const childSchema = this.schema(child.childSObject);
      const childTable = this.store.table(child.childSObject);
      for (const seq of [...childTable.childSeqs(child.field, id)]) {
        const c = childTable.at(seq);
        if (c !== undefined && c.IsDeleted !== true) this.deleteCascade(childSchema, c, ctx);
      }
    }
    // Assignments point at users, which have no child relationship to cascade from.
    if (RECYCLE_BIN.has(name.toLowerCase())) {
      const stamp = this.stamp(rec, ctx.now);
      const deleted = { ...rec, IsDeleted: true, SystemModstamp: stamp, LastModifiedDate: stamp, LastModifiedById: ctx.userId ?? this.systemUserId() };
      table.replace(deleted);
      this.notify(name, deleted);
    } else {
      table.remove(id);
      this.notify(name, rec);
    }
  }

  private required(schema: ObjectSchema, next: Record<string, Value>, mode: WriteMode, changed: ReadonlySet<string>): RecordError[] {
    const empty = (f: FieldDef): boolean => next[f.name] === null || next[f.name] === undefined;
    const missing = schema.fields.filter((f) => (mode === 'create' ? f.required : !f.nillable && changed.has(f.name)) && empty(f));
    if (missing.length === 0) return [];
    const names = missing.map((f) => f.name);
    return [recordError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${names.join(', ')}]`, names)];
  }

  private references(values: ReadonlyMap<FieldDef, Value>): RecordError[] {
    const errors: RecordError[] = [];
    for (const [f, v] of values) {
      if (f.type !== 'reference' || typeof v !== 'string') continue;
      const target = this.registry.object(f.referenceTo[0]);
      if (target === undefined || keyPrefixOf(v) !== target.def.keyPrefix) {
        errors.push(recordError('FIELD_INTEGRITY_EXCEPTION', `${f.label}: id value of incorrect type: ${v}`, [f.name]));
        continue;
      }
      const parent = this.store.table(target.def.name).get(v);
      if (parent === undefined) errors.push(recordError('INVALID_CROSS_REFERENCE_KEY', `${f.label}: invalid cross reference id`, [f.name]));
      else if (parent.IsDeleted === true) errors.push(recordError('ENTITY_IS_DELETED', 'entity is deleted', [f.name]));
    }
    return errors;
  }

  /** Rules of particular objects: developer names, duplicate grants and assignments, field names. */
  private objectRules(schema: ObjectSchema, next: Record<string, Value>, mode: WriteMode, existing: Rec | undefined): RecordError[] {
    const duplicate = [recordError('DUPLICATE_VALUE', 'duplicate value found: <unknown> duplicates value on record with id: <unknown>')];
    switch (schema.def.name) {
      case 'PermissionSet': {
        const devName = String(next.Name ?? '');
        if (!DEVELOPER_NAME.test(devName)) {
          return [recordError('FIELD_INTEGRITY_EXCEPTION', 'The API Name can only contain underscores and alphanumeric characters. It must be unique, begin with a letter, not include spaces, not end with an underscore, and not contain two consecutive underscores.', ['Name'])];
        }
        const table = this.store.table('PermissionSet');
        for (let seq = 0; seq < table.size; seq++) {
          const other = table.at(seq);
          if (other !== undefined && other.Id !== existing?.Id && String(other.Name).toLowerCase() === devName.toLowerCase()) {
            return [recordError('DUPLICATE_DEVELOPER_NAME', `The name '${devName}' is already in use.`, ['Name'])];
          }
        }
        return [];
      }
      case 'FieldPermissions': {
        if (mode === 'update') {
          if (next.PermissionsEdit === true && next.PermissionsRead !== true) return [this.editNeedsRead()];
          return [];
        }
        const object = this.registry.object(String(next.SobjectType));
        if (object === undefined) return [recordError('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `Sobject Type Name: bad value for restricted picklist field: ${String(next.SobjectType)}`, ['SobjectType'])];
        const [prefix, fieldName, extra] = String(next.Field).split('.');
        const target = fieldName === undefined || extra !== undefined || prefix.toLowerCase() !== object.def.name.toLowerCase() ? undefined : object.field(fieldName);
        if (target === undefined || !target.permissionable) {
          return [recordError('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `Field Name: bad value for restricted picklist field: ${String(next.Field)}`, ['Field'])];
        }
        next.SobjectType = object.def.name;
        next.Field = `${object.def.name}.${target.name}`;
        if (next.PermissionsEdit === true && next.PermissionsRead !== true) return [this.editNeedsRead()];
        const table = this.store.table('FieldPermissions');
        const taken = table.childSeqs('ParentId', String(next.ParentId)).some((seq) => String(table.at(seq)?.Field).toLowerCase() === String(next.Field).toLowerCase());
        return taken ? duplicate : [];
      }
      case 'PermissionSetAssignment': {
        const table = this.store.table('PermissionSetAssignment');
        const taken = table.childSeqs('AssigneeId', String(next.AssigneeId)).some((seq) => table.at(seq)?.PermissionSetId === next.PermissionSetId);
        return taken ? duplicate : [];
      }
      case 'CurrencyType': {
        if (mode === 'update') return [];
        const table = this.store.table('CurrencyType');
        for (let seq = 0; seq < table.size; seq++) if (table.at(seq)?.IsoCode === next.IsoCode) return duplicate;
        return [];
      }
      default:
        return [];
    }
  }

  private editNeedsRead(): RecordError {
    return recordError('FIELD_INTEGRITY_EXCEPTION', 'Permission Edit Field depends on permission(s): Read Field', ['PermissionsEdit']);
  }

  /** Values the platform computes from others. */
  private derive(objectName: string, next: Record<string, Value>, changed: ReadonlySet<string>, mode: WriteMode, existing: Rec | undefined, now: number): void {
    switch (objectName) {
      case 'Contact':
      case 'User':
        next.Name = [next.FirstName, next.LastName].filter((v) => typeof v === 'string' && v !== '').join(' ');
        return;
      case 'Opportunity': {
        const stage = STAGES.get(String(next.StageName));
        if (stage !== undefined && (mode === 'create' || changed.has('StageName'))) {
          next.IsClosed = stage.closed;
          next.IsWon = stage.won;
          next.ForecastCategoryName = stage.forecast;
          next.ForecastCategory = stage.forecast === 'Commit' ? 'Forecast' : stage.forecast;
          if (!changed.has('Probability') || (mode === 'update' && existing?.StageName === next.StageName)) next.Probability = stage.probability;
        }
        // LastStageChangeDate (API 52.0+): when the stage last changed; set on create (a seed may give it).
        if (mode === 'create') next.LastStageChangeDate ??= now;
        else if (changed.has('StageName') && existing?.StageName !== next.StageName) next.LastStageChangeDate = now;
        next.ExpectedRevenue = typeof next.Amount === 'number' && typeof next.Probability === 'number' ? Math.round(next.Amount * next.Probability) / 100 : null;
        return;
      }
      case 'PermissionSet':
        if (mode === 'create') next.IsCustom = next.IsOwnedByProfile !== true;
        return;
      default:
    }
  }

  /** Strictly increasing per record, so a write is always visible as a change even within one millisecond. */
  private stamp(before: Rec | undefined, now: number): number {
    const prev = typeof before?.SystemModstamp === 'number' ? before.SystemModstamp : -Infinity;
    return Math.max(now, prev + 1);
  }

  private insert(schema: ObjectSchema, next: Record<string, Value>, ctx: WriteContext): Rec {
    const user = ctx.userId ?? this.systemUserId();
    next.Id = this.store.ids.allocate(schema.def.keyPrefix);
    next.IsDeleted = false;
    if (schema.field('CreatedDate') !== undefined) {
      next.CreatedDate ??= ctx.now;
      next.CreatedById ??= user;
      next.LastModifiedDate ??= next.CreatedDate;
      next.LastModifiedById ??= user;
    }
    if (schema.field('OwnerId') !== undefined) next.OwnerId ??= user;
    next.SystemModstamp = ctx.now;
    const rec: Rec = next;
    this.store.table(schema.def.name).insert(rec);
    this.notify(schema.def.name, rec);
    return rec;
  }

  private replace(schema: ObjectSchema, next: Record<string, Value>, existing: Rec | undefined, ctx: WriteContext, changed: ReadonlySet<string>): Rec {
    const stamp = this.stamp(existing, ctx.now);
    next.SystemModstamp = stamp;
    if (schema.field('LastModifiedDate') !== undefined) {
      if (!changed.has('LastModifiedDate')) next.LastModifiedDate = stamp;
      next.LastModifiedById = ctx.userId ?? this.systemUserId();
    }
    const rec: Rec = next;
    this.store.table(schema.def.name).replace(rec);
    this.notify(schema.def.name, rec);
    return rec;
  }

  /** One primary contact role per opportunity: marking one primary clears the others. */
  private singlePrimary(rec: Rec, ctx: WriteContext): void {
    const table = this.store.table('OpportunityContactRole');
    for (const seq of table.childSeqs('OpportunityId', String(rec.OpportunityId))) {
      const other = table.at(seq);
      if (other === undefined || other.Id === rec.Id || other.IsPrimary !== true || other.IsDeleted === true) continue;
      const planned = this.planValues(this.schema('OpportunityContactRole'), 'update', new Map([[this.schema('OpportunityContactRole').field('IsPrimary') as FieldDef, false]]), ctx, other);
      if (planned.ok) planned.apply();
    }
  }

  private notify(objectName: string, rec: Rec): void {
    if (PERMISSION_OBJECTS.has(objectName)) this.fls.invalidate();
    for (const l of this.writeListeners) l(objectName, rec);
  }
}

/** Looks up a live or deleted record by an id in any accepted form. */
export function findRecord(store: Store, objectName: string, rawId: string): { id: string; rec: Rec | undefined } | undefined {
  const id = canonicalId(rawId);
  if (id === undefined) return undefined;
  return { id, rec: store.table(objectName).get(id) };
}
