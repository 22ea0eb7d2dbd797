/** CRM objects v3 routes for one record of contacts or deals: list, get, create, update, archive. */
import { z } from 'zod';
import type { ApiRoute, RouteContext } from './api.ts';
import type { Core } from './core.ts';
import { afterWrite } from './batchRoutes.ts';
import { badRequest, ruleRefusals } from './errors.ts';
import { parseJsonBody, parseQuery, parseWith, type Reply } from './http.ts';
import { associationInputs, boolParam, listParam, objectNotFound, objectViews, propertyValues, readScopes, writeScopes } from './objectViews.ts';
import { resolveObjectType, type ObjectType } from './schema.ts';
import type { Snap } from './store.ts';
import { enforcesRules } from './versions.ts';

const MAX_LIST_LIMIT = 100;

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

const createBody = z.object({ properties: propertyValues, associations: associationInputs });
const updateBody = z.object({ properties: propertyValues });

export function objectRoutes(core: Core): ApiRoute[] {
  const { store, writer } = core;
  const { render, renderWrite, findBy, associationTargets, createWith } = objectViews(core);

  /** From 2026-09 the account's validation rules apply to a write (portalRules.ts). */
  const checkRules = (version: string | null, type: ObjectType, snap: Snap | undefined, changes: Record<string, string | null>, written: string[]): void => {
    if (!enforcesRules(version)) return;
    const refusals = core.rules.check(type, afterWrite(snap, changes), written);
    if (refusals.length > 0) throw ruleRefusals(refusals.map((r) => ({ id: snap?.id ?? 'new', ...r })), writer.portalId);
  };

  const list = ({ req, params, baseUrl }: RouteContext): Reply => {
    const type = resolveObjectType(params.objectType);
    const q = parseQuery(listQuery, req.query);
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
      body.paging = { next: { after: next.id, link: `${baseUrl}${req.path}?limit=${limit}&after=${next.id}` } };
    }
    return { status: 200, body };
  };

  const get = ({ req, params }: RouteContext): Reply => {
    const type = resolveObjectType(params.objectType);
    const q = parseQuery(getQuery, req.query);
    const snap = findBy(type, params.objectId, q.idProperty);
    if (snap === undefined || snap.archived !== q.archived) throw objectNotFound(params.objectId);
    return { status: 200, body: render(type, snap, q) };
  };

  const create = ({ req, params, version }: RouteContext): Reply => {
    const type = resolveObjectType(params.objectType);
    const body = parseWith(createBody, parseJsonBody(req), 'SimplePublicObjectInputForCreate');
    const changes = writer.checkOrThrow(type, body.properties);
    checkRules(version, type, undefined, changes, Object.keys(body.properties));
    const snap = createWith(type, changes, associationTargets(type, body.associations));
    return { status: 201, body: renderWrite(type, snap, Object.keys(body.properties)) };
  };

  const update = ({ req, params, version }: RouteContext): Reply => {
    const type = resolveObjectType(params.objectType);
    const idProperty = parseQuery(z.object({ idProperty: z.string().optional() }), req.query).idProperty;
    const body = parseWith(updateBody, parseJsonBody(req), 'SimplePublicObjectInput');
    const snap = findBy(type, params.objectId, idProperty);
    if (snap === undefined || snap.archived) throw objectNotFound(params.objectId);
    const changes = writer.checkOrThrow(type, body.properties, snap);
    checkRules(version, type, snap, changes, Object.keys(body.properties));
    return { status: 200, body: renderWrite(type, writer.update(type, snap, changes), Object.keys(body.properties)) };
  };

  const archive = ({ params }: RouteContext): Reply => {
    const type = resolveObjectType(params.objectType);
    const snap = store.table(type).get(params.objectId);
    if (snap !== undefined && !snap.archived) writer.archive(type, snap);
    return { status: 204 };
  };

  return [
    { method: 'get', path: '/crm/v3/objects/:objectType', scopes: readScopes, handle: list },
    { method: 'post', path: '/crm/v3/objects/:objectType', scopes: writeScopes, handle: create },
    { method: 'get', path: '/crm/v3/objects/:objectType/:objectId', scopes: readScopes, handle: get },
    { method: 'patch', path: '/crm/v3/objects/:objectType/:objectId', scopes: writeScopes, handle: update },
    { method: 'delete', path: '/crm/v3/objects/:objectType/:objectId', scopes: writeScopes, handle: archive },
  ];
}
