/**
 * sObject resources: describeGlobal, basic info, describe, and single-record create / read / update /
 * delete (`/sobjects/{type}[/{id}]`). Single-record errors are 400 arrays of `{message, errorCode,
 * fields}`; a missing record is 404 NOT_FOUND.
 */
import { z } from 'zod';
import type { ApiRoute, RouteContext } from './api.ts';
import type { Core } from './core.ts';
import { basicInfo, describeGlobal, describeObject } from './describe.ts';
import { jsonParserError, notFound, RecordErrors, SalesforceError } from './errors.ts';
import { parseJsonBody, parseWith, queryList, type Reply } from './http.ts';
import { canonicalId } from './ids.ts';
import { fieldsToReturn, recordJson } from './records.ts';
import type { ObjectSchema } from './registry.ts';
import type { Planned } from './writes.ts';

const recordBody = z.record(z.string(), z.unknown());

export function objectOf(core: Core, name: string): ObjectSchema {
  const schema = core.registry.object(name);
  if (schema === undefined) throw notFound();
  return schema;
}

/** Applies a planned write, or throws what a single-record route answers. */
export function applyOrThrow(planned: Planned): string {
  if (!planned.ok) {
    if (planned.parseError !== undefined) throw jsonParserError(planned.parseError.message);
    throw new RecordErrors(planned.errors);
  }
  return String(planned.apply().Id);
}

function liveRecord(core: Core, ctx: RouteContext, schema: ObjectSchema) {
  const id = canonicalId(ctx.params.id);
  const rec = id === undefined ? undefined : core.store.table(schema.def.name).get(id);
  if (rec === undefined) throw notFound();
  if (rec.IsDeleted === true) throw new SalesforceError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
  return rec;
}

export function sobjectRoutes(core: Core): ApiRoute[] {
  const base = '/services/data/:version/sobjects';
  return [
    { method: 'get', path: base, kind: 'describeGlobal', handle: (ctx): Reply => ({ status: 200, body: describeGlobal(core, ctx.version) }) },
    {
      method: 'get',
      path: `${base}/:sobject/describe`,
      kind: 'describe',
      handle: (ctx) => ({ status: 200, body: describeObject(core, objectOf(core, ctx.params.sobject), ctx.version, ctx.userId) }),
    },
    { method: 'get', path: `${base}/:sobject`, kind: 'sobject.info', handle: (ctx) => ({ status: 200, body: basicInfo(objectOf(core, ctx.params.sobject), ctx.version) }) },
    {
      method: 'post',
      path: `${base}/:sobject`,
      kind: 'sobject.create',
      handle: (ctx) => {
        const schema = objectOf(core, ctx.params.sobject);
        const body = parseWith(recordBody, parseJsonBody(ctx.req));
        const id = applyOrThrow(core.writer.plan(schema.def.name, 'create', body, { userId: ctx.userId, now: ctx.now }));
        return { status: 201, body: { id, success: true, errors: [] } };
      },
    },
    {
      method: 'get',
      path: `${base}/:sobject/:id`,
      kind: 'sobject.get',
      handle: (ctx) => {
        const schema = objectOf(core, ctx.params.sobject);
        const rec = liveRecord(core, ctx, schema);
        const fields = fieldsToReturn(core, schema, ctx.userId, queryList(ctx.req.query.fields));
        return { status: 200, body: recordJson(schema, rec, fields, ctx.version) };
      },
    },
    {
      method: 'patch',
      path: `${base}/:sobject/:id`,
      kind: 'sobject.update',
      handle: (ctx) => {
        const schema = objectOf(core, ctx.params.sobject);
        const rec = liveRecord(core, ctx, schema);
        const body = parseWith(recordBody, parseJsonBody(ctx.req));
        applyOrThrow(core.writer.plan(schema.def.name, 'update', body, { userId: ctx.userId, now: ctx.now }, rec));
        return { status: 204 };
      },
    },
    {
      method: 'delete',
      path: `${base}/:sobject/:id`,
      kind: 'sobject.delete',
      handle: (ctx) => {
        const schema = objectOf(core, ctx.params.sobject);
        const rec = liveRecord(core, ctx, schema);
        const error = core.writer.delete(schema.def.name, String(rec.Id), { userId: ctx.userId, now: ctx.now });
        if (error !== undefined) throw new RecordErrors([error]);
        return { status: 204 };
      },
    },
  ];
}
