/** Records on the wire (SDK model SimplePublicObject): string or null values, ISO timestamps. */
import { iso } from './http.ts';
import type { PropertyRegistry } from './properties.ts';
import { ALWAYS_READ_PROPERTIES, DEFAULT_READ_PROPERTIES, type ObjectType } from './schema.ts';
import type { Snap } from './store.ts';

/**
 * The property names a read returns: the type's defaults when none are requested, else the requested
 * ones that exist plus those HubSpot always includes. Undefined names are left out.
 */
export function selectProperties(registry: PropertyRegistry, type: ObjectType, requested: readonly string[] | undefined): string[] {
  const names = requested === undefined || requested.length === 0
    ? DEFAULT_READ_PROPERTIES[type]
    : [...new Set([...requested, ...ALWAYS_READ_PROPERTIES[type]])];
  return names.filter((n) => registry.get(type, n) !== undefined).sort();
}

export interface PublicObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

/** A defined property without a value is returned as null (the contacts guide's reading). */
export function publicObject(snap: Snap, names: readonly string[]): PublicObject {
  const properties: Record<string, string | null> = {};
  for (const n of names) properties[n] = snap.props[n] ?? null;
  return {
    id: snap.id,
    properties,
    createdAt: iso(snap.createdAt),
    updatedAt: iso(snap.updatedAt),
    archived: snap.archived,
    ...(snap.archivedAt === undefined ? {} : { archivedAt: iso(snap.archivedAt) }),
  };
}

/** Approximation: the sandbox keeps no history, so a property's history is its current value. */
export function propertiesWithHistory(snap: Snap, names: readonly string[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const n of names) {
    const v = snap.props[n];
    out[n] = v === undefined ? [] : [{ value: v, timestamp: iso(snap.updatedAt), sourceType: 'API', sourceId: 'sandbox' }];
  }
  return out;
}
