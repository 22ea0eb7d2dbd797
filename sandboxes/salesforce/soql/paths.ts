/**
 * Field paths (`Email`, `Account.Name`, `Opportunity.Account.Owner.Name`) resolved against the schema
 * and the running user's field-level security: an unreadable field is reported exactly like a missing one.
 */
import type { FieldSecurity } from '../fls.ts';
import type { ObjectSchema, SchemaRegistry } from '../registry.ts';
import type { FieldDef, Value } from '../schema.ts';
import type { Rec, Store, Table } from '../store.ts';
import type { FieldPath } from './ast.ts';
import { invalidField, noSuchColumn } from './errors.ts';

export interface Resolver {
  registry: SchemaRegistry;
  store: Store;
  fls: FieldSecurity;
  userId: string | null;
  text: string;
}

export interface ResolvedPath {
  /** The object that holds the final field. */
  object: ObjectSchema;
  field: FieldDef;
  /** Reference fields followed from the root to reach `object`. */
  steps: FieldDef[];
  /** Canonical dotted spelling (`Account.Name`). */
  text: string;
  /** The record holding the final field (the root, or a parent), or undefined when a lookup is empty. */
  owner(rec: Rec): Rec | undefined;
  get(rec: Rec): Value;
}

export function readable(r: Resolver, object: ObjectSchema, field: FieldDef): boolean {
  return r.fls.canRead(r.userId, object.def.name, field);
}

export function resolvePath(r: Resolver, root: ObjectSchema, path: FieldPath): ResolvedPath {
  let parts = path.parts;
  // `SELECT Contact.Email FROM Contact` names the queried object itself.
  if (parts.length > 1 && parts[0].toLowerCase() === root.def.name.toLowerCase() && root.parentRelationship(parts[0]) === undefined) parts = parts.slice(1);
  let current = root;
  const steps: FieldDef[] = [];
  const tables: Table[] = [];
  const names: string[] = [];
  for (const relationship of parts.slice(0, -1)) {
    const ref = current.parentRelationship(relationship);
    const target = ref === undefined ? undefined : r.registry.object(ref.referenceTo[0]);
    if (ref === undefined || target === undefined || !readable(r, current, ref)) {
      throw invalidField(r.text, path.pos, `Didn't understand relationship '${relationship}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`);
    }
    steps.push(ref);
    tables.push(r.store.table(target.def.name));
    names.push(ref.relationshipName ?? relationship);
    current = target;
  }
  const last = parts[parts.length - 1];
  const field = current.field(last);
  if (field === undefined || !readable(r, current, field)) throw noSuchColumn(r.text, path.pos, last, current.def.name);
  const owner = (rec: Rec): Rec | undefined => {
    let at: Rec | undefined = rec;
    for (let i = 0; i < steps.length && at !== undefined; i++) {
      const id: Value | undefined = at[steps[i].name];
      at = typeof id === 'string' ? tables[i].get(id) : undefined;
    }
    return at;
  };
  const name = field.name;
  return {
    object: current,
    field,
    steps,
    text: [...names, name].join('.'),
    owner,
    get: steps.length === 0 ? (rec) => rec[name] ?? null : (rec) => owner(rec)?.[name] ?? null,
  };
}
