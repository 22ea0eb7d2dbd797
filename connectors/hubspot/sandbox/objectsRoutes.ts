/** CRM objects v3 routes for contacts and deals: list, get, create, update, archive, batch read/update (notes §3). */
import { z } from 'zod';
import type { ApiRoute, RouteContext } from './api.ts';
import { ASSOCIATION_TYPE_ID, ASSOCIATION_TYPE_NAME, OTHER, pageOf } from './associations.ts';
import type { Core } from './core.ts';
import { HubSpotError, badRequest, invalidValues, notFound, type ValueIssue } from './errors.ts';
import { parseJsonBody, parseWith, queryList, type Reply } from './http.ts';
import { ALWAYS_READ_PROPERTIES, OBJECT_TYPE_IDS, resolveObjectType, type ObjectType } from './schema.ts';
import { propertiesWithHistory, publicObject, selectProperties } from './serialize.ts';
import type { Snap } from './store.ts';

const MAX_BATCH = 100;
const MAX_LIST_LIMIT = 100;
/** v3 reads inline at most this many associated ids per record (notes §3.1). */
const V3_ASSOCIATION_PAGE = 100;

const listParam = z.union([z.string(), z.array(z.string())]).optional().transform(queryList);
const boolParam = z.enum(['true', 'false']).optional().transform((v) => v === 'true');

const listQuery = z.object({
  limit: z.string().regex(/^\d+$/, 'limit must be an integer').transform(Number)
    .pipe(z.number().int().min(1).max(MAX_LIST_LIMIT, `limit must be at most ${MAX_LIST_LIMIT}`)).optional(),
  after: z.string().optional(),
  properties: listParam,
  propertiesWithHistory: listParam,
  associations: listParam,
  archived: boolParam,
});

const getQuery = z.object({
  properties: listParam,
  propertiesWithHistory: listParam,
  associations: listParam,
  archived: boolParam,
  idProperty: z.string().optional(),
});

const archivedQuery = z.object({ archived: boolParam });

/** Property values: strings on the wire; numbers and booleans are accepted and stringified, null clears. */
const propertyValues = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]).transform((v) => (v === null ? '' : String(v))));

const createBody = z.object({
  properties: propertyValues,
  associations: z.array(z.object({
    to: z.object({ id: z.union([z.string(), z.number()]).transform(String) }),
    types: z.array(z.object({ associationCategory: z.string(), associationTypeId: z.number().int() })),
  })).optional(),
});

const updateBody = z.object({ properties: propertyValues });

const batchReadBody = z.object({
  inputs: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String) })),
  properties: z.array(z.string()).optional(),
  propertiesWithHistory: z.array(z.string()).optional(),
  idProperty: z.string().optional(),
});

const batchUpdateBody = z.object({
  inputs: z.array(z.object({
    id: z.union([z.string(), z.number()]).transform(String),
    properties: propertyValues,
    idProperty: z.string().optional(),
    objectWriteTraceId: z.string().optional(),
  })),
});

function objectNotFound(id: string): HubSpotError {
  // HubSpot's wording, double space included.
  return notFound('Object not found.  objectId are usually numeric.', { context: { id: [id] } });
}

function missingIdsError(type: ObjectType, ids: readonly string[]): Record<string, unknown> {
  return {
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    subCategory: 'crm.objects.OBJECT_NOT_FOUND',
    message: `Could not get some ${type === 'contacts' ? 'CONTACT' : 'DEAL'} objects, they may be deleted or not exist. Check that ids are valid.`,
    context: { ids: [...ids] },
  };
}

function checkBatchSize(n: number): void {
  if (n > MAX_BATCH) throw badRequest(`Batch input size ${n} exceeds the limit of ${MAX_BATCH} inputs per request`);
}

function batchEnvelope(results: unknown[], errors: Record<string, unknown>[], startedAt: string): Reply {
  const body: Record<string, unknown> = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
  if (errors.length === 0) return { status: 200, body };
  return { status: 207, body: { ...body, numErrors: errors.length, errors } };
}

export function objectRoutes(core: Core): ApiRoute[] {
  const { store, registry, writer } = core;
  const readScopes = (p: Record<string, string>): string[] => [`crm.objects.${resolveObjectType(p.objectType)}.read`];
  const writeScopes = (p: Record<string, string>): string[] => [`crm.objects.${resolveObjectType(p.objectType)}.write`];

  /** The `associations` block of a v3 read: only for requested types that have associations. */
  const associationsOf = (type: ObjectType, snap: Snap, requested: readonly string[] | undefined): Record<string, unknown> | undefined => {
    if (requested === undefined) return undefined;
    const other = OTHER[type];
    const wanted = requested.some((r) => {
      try {
        return resolveObjectType(r) === other;
      } catch {
        return false; // other object types (companies…) exist in HubSpot; here they have no associations
      }
    });
    if (!wanted) return undefined;
    const ids = store.associations.of(type, snap.id);
    if (ids.length === 0) return undefined;
    const { page, next } = pageOf(ids, undefined, V3_ASSOCIATION_PAGE);
    return {
      [other]: {
        results: page.map((id) => ({ id, type: ASSOCIATION_TYPE_NAME[type] })),
        ...(next === undefined ? {} : { paging: { next: { after: next } } }),
      },
    };
  };

  const render = (type: ObjectType, snap: Snap, q: { properties?: string[]; propertiesWithHistory?: string[]; associations?: string[] }): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...publicObject(snap, selectProperties(registry, type, q.properties)) };
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
    const def = registry.get(type, idProperty);
    if (type === 'contacts' && idProperty === 'email') {
      const found = store.emails.get(id.toLowerCase());
      return found === undefined ? undefined : store.table(type).get(found);
    }
    if (def === undefined || !def.hasUniqueValue) throw badRequest(`${idProperty} is not a unique identifier property of object type ${OBJECT_TYPE_IDS[type]}`);
    const table = store.table(type);
    for (let i = 0; i < table.length; i++) if (table.at(i)?.props[idProperty] === id) return table.at(i);
    return undefined;
  };

  const list = ({ req, params, baseUrl }: RouteContext): Reply => {
    const type = resolveObjectType(params.objectType);
    const q = parseWith(listQuery, req.query, 'query');
    const table = store.table(type);
    const limit = q.limit ?? 10;
    let pos = 0;
    if (q.after !== undefined && q.after !== '') {
      const p = table.position(q.after);
      if (p === null) throw badRequest(`Invalid after value: ${q.after}`);
      pos = p;
    }
    const results: Record<string, unknown>[] = [];
    for (; pos < table.length && results.length < limit; pos++) {
      const snap = table.at(pos);
      if (snap !== undefined && snap.archived === q.archived) results.push(render(type, snap, q));
    }
    while (pos < table.length && table.at(pos)?.archived !== q.archived) pos++;
    const next = table.at(pos);
    const body: Record<string, unknown> = { results };
    if (next !== undefined) {
      body.paging = { next: { after: next.id, link: `${baseUrl}/crm/v3/objects/${params.objectType}?limit=${limit}&after=${next.id}` } };
    }
    return { status: 200, body };
  };

  const get = ({ req, params }: RouteContext): Reply => {
    const type = resolveObjectType(params.objectType);
    const q = parseWith(getQuery, req.query, 'query');
    const snap = findBy(type, params.objectId, q.idProperty);
    if (snap === undefined || snap.archived !== q.archived) throw objectNotFound(params.objectId);
    return { status: 200, body: render(type, snap, q) };
  };

  const create = ({ req, params }: RouteContext): Reply => {
    const type = resolveObjectType(params.objectType);
    const body = parseWith(createBody, parseJsonBody(req), 'SimplePublicObjectInputForCreate');
    const changes = writer.checkOrThrow(type, body.properties);
    const targets: string[] = [];
    for (const a of body.associations ?? []) {
      const other = OTHER[type];
      const ok = a.types.every((t) => t.associationCategory === 'HUBSPOT_DEFINED' && t.associationTypeId === ASSOCIATION_TYPE_ID[type]);
      if (!ok) throw badRequest(`Unsupported association type from ${type} to ${other}; use HUBSPOT_DEFINED ${ASSOCIATION_TYPE_ID[type]}`);
      if (store.table(other).get(a.to.id)?.archived !== false) throw badRequest(`${other} ${a.to.id} does not exist`);
      targets.push(a.to.id);
    }
    const snap = writer.create(type, changes);
    for (const id of targets) {
      if (type === 'contacts') store.associations.add(snap.id, id);
      else store.associations.add(id, snap.id);
    }
    return { status: 201, body: renderWrite(type, snap, Object.keys(body.properties)) };
  };

  const update = ({ req, params }: RouteContext): Reply => {
    const type = resolveObjectType(params.objectType);
    const idProperty = parseWith(z.object({ idProperty: z.string().optional() }), req.query, 'query').idProperty;
    const body = parseWith(updateBody, parseJsonBody(req), 'SimplePublicObjectInput');
    const snap = findBy(type, params.objectId, idProperty);
    if (snap === undefined || snap.archived) throw objectNotFound(params.objectId);
    const changes = writer.checkOrThrow(type, body.properties, snap);
    return { status: 200, body: renderWrite(type, writer.update(type, snap, changes), Object.keys(body.properties)) };
  };

  const archive = ({ params }: RouteContext): Reply => {
    const type = resolveObjectType(params.objectType);
    const snap = store.table(type).get(params.objectId);
    if (snap !== undefined && !snap.archived) writer.archive(type, snap);
    return { status: 204 };
  };

  const batchRead = ({ req, params }: RouteContext): Reply => {
    const startedAt = new Date().toISOString();
    const type = resolveObjectType(params.objectType);
    const { archived } = parseWith(archivedQuery, req.query, 'query');
    const body = parseWith(batchReadBody, parseJsonBody(req), 'BatchReadInputSimplePublicObjectId');
    checkBatchSize(body.inputs.length);
    const results: Record<string, unknown>[] = [];
    const missing: string[] = [];
    for (const id of new Set(body.inputs.map((i) => i.id))) {
      const snap = findBy(type, id, body.idProperty);
      if (snap === undefined || snap.archived !== archived) missing.push(id);
      else results.push(render(type, snap, body));
    }
    return batchEnvelope(results, missing.length > 0 ? [missingIdsError(type, missing)] : [], startedAt);
  };

  const batchUpdate = ({ req, params }: RouteContext): Reply => {
    const startedAt = new Date().toISOString();
    const type = resolveObjectType(params.objectType);
    const body = parseWith(batchUpdateBody, parseJsonBody(req), 'BatchInputSimplePublicObjectBatchInput');
    checkBatchSize(body.inputs.length);
    for (const input of body.inputs) {
      // Reported behaviour of batch update by email (notes §3.3): refused, record ids are required.
      if (input.idProperty !== undefined && input.idProperty !== 'hs_object_id') {
        throw badRequest(`Unable to perform update/upsert by non-unique ${OBJECT_TYPE_IDS[type]} property`);
      }
    }
    const counts = new Map<string, number>();
    for (const input of body.inputs) counts.set(input.id, (counts.get(input.id) ?? 0) + 1);
    const duplicates = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    if (duplicates.length > 0) {
      throw badRequest(`Duplicate IDs found in batch input: [${duplicates.join(', ')}]. IDs must be unique`, { context: { ids: duplicates } });
    }
    // Validate everything first: one invalid value fails the whole request (notes §3.3).
    const found: { snap: Snap; changes: Record<string, string | null>; written: string[] }[] = [];
    const missing: string[] = [];
    const issues: ValueIssue[] = [];
    for (const input of body.inputs) {
      const snap = store.table(type).get(input.id);
      if (snap === undefined || snap.archived) {
        missing.push(input.id);
        continue;
      }
      const checked = writer.check(type, input.properties, snap);
      issues.push(...checked.issues);
      found.push({ snap, changes: checked.changes, written: Object.keys(input.properties) });
    }
    if (issues.length > 0) throw invalidValues(issues);
    for (const f of found) writer.checkEmail(type, f.changes, f.snap.id);
    const results = found.map((f) => renderWrite(type, writer.update(type, f.snap, f.changes), f.written));
    core.stats.batchUpdateInputs += found.length;
    return batchEnvelope(results, missing.length > 0 ? [missingIdsError(type, missing)] : [], startedAt);
  };

  return [
    { method: 'get', path: '/crm/v3/objects/:objectType', scopes: readScopes, handle: list },
    { method: 'post', path: '/crm/v3/objects/:objectType', scopes: writeScopes, handle: create },
    { method: 'post', path: '/crm/v3/objects/:objectType/batch/read', scopes: readScopes, handle: batchRead },
    { method: 'post', path: '/crm/v3/objects/:objectType/batch/update', scopes: writeScopes, handle: batchUpdate },
    { method: 'get', path: '/crm/v3/objects/:objectType/:objectId', scopes: readScopes, handle: get },
    { method: 'patch', path: '/crm/v3/objects/:objectType/:objectId', scopes: writeScopes, handle: update },
    { method: 'delete', path: '/crm/v3/objects/:objectType/:objectId', scopes: writeScopes, handle: archive },
  ];
}
