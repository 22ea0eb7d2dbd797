/**
 * Bulk API 2.0 ingest jobs (S41–S48): create (Open) → upload one CSV → UploadComplete → InProgress →
 * JobComplete (or Failed), processed a configurable delay after the close so clients must poll. Each row
 * is validated and written like an API write. In a cell, empty means "leave unchanged" and `#N/A` sets
 * null. Results are CSVs: successful (sf__Id, sf__Created), failed (sf__Id, sf__Error) and unprocessed
 * rows, each followed by the columns as uploaded.
 */
import type { Core } from '../core.ts';
import { recordError, SalesforceError, type RecordError } from '../errors.ts';
import type { Reply } from '../http.ts';
import { canonicalId, keyPrefixOf } from '../ids.ts';
import type { ObjectSchema } from '../registry.ts';
import type { Rec } from '../store.ts';
import { SOAP_TYPE } from '../values.ts';
import type { WriteContext } from '../writes.ts';
import { parseCsv, toCsv, type ColumnDelimiter, type LineEnding } from './csv.ts';
import { baseInfo, isTerminal, timing, type JobBase } from './jobInfo.ts';

export type IngestOperation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';

export interface IngestJob extends JobBase {
  operation: IngestOperation;
  externalIdFieldName?: string;
  data?: string;
  header: string[];
  successful: { id: string; created: boolean; row: string[] }[];
  failed: { id: string; error: string; row: string[] }[];
  unprocessed: string[][];
}

function apiError(message: string, status = 400): SalesforceError {
  return new SalesforceError(status, 'API_ERROR', message);
}

/** `STATUS_CODE:message:fields --`, the failed-results cell format (S28). */
function errorCell(e: RecordError): string {
  return `${e.statusCode}:${e.message}:${e.fields.length > 0 ? `${e.fields.join(',')} ` : ''}--`;
}

export class IngestJobs {
  private readonly jobs = new Map<string, IngestJob>();
  private readonly core: Core;

  constructor(core: Core) {
    this.core = core;
  }

  create(args: { object: string; operation: IngestOperation; externalIdFieldName?: string; lineEnding: LineEnding; columnDelimiter: ColumnDelimiter; userId: string; version: string }): IngestJob {
    const schema = this.core.registry.object(args.object);
    if (schema === undefined) throw apiError(`InvalidJob : Unable to find object: ${args.object}`);
    if (args.operation === 'upsert') {
      const f = args.externalIdFieldName === undefined ? undefined : schema.field(args.externalIdFieldName);
      if (f === undefined || (f.name !== 'Id' && !f.externalId)) {
        throw apiError(`InvalidJob : Field name provided, ${args.externalIdFieldName ?? '(none)'} is not an External ID or indexed field for ${schema.def.name}`);
      }
    }
    const now = this.core.clock();
    const job: IngestJob = {
      id: this.core.store.ids.allocate('750'),
      object: schema.def.name,
      operation: args.operation,
      ...(args.externalIdFieldName === undefined ? {} : { externalIdFieldName: args.externalIdFieldName }),
      createdById: args.userId,
      createdDate: now,
      systemModstamp: now,
      state: 'Open',
      apiVersion: args.version,
      lineEnding: args.lineEnding,
      columnDelimiter: args.columnDelimiter,
      userId: args.userId,
      header: [],
      successful: [],
      failed: [],
      unprocessed: [],
    };
    this.jobs.set(job.id, job);
    return job;
  }

  get(id: string): IngestJob {
    const job = this.jobs.get(id);
    if (job === undefined) throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
    return job;
  }

  info(job: IngestJob, version: string, created = false): Record<string, unknown> {
    const base = {
      ...baseInfo(job),
      operation: job.operation,
      ...(job.externalIdFieldName === undefined ? {} : { externalIdFieldName: job.externalIdFieldName }),
      contentUrl: `services/data/v${version}/jobs/ingest/${job.id}/batches`,
    };
    if (created) return base;
    return {
      ...base,
      jobType: 'V2Ingest',
      numberRecordsProcessed: job.successful.length + job.failed.length,
      numberRecordsFailed: job.failed.length,
      ...timing(job),
      apiActiveProcessingTime: timing(job).totalProcessingTime,
      apexProcessingTime: 0,
      ...(job.errorMessage === undefined ? {} : { errorMessage: job.errorMessage }),
    };
  }

  list(version: string): Record<string, unknown> {
    return { done: true, records: [...this.jobs.values()].map((j) => this.info(j, version)), nextRecordsUrl: null };
  }

  upload(job: IngestJob, csv: string): void {
    if (job.state !== 'Open') throw apiError(`InvalidJobState : Job ${job.id} is not open for data upload, its state is ${job.state}`, 409);
    if (job.data !== undefined) {
      throw apiError(`Found multiple contents for job: <${job.id}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.`);
    }
    job.data = csv;
  }

  setState(job: IngestJob, state: 'UploadComplete' | 'Aborted'): void {
    if (state === 'Aborted') {
      if (isTerminal(job.state)) throw apiError(`InvalidJobState : Job ${job.id} is already ${job.state}`, 409);
      job.state = 'Aborted';
      job.systemModstamp = this.core.clock();
      return;
    }
    if (job.state !== 'Open') throw apiError(`InvalidJobState : Job ${job.id} is ${job.state}; only an open job can be closed`, 409);
    job.state = 'UploadComplete';
    job.systemModstamp = this.core.clock();
    const delay = this.core.bulk.processingDelayMs;
    setTimeout(() => {
      if (job.state !== 'UploadComplete') return;
      job.state = 'InProgress';
      job.startedAt = Date.now();
    }, delay / 2).unref();
    setTimeout(() => {
      if (job.state === 'UploadComplete' || job.state === 'InProgress') this.process(job);
    }, delay).unref();
  }

  delete(job: IngestJob): void {
    if (job.state === 'UploadComplete' || job.state === 'InProgress') throw apiError(`InvalidJobState : Job ${job.id} is still processing`, 409);
    this.jobs.delete(job.id);
  }

  private finish(job: IngestJob, state: 'JobComplete' | 'Failed', errorMessage?: string): void {
    job.state = state;
    if (errorMessage !== undefined) job.errorMessage = errorMessage;
    job.startedAt ??= Date.now();
    job.endedAt = Date.now();
    job.systemModstamp = this.core.clock();
  }

  private process(job: IngestJob): void {
    if (job.data === undefined) {
      this.finish(job, 'Failed', 'InvalidBatch : No data was uploaded for this job');
      return;
    }
    const parsed = parseCsv(job.data, { delimiter: job.columnDelimiter, lineEnding: job.lineEnding });
    if ('error' in parsed) {
      this.finish(job, 'Failed', parsed.error);
      return;
    }
    const schema = this.core.registry.object(job.object);
    if (schema === undefined) {
      this.finish(job, 'Failed', `InvalidBatch : Unable to find object: ${job.object}`);
      return;
    }
    job.header = parsed.header;
    const unknown = parsed.header.find((h) => {
      const f = schema.field(h);
      return f === undefined || !this.core.fls.canRead(job.userId, schema.def.name, f);
    });
    if (unknown !== undefined) {
      job.unprocessed = parsed.rows;
      this.finish(job, 'Failed', `InvalidBatch : Field name not found : ${unknown}`);
      return;
    }
    if ((job.operation === 'delete' || job.operation === 'hardDelete') && !(parsed.header.length === 1 && parsed.header[0].toLowerCase() === 'id')) {
      job.unprocessed = parsed.rows;
      this.finish(job, 'Failed', `InvalidBatch : The '${job.operation}' batch must contain only ids`);
      return;
    }
    const ctx: WriteContext = { userId: job.userId, now: this.core.clock() };
    const externalIndex = this.externalIndex(job, schema);
    for (const row of parsed.rows) {
      const cells = parsed.header.map((_, i) => row[i] ?? '');
      const outcome = this.core.faults.lockRow()
        ? this.locked(cells, parsed.header)
        : this.processRow(job, schema, parsed.header, cells, ctx, externalIndex);
      if (outcome.ok) {
        job.successful.push({ id: outcome.id, created: outcome.created, row: cells });
        this.core.stats.recordsWritten++;
      } else {
        job.failed.push({ id: outcome.id, error: errorCell(outcome.error), row: cells });
      }
    }
    this.finish(job, 'JobComplete');
  }

  private locked(cells: string[], header: string[]): { ok: false; id: string; error: RecordError } {
    this.core.stats.injected.lockRow++;
    const at = header.findIndex((h) => h.toLowerCase() === 'id');
    const id = at < 0 ? '' : cells[at];
    return { ok: false, id, error: recordError('UNABLE_TO_LOCK_ROW', `unable to obtain exclusive access to this record or 200 records: ${id}`) };
  }

  /** For upserts on an external id: value → record id, built once per job. */
  private externalIndex(job: IngestJob, schema: ObjectSchema): Map<string, string> | undefined {
    if (job.operation !== 'upsert' || job.externalIdFieldName === undefined || job.externalIdFieldName.toLowerCase() === 'id') return undefined;
    const field = schema.field(job.externalIdFieldName);
    const table = this.core.store.table(schema.def.name);
    const index = new Map<string, string>();
    if (field === undefined) return index;
    for (let s = 0; s < table.size; s++) {
      const r = table.at(s);
      const v = r?.[field.name];
      if (r !== undefined && r.IsDeleted !== true && v !== null && v !== undefined) index.set(String(v).toLowerCase(), String(r.Id));
    }
    return index;
  }

  private processRow(
    job: IngestJob,
    schema: ObjectSchema,
    header: string[],
    cells: string[],
    ctx: WriteContext,
    externalIndex: Map<string, string> | undefined,
  ): { ok: true; id: string; created: boolean } | { ok: false; id: string; error: RecordError } {
    const name = schema.def.name;
    const idAt = header.findIndex((h) => h.toLowerCase() === 'id');
    const rawId = idAt < 0 ? '' : cells[idAt];
    const fail = (error: RecordError, id = rawId) => ({ ok: false as const, id, error });
    const payload: Record<string, unknown> = {};
    header.forEach((h, i) => {
      if (i === idAt || cells[i] === '') return;
      payload[h] = cells[i] === '#N/A' ? null : cells[i];
    });
    const table = this.core.store.table(name);
    const existingById = (): { rec: Rec } | { error: RecordError } => {
      const id = canonicalId(rawId);
      if (rawId === '') return { error: recordError('MISSING_ARGUMENT', `Id not specified in an ${job.operation} call`) };
      if (id === undefined || keyPrefixOf(id) !== schema.def.keyPrefix) return { error: recordError('MALFORMED_ID', `${schema.def.label} ID: id value of incorrect type: ${rawId}`, ['Id']) };
      const rec = table.get(id);
      if (rec === undefined) return { error: recordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id') };
      if (rec.IsDeleted === true) return { error: recordError('ENTITY_IS_DELETED', 'entity is deleted') };
      return { rec };
    };
    let mode: 'create' | 'update';
    let existing: Rec | undefined;
    switch (job.operation) {
      case 'insert':
        mode = 'create';
        break;
      case 'update': {
        const r = existingById();
        if ('error' in r) return fail(r.error);
        mode = 'update';
        existing = r.rec;
        break;
      }
      case 'upsert': {
        if (externalIndex === undefined) {
          if (rawId === '') mode = 'create';
          else {
            const r = existingById();
            if ('error' in r) return fail(r.error);
            mode = 'update';
            existing = r.rec;
          }
        } else {
          const at = header.findIndex((h) => h.toLowerCase() === (job.externalIdFieldName ?? '').toLowerCase());
          const key = at < 0 ? '' : cells[at].toLowerCase();
          const found = key === '' ? undefined : externalIndex.get(key);
          existing = found === undefined ? undefined : table.get(found);
          mode = existing === undefined ? 'create' : 'update';
        }
        break;
      }
      case 'delete':
      case 'hardDelete': {
        const r = existingById();
        if ('error' in r) return fail(r.error);
        const id = String(r.rec.Id);
        const error = this.core.writer.delete(name, id, ctx);
        if (error !== undefined) return fail(error);
        if (job.operation === 'hardDelete') table.remove(id);
        return { ok: true, id, created: false };
      }
    }
    const planned = this.core.writer.plan(name, mode, payload, ctx, existing);
    if (!planned.ok) {
      if (planned.parseError !== undefined) {
        const f = planned.parseError.field;
        const col = header.findIndex((h) => h.toLowerCase() === f.name.toLowerCase()) + 1;
        const value = cells[col - 1];
        return fail(recordError('INVALID_FIELD', `Failed to deserialize field at col ${col}. Due to, '${value}' is not a valid value for the type ${SOAP_TYPE[f.type]}`, [f.name]), existing === undefined ? '' : String(existing.Id));
      }
      return fail(planned.errors[0], existing === undefined ? '' : String(existing.Id));
    }
    const rec = planned.apply();
    if (externalIndex !== undefined && job.externalIdFieldName !== undefined) {
      const v = rec[schema.field(job.externalIdFieldName)?.name ?? ''];
      if (v !== null && v !== undefined) externalIndex.set(String(v).toLowerCase(), String(rec.Id));
    }
    return { ok: true, id: String(rec.Id), created: mode === 'create' };
  }

  results(job: IngestJob, which: 'successful' | 'failed' | 'unprocessed'): Reply {
    const format = { delimiter: job.columnDelimiter, lineEnding: job.lineEnding };
    let rows: string[][];
    switch (which) {
      case 'successful':
        rows = [['sf__Id', 'sf__Created', ...job.header], ...job.successful.map((r) => [r.id, String(r.created), ...r.row])];
        break;
      case 'failed':
        rows = [['sf__Id', 'sf__Error', ...job.header], ...job.failed.map((r) => [r.id, r.error, ...r.row])];
        break;
      case 'unprocessed': {
        // Before processing, every uploaded row is unprocessed; an aborted job keeps them all.
        const pending = job.state === 'JobComplete' ? job.unprocessed : job.unprocessed.length > 0 ? job.unprocessed : this.uploadedRows(job);
        rows = [job.header.length > 0 ? job.header : this.uploadedHeader(job), ...pending];
        break;
      }
    }
    return { status: 200, text: toCsv(rows, format), contentType: 'text/csv' };
  }

  private uploadedRows(job: IngestJob): string[][] {
    if (job.data === undefined) return [];
    const parsed = parseCsv(job.data, { delimiter: job.columnDelimiter, lineEnding: job.lineEnding });
    return 'error' in parsed ? [] : parsed.rows;
  }

  private uploadedHeader(job: IngestJob): string[] {
    if (job.data === undefined) return [];
    const parsed = parseCsv(job.data, { delimiter: job.columnDelimiter, lineEnding: job.lineEnding });
    return 'error' in parsed ? [] : parsed.header;
  }
}
