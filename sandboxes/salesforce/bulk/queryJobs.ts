/**
 * Bulk API 2.0 query jobs (S35–S38). A job is created UploadComplete, moves to InProgress, and a
 * configurable delay later runs its query (a snapshot, like a cursor) and is JobComplete; clients poll.
 * Results come in pages of `maxRecords` rows (a default when absent), each a complete CSV with its
 * header row, with `Sforce-NumberOfRecords` and `Sforce-Locator` (the literal `null` on the last page).
 */
import type { Core } from '../core.ts';
import { SalesforceError } from '../errors.ts';
import type { Reply } from '../http.ts';
import { compileSoql } from '../query.ts';
import type { CompiledQuery } from '../soql/compile.ts';
import { selectRecords } from '../soql/execute.ts';
import { csvHeader, csvRow } from '../soql/render.ts';
import type { Rec } from '../store.ts';
import { toCsv, type ColumnDelimiter, type LineEnding } from './csv.ts';
import { baseInfo, isTerminal, timing, type JobBase } from './jobInfo.ts';
import type { Query } from '../soql/ast.ts';

export interface QueryJob extends JobBase {
  operation: 'query' | 'queryAll';
  compiled: CompiledQuery;
  records?: readonly Rec[];
}

function apiError(message: string, status = 400): SalesforceError {
  return new SalesforceError(status, 'API_ERROR', message);
}

/** What Bulk API 2.0 queries cannot do (S35): aggregates, GROUP BY, OFFSET, parent-to-child subqueries. */
function checkBulkSupport(parsed: Query): void {
  if (parsed.select.some((s) => s.kind === 'subquery')) throw apiError('Aggregate Relationships not supported in Bulk V2 Query with CSV content type');
  if (parsed.select.some((s) => s.kind === 'aggregate') || parsed.groupBy.length > 0) throw apiError('Aggregate queries are not supported in Bulk V2 Query');
  if (parsed.offset !== undefined) throw apiError('OFFSET is not supported in Bulk V2 Query');
}

export class QueryJobs {
  private readonly jobs = new Map<string, QueryJob>();
  private readonly core: Core;

  constructor(core: Core) {
    this.core = core;
  }

  create(args: { operation: 'query' | 'queryAll'; query: string; lineEnding: LineEnding; columnDelimiter: ColumnDelimiter; userId: string; version: string }): QueryJob {
    const { parsed, compiled } = compileSoql(this.core, args.query, args.userId, args.operation === 'queryAll');
    checkBulkSupport(parsed);
    const now = this.core.clock();
    const job: QueryJob = {
      id: this.core.store.ids.allocate('750'),
      object: compiled.object.def.name,
      operation: args.operation,
      createdById: args.userId,
      createdDate: now,
      systemModstamp: now,
      state: 'UploadComplete',
      apiVersion: args.version,
      lineEnding: args.lineEnding,
      columnDelimiter: args.columnDelimiter,
      compiled,
      userId: args.userId,
    };
    this.jobs.set(job.id, job);
    this.schedule(job);
    return job;
  }

  private schedule(job: QueryJob): void {
    const delay = this.core.bulk.processingDelayMs;
    setTimeout(() => {
      if (job.state !== 'UploadComplete') return;
      job.state = 'InProgress';
      job.startedAt = Date.now();
      job.systemModstamp = this.core.clock();
    }, delay / 2).unref();
    setTimeout(() => {
      if (isTerminal(job.state)) return;
      job.startedAt ??= Date.now();
      job.records = selectRecords(this.core.store, job.compiled);
      job.state = 'JobComplete';
      job.endedAt = Date.now();
      job.systemModstamp = this.core.clock();
    }, delay).unref();
  }

  get(id: string): QueryJob {
    const job = this.jobs.get(id);
    if (job === undefined) throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
    return job;
  }

  info(job: QueryJob, created = false): Record<string, unknown> {
    const base = { ...baseInfo(job), operation: job.operation };
    if (created) return base;
    return { ...base, ...timing(job), numberRecordsProcessed: job.records?.length ?? 0, jobType: 'V2Query', isPkChunkingSupported: true };
  }

  list(): Record<string, unknown> {
    return { done: true, records: [...this.jobs.values()].map((j) => ({ ...this.info(j), jobType: 'V2Query' })), nextRecordsUrl: null };
  }

  abort(job: QueryJob): void {
    if (isTerminal(job.state)) throw apiError(`Job ${job.id} is already ${job.state} and cannot be aborted`);
    job.state = 'Aborted';
    job.systemModstamp = this.core.clock();
  }

  delete(job: QueryJob): void {
    if (!isTerminal(job.state)) throw apiError(`Job ${job.id} must be complete, failed or aborted before it can be deleted`);
    this.jobs.delete(job.id);
  }

  results(job: QueryJob, options: { version: string; locator?: string; maxRecords?: number }): Reply {
    if (options.version !== job.apiVersion) {
      throw new SalesforceError(409, 'API_ERROR', `The API version of the request (${options.version}) does not match the API version of the job (${job.apiVersion})`);
    }
    if (job.state !== 'JobComplete' || job.records === undefined) {
      throw new SalesforceError(412, 'JOB_NOT_COMPLETE', `can only download query results of successfully completed bulk job, job state: ${job.state}`);
    }
    let offset = 0;
    if (options.locator !== undefined) {
      const decoded = Buffer.from(options.locator, 'base64').toString('utf8');
      if (!/^\d+$/.test(decoded) || Number(decoded) > job.records.length) throw apiError(`Invalid locator: ${options.locator}`);
      offset = Number(decoded);
    }
    const size = options.maxRecords ?? this.core.bulk.resultPageRecords;
    const slice = job.records.slice(offset, offset + size);
    const next = offset + slice.length;
    const env = { store: this.core.store, version: job.apiVersion, currency: this.core.currency, userId: job.userId };
    const rows = [csvHeader(job.compiled), ...slice.map((r) => csvRow(env, job.compiled, r))];
    return {
      status: 200,
      text: toCsv(rows, { delimiter: job.columnDelimiter, lineEnding: job.lineEnding }),
      contentType: 'text/csv',
      headers: {
        'Sforce-NumberOfRecords': String(slice.length),
        // Locators are opaque strings (base64 of the next row here, like Salesforce's MTAwMDA); "null" ends.
        'Sforce-Locator': next < job.records.length ? Buffer.from(String(next)).toString('base64').replace(/=+$/, '') : 'null',
      },
    };
  }
}
