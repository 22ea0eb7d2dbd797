/**
 * How records are found and shown by the object routes: the read and write shapes of a record, inline
 * associations, lookups by id or unique property, and creation with associations.
 */
import { z } from 'zod';
import { acceptedTypeIds, associable, associationTypeName, pageOf } from './associations.ts';
import type { Core } from './core.ts';
import { badRequest, notFound, type HubSpotError } from './errors.ts';
import { queryList } from './http.ts';
import { ALWAYS_READ_PROPERTIES, OBJECT_TYPE_IDS, OBJECT_TYPES, resolveObjectType, type ObjectType } from './schema.ts';
import { propertiesWithHistory, publicObject, selectProperties } from './serialize.ts';
import type { Snap } from './store.ts';
import type { Changes } from './writes.ts';

/** v3 reads inline at most this many associated ids per record. */
const V3_ASSOCIATION_PAGE = 100;

export const listParam = z.union([z.string(), z.array(z.string())]).optional().transform(queryList);
export const boolParam = z.enum(['true', 'false']).optional().transform((v) => v === 'true');
export const idValue = z.union([z.string(), z.number()]).transform(String);

/** Property values: strings on the wire; numbers and booleans are accepted and stringified, null clears. */
export const propertyValues = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]).transform((v) => (v === null ? '' : String(v))));

export const associationInputs = z.array(z.object({
  to: z.object({ id: idValue }),
  types: z.array(z.object({ associationCategory: z.string(), associationTypeId: z.number().int() })),
})).optional();
type AssociationInputs = z.output<typeof associationInputs>;

export interface ReadOptions {
  properties?: string[];
  propertiesWithHistory?: string[];
  associations?: string[];
}

export function objectNotFound(id: string): HubSpotError {
  // HubSpot's wording, double space included.
  return notFound('Object not found.  objectId are usually numeric.', { context: { id: [id] } });
}

export const readScopes = (p: Record<string, string>): string[] => [`crm.objects.${resolveObjectType(p.objectType)}.read`];
export const writeScopes = (p: Record<string, string>): string[] => [`crm.objects.${resolveObjectType(p.objectType)}.write`];

/** A record a create associates the new one with: its type (from the association type id) and id. */
export interface AssociationTarget {
  type: ObjectType;
  id: string;
}

export interface ObjectViews {
  render: (type: ObjectType, snap: Snap, q: ReadOptions) => Record<string, unknown>;
  renderWrite: (type: ObjectType, snap: Snap, written: readonly string[]) => Record<string, unknown>;
  findBy: (type: ObjectType, id: string, idProperty: string | undefined) => Snap | undefined;
  /** The records a create should associate with; throws on unsupported types or unknown records. */
  associationTargets: (type: ObjectType, associations: AssociationInputs) => AssociationTarget[];
  createWith: (type: ObjectType, changes: Changes, targets: readonly AssociationTarget[]) => Snap;
}

export function objectViews(core: Core): ObjectViews {
  const { store, registry, writer } = core;

  /** The `associations` block of a v3 read: only for requested types that have associations. */
  const associationsOf = (type: ObjectType, snap: Snap, requested: readonly string[] | undefined): Record<string, unknown> | undefined => {
    if (requested === undefined) return undefined;
    const out: Record<string, unknown> = {};
    for (const r of requested) {
      let other: ObjectType;
      try {
        other = resolveObjectType(r);
      } catch {
        continue; // other object types (tickets…) exist in HubSpot; here they have no associations
      }
      if (!associable(type, other) || out[other] !== undefined) continue;
      const ids = store.associated(type, snap.id, other);
      if (ids.length === 0) continue;
      const { page, next } = pageOf(ids, undefined, V3_ASSOCIATION_PAGE);
      out[other] = {
        results: page.map((id) => ({ id, type: associationTypeName(type, other) })),
        ...(next === undefined ? {} : { paging: { next: { after: next } } }),
      };
    }
    return Object.keys(out).length === 0 ? undefined : out;
  };

  const render = (type: ObjectType, snap: Snap, q: ReadOptions): Record<string, unknown> => {
    const names = selectProperties(registry, type, q.properties);
    const object = publicObject(snap, names);
    // A calculated count HubSpot keeps on every deal: read from the associations as they are now.
    if (type === 'deals' && names.includes('num_associated_contacts')) object.properties.num_associated_contacts = String(store.associated('deals', snap.id).length);
    const out: Record<string, unknown> = { ...object };
    if (q.propertiesWithHistory !== undefined && q.propertiesWithHistory.length > 0) {
      out.propertiesWithHistory = propertiesWithHistory(snap, q.propertiesWithHistory.filter((n) => registry.get(type, n) !== undefined));
    }
    const associations = associationsOf(type, snap, q.associations);
    if (associations !== undefined) out.associations = associations;
    return out;
  };

  /** Write responses list the written properties (cleared ones as "") plus the always-returned ones. */
  const renderWrite = (type: ObjectType, snap: Snap, written: readonly string[]): Record<string, unknown> => {
    const names = [...new Set([...written, ...ALWAYS_READ_PROPERTIES[type]])].sort();
    const obj = publicObject(snap, names);
    for (const n of written) obj.properties[n] ??= '';
    return { ...obj };
  };

  const findBy = (type: ObjectType, id: string, idProperty: string | undefined): Snap | undefined => {
    if (idProperty === undefined || idProperty === 'hs_object_id') return store.table(type).get(id);
    if (type === 'contacts' && idProperty === 'email') {
      const found = store.emails.get(id.toLowerCase());
      return found === undefined ? undefined : store.table(type).get(found);
    }
    const def = registry.get(type, idProperty);
    if (def === undefined || !def.hasUniqueValue) throw badRequest(`${idProperty} is not a unique identifier property of object type ${OBJECT_TYPE_IDS[type]}`);
    const table = store.table(type);
    for (let i = 0; i < table.length; i++) if (table.at(i)?.props[idProperty] === id) return table.at(i);
    return undefined;
  };

  /** The records a create should associate with; the type id says which type each is. */
  const associationTargets = (type: ObjectType, associations: AssociationInputs): AssociationTarget[] => {
    const others = OBJECT_TYPES.filter((o) => associable(type, o));
    return (associations ?? []).map((a) => {
      const other = others.find((o) => a.types.length > 0 && a.types.every((t) => t.associationCategory === 'HUBSPOT_DEFINED' && acceptedTypeIds(type, o).includes(t.associationTypeId)));
      if (other === undefined) {
        const allowed = others.map((o) => `${acceptedTypeIds(type, o).join(' or ')} (to ${o})`).join(', ');
        throw badRequest(`Unsupported association type from ${type}; use HUBSPOT_DEFINED ${allowed}`);
      }
      if (store.table(other).get(a.to.id)?.archived !== false) throw badRequest(`${other} ${a.to.id} does not exist`);
      return { type: other, id: a.to.id };
    });
  };

  const createWith = (type: ObjectType, changes: Changes, targets: readonly AssociationTarget[]): Snap => {
    const snap = writer.create(type, changes);
    for (const t of targets) store.pair(type, t.type)?.set(type, snap.id, t.id, true);
    return snap;
  };

  return { render, renderWrite, findBy, associationTargets, createWith };
}
