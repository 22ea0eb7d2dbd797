/**
 * sObject Collections (S32–S34): create, update and delete up to 200 records with per-record results in
 * request order, and retrieve up to 2,000 by id. With `allOrNone`, one failure rolls back the request
 * and the valid records report ALL_OR_NONE_OPERATION_ROLLED_BACK. Injected UNABLE_TO_LOCK_ROW failures
 * land here per record.
 */
import { z } from 'zod';
import type { ApiRoute, RouteContext } from './api.ts';
import type { Core } from './core.ts';
import { badRequest, jsonParserError, recordError, SalesforceError, type RecordError } from './errors.ts';
import { parseJsonBody, parseWith, queryList, queryValue, type Reply } from './http.ts';
import { canonicalId, keyPrefixOf } from './ids.ts';
import { fieldsToReturn, recordJson } from './records.ts';
import { objectOf } from './sobjectRoutes.ts';
import type { Planned } from './writes.ts';

const MAX_RECORDS = 200;
const MAX_RETRIEVE_IDS = 2000;

const writeBody = z.object({
  allOrNone: z.boolean().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
}).loose();

const retrieveBody = z.object({ ids: z.array(z.string()), fields: z.array(z.string()) });

type Result = { id?: string; success: boolean; errors: RecordError[] };

const ROLLED_BACK = recordError('ALL_OR_NONE_OPERATION_ROLLED_BACK', 'Record rolled back because not all records were valid and the request was using AllOrNone header');
const LOCKED = recordError('UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record');

function tooMany(): SalesforceError {
  return badRequest('EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`);
}

function typeOf(record: Record<string, unknown>): string | undefined {
  const attrs = record.attributes;
  if (typeof attrs !== 'object' || attrs === null || !('type' in attrs)) return undefined;
  return typeof attrs.type === 'string' ? attrs.type : undefined;
}

function idOf(record: Record<string, unknown>): unknown {
  const key = Object.keys(record).find((k) => k.toLowerCase() === 'id');
  return key === undefined ? undefined : record[key];
}

/** Plans one record of a create or update call, or says why it fails. */
function planOne(core: Core, ctx: RouteContext, mode: 'create' | 'update', record: Record<string, unknown>): Planned {
  const type = typeOf(record);
  const schema = type === undefined ? undefined : core.registry.object(type);
  if (schema === undefined) {
    return { ok: false, errors: [recordError('INVALID_TYPE', type === undefined ? 'Must specify a type in the attributes of each record' : `sObject type '${type}' is not supported.`)] };
  }
  const write = { userId: ctx.userId, now: ctx.now };
  if (mode === 'create') {
    if (idOf(record) !== undefined) return { ok: false, errors: [recordError('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id'])] };
    return core.writer.plan(schema.def.name, 'create', record, write);
  }
  const raw = idOf(record);
  if (raw === undefined || raw === null || raw === '') return { ok: false, errors: [recordError('MISSING_ARGUMENT', 'Id not specified in an update call')] };
  const id = typeof raw === 'string' ? canonicalId(raw) : undefined;
  if (id === undefined || keyPrefixOf(id) !== schema.def.keyPrefix) {
    return { ok: false, errors: [recordError('MALFORMED_ID', `malformed id ${typeof raw === 'string' ? raw : JSON.stringify(raw)}`, ['Id'])] };
  }
  const rec = core.store.table(schema.def.name).get(id);
  if (rec === undefined) return { ok: false, errors: [recordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id')] };
  if (rec.IsDeleted === true) return { ok: false, errors: [recordError('ENTITY_IS_DELETED', 'entity is deleted')] };
  return core.writer.plan(schema.def.name, 'update', record, write, rec);
}

function writeMany(core: Core, ctx: RouteContext, mode: 'create' | 'update'): Reply {
  const body = parseWith(writeBody, parseJsonBody(ctx.req));
  if (body.records.length === 0) throw badRequest('REQUIRED_FIELD_MISSING', 'At least 1 record is required');
  if (body.records.length > MAX_RECORDS) throw tooMany();
  const plans = body.records.map((r): Planned => {
    if (core.faults.lockRow()) {
      core.stats.injected.lockRow++;
      return { ok: false, errors: [LOCKED] };
    }
    return planOne(core, ctx, mode, r);
  });
  // A value of the wrong JSON type fails the whole request before anything is written.
  for (const p of plans) if (!p.ok && p.parseError !== undefined) throw jsonParserError(p.parseError.message);
  const allOrNone = body.allOrNone === true;
  if (allOrNone && plans.some((p) => !p.ok)) {
    return { status: 200, body: plans.map((p): Result => ({ success: false, errors: p.ok ? [ROLLED_BACK] : p.errors })) };
  }
  const results = plans.map((p): Result => {
    if (!p.ok) return { success: false, errors: p.errors };
    core.stats.recordsWritten++;
    return { id: String(p.apply().Id), success: true, errors: [] };
  });
  return { status: 200, body: results };
}

function deleteMany(core: Core, ctx: RouteContext): Reply {
  const ids = queryList(ctx.req.query.ids) ?? [];
  if (ids.length === 0) throw badRequest('MISSING_ARGUMENT', 'ids parameter is required');
  if (ids.length > MAX_RECORDS) throw tooMany();
  const write = { userId: ctx.userId, now: ctx.now };
  const targets = ids.map((raw) => {
    const id = canonicalId(raw);
    const schema = id === undefined ? undefined : core.registry.byKeyPrefix(keyPrefixOf(id));
    return { raw, id, schema };
  });
  const checks = targets.map(({ raw, id, schema }): RecordError | undefined => {
    if (id === undefined || schema === undefined) return recordError('MALFORMED_ID', `malformed id ${raw}`);
    const rec = core.store.table(schema.def.name).get(id);
    if (rec === undefined) return recordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
    if (rec.IsDeleted === true) return recordError('ENTITY_IS_DELETED', 'entity is deleted');
    return undefined;
  });
  if (queryValue(ctx.req.query.allOrNone) === 'true' && checks.some((c) => c !== undefined)) {
    return { status: 200, body: targets.map((t, i): Result => ({ ...(t.id === undefined ? {} : { id: t.id }), success: false, errors: [checks[i] ?? ROLLED_BACK] })) };
  }
  return {
    status: 200,
    body: targets.map((t, i): Result => {
      const error = checks[i] ?? (t.schema === undefined || t.id === undefined ? undefined : core.writer.delete(t.schema.def.name, t.id, write));
      return error === undefined ? { id: t.id, success: true, errors: [] } : { ...(t.id === undefined ? {} : { id: t.id }), success: false, errors: [error] };
    }),
  };
}

function retrieve(core: Core, ctx: RouteContext, ids: readonly string[], fieldNames: readonly string[]): Reply {
  const schema = objectOf(core, ctx.params.sobject);
  if (ids.length > MAX_RETRIEVE_IDS) throw badRequest('EXCEEDED_ID_LIMIT', `Too many ids: the limit is ${MAX_RETRIEVE_IDS}`);
  const fields = fieldsToReturn(core, schema, ctx.userId, fieldNames);
  const table = core.store.table(schema.def.name);
  return {
    status: 200,
    body: ids.map((raw) => {
      const id = canonicalId(raw);
      const rec = id === undefined ? undefined : table.get(id);
      // Unknown, deleted or inaccessible ids come back as null, in place.
      return rec === undefined || rec.IsDeleted === true ? null : recordJson(schema, rec, fields, ctx.version);
    }),
  };
}

export function collectionRoutes(core: Core): ApiRoute[] {
  const base = '/services/data/:version/composite/sobjects';
  return [
    { method: 'post', path: base, kind: 'collections.create', minVersion: 42, handle: (ctx) => writeMany(core, ctx, 'create') },
    { method: 'patch', path: base, kind: 'collections.update', minVersion: 42, handle: (ctx) => writeMany(core, ctx, 'update') },
    { method: 'delete', path: base, kind: 'collections.delete', minVersion: 42, handle: (ctx) => deleteMany(core, ctx) },
    {
      method: 'get',
      path: `${base}/:sobject`,
      kind: 'collections.retrieve',
      minVersion: 42,
      handle: (ctx) => {
        const fields = queryList(ctx.req.query.fields);
        if (fields === undefined || fields.length === 0) throw badRequest('MISSING_ARGUMENT', 'fields parameter is required');
        return retrieve(core, ctx, queryList(ctx.req.query.ids) ?? [], fields);
      },
    },
    {
      method: 'post',
      path: `${base}/:sobject`,
      kind: 'collections.retrieve',
      minVersion: 42,
      handle: (ctx) => {
        const body = parseWith(retrieveBody, parseJsonBody(ctx.req));
        return retrieve(core, ctx, body.ids, body.fields);
      },
    },
  ];
}
