/**
 * Bulk API 2.0 jobs through the connector's API policy. Query results are paged here, by the
 * `Sforce-Locator` header, one page at a time: jsforce's own bulk2.query breaks when results span
 * more than one page (jsforce issues #1546, #1693). Ingest CSV is built here with every column of
 * every record: jsforce builds the header from the first record only.
 */
import Papa from 'papaparse';
import { z } from 'zod';
import type { Sleep } from '../pacing.ts';
import { ConnectorError, upstreamText } from '../contract/index.ts';
import type { SalesforceApi } from './api.ts';

const jobInfo = z.object({
  id: z.string(),
  state: z.enum(['Open', 'UploadComplete', 'InProgress', 'JobComplete', 'Failed', 'Aborted']),
  numberRecordsProcessed: z.number().optional(),
  numberRecordsFailed: z.number().optional(),
  errorMessage: z.string().nullable().optional(),
});
export type JobInfo = z.infer<typeof jobInfo>;

export interface BulkTiming {
  pollMs: number;
  timeoutMs: number;
  sleep: Sleep;
  clock: () => number;
}

export async function createQueryJob(api: SalesforceApi, soql: string): Promise<string> {
  const job = await api.json('create a Bulk API 2.0 query job', jobInfo, {
    method: 'POST',
    url: '/jobs/query',
    body: { operation: 'query', query: soql, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' },
  });
  return job.id;
}

/** Polls a job until it is done; Failed and Aborted are errors naming the job. */
export async function waitForJob(api: SalesforceApi, kind: 'query' | 'ingest', id: string, t: BulkTiming): Promise<JobInfo> {
  const started = t.clock();
  for (;;) {
    const job = await api.json(`read ${kind} job ${id}`, jobInfo, { method: 'GET', url: `/jobs/${kind}/${id}` });
    if (job.state === 'JobComplete') return job;
    if (job.state === 'Failed' || job.state === 'Aborted') {
      throw new ConnectorError('CRM_REJECTED', `Salesforce Bulk API ${kind} job ${id} ${job.state.toLowerCase()}${job.errorMessage ? `: ${upstreamText(job.errorMessage)}` : ''}`);
    }
    if (t.clock() - started > t.timeoutMs) {
      throw new ConnectorError('CRM_UNAVAILABLE', `Salesforce Bulk API ${kind} job ${id} not done after ${Math.round(t.timeoutMs / 1000)} s; the next run continues it`);
    }
    await t.sleep(t.pollMs);
  }
}

function parseCsv(label: string, body: unknown): Record<string, string>[] {
  if (typeof body !== 'string') throw new ConnectorError('INVALID_RESPONSE', `Salesforce ${label}: expected CSV text`);
  const parsed = Papa.parse<Record<string, string>>(body, { header: true, skipEmptyLines: true });
  const bad = parsed.errors.find((e) => e.type !== 'Delimiter');
  if (bad) throw new ConnectorError('INVALID_RESPONSE', `Salesforce ${label}: unreadable CSV at row ${bad.row ?? '?'}: ${bad.message}`);
  return parsed.data;
}

/** One page of a completed query job's results; `next` is null after the last. */
export async function queryResultPage(api: SalesforceApi, jobId: string, locator: string | null): Promise<{ rows: Record<string, string>[]; next: string | null }> {
  const label = `read results of query job ${jobId}`;
  const query = locator ? `?locator=${encodeURIComponent(locator)}` : '';
  const res = await api.send(label, { method: 'GET', url: `/jobs/query/${jobId}/results${query}`, headers: { accept: 'text/csv' } }, { responseType: 'text/plain' });
  const next = res.headers['sforce-locator'];
  if (next === undefined) throw new ConnectorError('INVALID_RESPONSE', `Salesforce ${label}: no Sforce-Locator header`);
  return { rows: parseCsv(label, res.body), next: next === 'null' || next === '' ? null : next };
}

/** CSV for an ingest job: a column for every field any record sets; null as #N/A (clear), unset as empty (leave). */
export function ingestCsv(records: { Id: string; values: Record<string, string | number | null> }[]): string {
  const columns = [...new Set(records.flatMap((r) => Object.keys(r.values)))].sort();
  const rows = records.map((r) => [r.Id, ...columns.map((c) => (c in r.values ? (r.values[c] === null ? '#N/A' : String(r.values[c])) : ''))]);
  return Papa.unparse({ fields: ['Id', ...columns], data: rows }, { newline: '\n', quotes: true });
}

export interface IngestOutcome {
  failed: Map<string, string>;
  /** Records in the job that Salesforce did not get to (the job ended early): not written. */
  unprocessed: Set<string>;
}

/** An update job for these records, run to completion; failures by record id as "CODE:message". */
export async function runUpdateJob(api: SalesforceApi, object: string, csv: string, count: number, t: BulkTiming): Promise<IngestOutcome> {
  const job = await api.json('create a Bulk API 2.0 ingest job', jobInfo, {
    method: 'POST',
    url: '/jobs/ingest',
    body: { object, operation: 'update', contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' },
  });
  await api.send(`upload data of ingest job ${job.id}`, { method: 'PUT', url: `/jobs/ingest/${job.id}/batches`, body: csv, headers: { 'content-type': 'text/csv' } });
  await api.send(`close ingest job ${job.id}`, { method: 'PATCH', url: `/jobs/ingest/${job.id}`, body: { state: 'UploadComplete' } });
  const done = await waitForJob(api, 'ingest', job.id, t);
  const failed = new Map<string, string>();
  if ((done.numberRecordsFailed ?? 1) > 0) {
    const label = `read failed records of ingest job ${job.id}`;
    const res = await api.send(label, { method: 'GET', url: `/jobs/ingest/${job.id}/failedResults/`, headers: { accept: 'text/csv' } }, { responseType: 'text/plain' });
    for (const row of parseCsv(label, res.body)) {
      const id = row.Id || row.sf__Id;
      if (id) failed.set(id, row.sf__Error ?? 'UNKNOWN:no error given');
    }
  }
  const unprocessed = new Set<string>();
  if ((done.numberRecordsProcessed ?? 0) < count) {
    const label = `read unprocessed records of ingest job ${job.id}`;
    const res = await api.send(label, { method: 'GET', url: `/jobs/ingest/${job.id}/unprocessedrecords/`, headers: { accept: 'text/csv' } }, { responseType: 'text/plain' });
    for (const r of parseCsv(label, res.body)) if (r.Id) unprocessed.add(r.Id);
  }
  return { failed, unprocessed };
}
