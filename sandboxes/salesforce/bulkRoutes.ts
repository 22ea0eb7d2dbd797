/** Bulk API 2.0 routes (`/services/data/vXX.X/jobs/query` and `/jobs/ingest`). */
import { z } from 'zod';
import type { ApiRoute } from './api.ts';
import { columnDelimiter, lineEnding } from './bulk/csv.ts';
import { IngestJobs } from './bulk/ingestJobs.ts';
import { QueryJobs } from './bulk/queryJobs.ts';
import type { Core } from './core.ts';
import { badRequest } from './errors.ts';
import { parseJsonBody, parseWith, queryValue, rawBody } from './http.ts';

const queryJobBody = z.object({
  operation: z.enum(['query', 'queryAll']),
  query: z.string(),
  contentType: z.literal('CSV').optional(),
  columnDelimiter: columnDelimiter.optional(),
  lineEnding: lineEnding.optional(),
}).loose();

const ingestJobBody = z.object({
  object: z.string(),
  operation: z.enum(['insert', 'update', 'upsert', 'delete', 'hardDelete']),
  externalIdFieldName: z.string().optional(),
  contentType: z.literal('CSV').optional(),
  columnDelimiter: columnDelimiter.optional(),
  lineEnding: lineEnding.optional(),
  assignmentRuleId: z.string().optional(),
}).loose();

const stateBody = z.object({ state: z.enum(['UploadComplete', 'Aborted']) }).loose();

function maxRecordsOf(value: unknown): number | undefined {
  const v = queryValue(value);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw badRequest('API_ERROR', `Invalid value for maxRecords: ${v}`);
  return Number(v);
}

export function bulkRoutes(core: Core): ApiRoute[] {
  const queries = new QueryJobs(core);
  const ingests = new IngestJobs(core);
  const q = '/services/data/:version/jobs/query';
  const i = '/services/data/:version/jobs/ingest';
  return [
    {
      method: 'post', path: q, kind: 'bulk.query.create', minVersion: 47,
      handle: (ctx) => {
        const body = parseWith(queryJobBody, parseJsonBody(ctx.req));
        const job = queries.create({ operation: body.operation, query: body.query, lineEnding: body.lineEnding ?? 'LF', columnDelimiter: body.columnDelimiter ?? 'COMMA', userId: ctx.userId, version: ctx.version });
        return { status: 200, body: queries.info(job, true) };
      },
    },
    { method: 'get', path: q, kind: 'bulk.query.list', minVersion: 47, handle: () => ({ status: 200, body: queries.list() }) },
    { method: 'get', path: `${q}/:id`, kind: 'bulk.query.status', minVersion: 47, handle: (ctx) => ({ status: 200, body: queries.info(queries.get(ctx.params.id)) }) },
    {
      method: 'patch', path: `${q}/:id`, kind: 'bulk.query.abort', minVersion: 47,
      handle: (ctx) => {
        const body = parseWith(stateBody, parseJsonBody(ctx.req));
        if (body.state !== 'Aborted') throw badRequest('API_ERROR', 'A query job can only be aborted');
        const job = queries.get(ctx.params.id);
        queries.abort(job);
        return { status: 200, body: queries.info(job) };
      },
    },
    {
      method: 'delete', path: `${q}/:id`, kind: 'bulk.query.delete', minVersion: 47,
      handle: (ctx) => {
        queries.delete(queries.get(ctx.params.id));
        return { status: 204 };
      },
    },
    {
      method: 'get', path: `${q}/:id/results`, kind: 'bulk.query.results', minVersion: 47,
      handle: (ctx) => {
        const locator = queryValue(ctx.req.query.locator);
        const maxRecords = maxRecordsOf(ctx.req.query.maxRecords);
        return queries.results(queries.get(ctx.params.id), { version: ctx.version, ...(locator === undefined || locator === '' ? {} : { locator }), ...(maxRecords === undefined ? {} : { maxRecords }) });
      },
    },
    {
      method: 'post', path: i, kind: 'bulk.ingest.create', minVersion: 41,
      handle: (ctx) => {
        const body = parseWith(ingestJobBody, parseJsonBody(ctx.req));
        const job = ingests.create({
          object: body.object, operation: body.operation, ...(body.externalIdFieldName === undefined ? {} : { externalIdFieldName: body.externalIdFieldName }),
          lineEnding: body.lineEnding ?? 'LF', columnDelimiter: body.columnDelimiter ?? 'COMMA', userId: ctx.userId, version: ctx.version,
        });
        return { status: 200, body: ingests.info(job, ctx.version, true) };
      },
    },
    { method: 'get', path: i, kind: 'bulk.ingest.list', minVersion: 41, handle: (ctx) => ({ status: 200, body: ingests.list(ctx.version) }) },
    { method: 'get', path: `${i}/:id`, kind: 'bulk.ingest.status', minVersion: 41, handle: (ctx) => ({ status: 200, body: ingests.info(ingests.get(ctx.params.id), ctx.version) }) },
    {
      method: 'put', path: `${i}/:id/batches`, kind: 'bulk.ingest.upload', minVersion: 41,
      handle: (ctx) => {
        ingests.upload(ingests.get(ctx.params.id), rawBody(ctx.req));
        return { status: 201 };
      },
    },
    {
      method: 'patch', path: `${i}/:id`, kind: 'bulk.ingest.state', minVersion: 41,
      handle: (ctx) => {
        const body = parseWith(stateBody, parseJsonBody(ctx.req));
        const job = ingests.get(ctx.params.id);
        ingests.setState(job, body.state);
        return { status: 200, body: ingests.info(job, ctx.version) };
      },
    },
    {
      method: 'delete', path: `${i}/:id`, kind: 'bulk.ingest.delete', minVersion: 41,
      handle: (ctx) => {
        ingests.delete(ingests.get(ctx.params.id));
        return { status: 204 };
      },
    },
    { method: 'get', path: `${i}/:id/successfulResults`, kind: 'bulk.ingest.results', minVersion: 41, handle: (ctx) => ingests.results(ingests.get(ctx.params.id), 'successful') },
    { method: 'get', path: `${i}/:id/failedResults`, kind: 'bulk.ingest.results', minVersion: 41, handle: (ctx) => ingests.results(ingests.get(ctx.params.id), 'failed') },
    { method: 'get', path: `${i}/:id/unprocessedrecords`, kind: 'bulk.ingest.results', minVersion: 41, handle: (ctx) => ingests.results(ingests.get(ctx.params.id), 'unprocessed') },
  ];
}
