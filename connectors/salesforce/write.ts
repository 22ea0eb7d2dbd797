/**
 * Writing the plugin's fields: sObject Collections update (≤ 200 records a call, allOrNone false, a
 * result per record), or a Bulk API 2.0 ingest job for large runs. Records Salesforce could not lock
 * (UNABLE_TO_LOCK_ROW: another process holds them) are sent again after a pause; other per-record
 * failures are returned with Salesforce's code. Reads of current values use Collections retrieve.
 */
import { z } from 'zod';
import { canonicalFieldValues, type FieldKey, type FieldSpec, type FieldValues, RECORD_NOT_FOUND, type RecordUpdate, upstreamText, type WriteResult } from '../contract/index.ts';
import type { Sleep } from '../pacing.ts';
import { backoffMs, type RetryPolicy } from '../retry.ts';
import type { SalesforceApi } from './api.ts';
import { ingestCsv, runUpdateJob, type BulkTiming } from './bulk.ts';
import { salesforceValues, text } from './mapping.ts';
import { chunks } from './soql.ts';

export const COLLECTION_LIMIT = 200;
const RETRIEVE_LIMIT = 2000;

/** Codes that mean the record is gone (deleted, merged, or never existed). */
const GONE = new Set(['ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY', 'INVALID_ID_FIELD', 'NOT_FOUND', 'MALFORMED_ID']);
const LOCKED = 'UNABLE_TO_LOCK_ROW';

const saveResults = z.array(
  z.object({
    id: z.string().nullable().optional(),
    success: z.boolean(),
    errors: z.array(z.object({ statusCode: z.string().optional(), errorCode: z.string().optional(), message: z.string().optional() }).passthrough()),
  }),
);

export interface WriteContext<K extends string = FieldKey> extends CollectionContext {
  object: string;
  names: Record<K, string>;
  specs: ReadonlyMap<K, FieldSpec<K>>;
}

/**
 * When written records were stamped, at the latest, on Salesforce's clock: its Date header after the
 * write, which is whole seconds, so up to the end of that second.
 */
function writtenBy(serverTime: number | null): number | null {
  return serverTime === null ? null : serverTime + 999;
}

/** A record Salesforce did not update; its text is Salesforce's, so cut short with token shapes masked. */
function failure(recordId: string, rawCode: string, rawMessage: string): WriteResult {
  const code = upstreamText(rawCode, [], 80);
  const message = upstreamText(rawMessage);
  return { recordId, ok: false, code: GONE.has(code) ? RECORD_NOT_FOUND : code, message: GONE.has(code) ? `${code}: ${message}` : message };
}

/** What sending a Collections request needs: the API, and how to wait before sending locked rows again. */
export interface CollectionContext {
  api: SalesforceApi;
  retry: RetryPolicy;
  sleep: Sleep;
}

export type SaveOutcome = { ok: true } | { ok: false; code: string; message: string };

/**
 * One sObject Collections create (POST) or update (PATCH) of ≤ 200 records, allOrNone false: a result
 * per record, in order. Records Salesforce could not lock are sent again (alone) after a pause.
 */
export async function saveCollection(ctx: CollectionContext, method: 'POST' | 'PATCH', label: string, records: Record<string, unknown>[]): Promise<SaveOutcome[]> {
  const outcomes: SaveOutcome[] = records.map(() => ({ ok: false, code: 'NO_RESULT', message: 'Salesforce returned no result for this record' }));
  let pending = records.map((_, i) => i);
  for (let attempt = 1; pending.length > 0; attempt++) {
    const answer = await ctx.api.json(label, saveResults, { method, url: '/composite/sobjects', body: { allOrNone: false, records: pending.map((i) => records[i]) } });
    const locked: number[] = [];
    pending.forEach((index, k) => {
      const r = answer[k];
      if (r === undefined) return;
      if (r.success) {
        outcomes[index] = { ok: true };
        return;
      }
      const e = r.errors[0] ?? {};
      const code = e.statusCode ?? e.errorCode ?? 'UNKNOWN_ERROR';
      if (code === LOCKED && attempt < ctx.retry.maxAttempts) locked.push(index);
      else outcomes[index] = { ok: false, code: upstreamText(code, [], 80), message: upstreamText(e.message ?? '') };
    });
    pending = locked;
    if (pending.length > 0) await ctx.sleep(backoffMs(ctx.retry, attempt, ctx.retry.baseDelayMs));
  }
  return outcomes;
}

export async function writeCollection<K extends string = FieldKey>(ctx: WriteContext<K>, updates: { recordId: string; values: Partial<Record<K, string | null>> }[]): Promise<WriteResult[]> {
  const records = updates.map((u) => ({ attributes: { type: ctx.object }, id: u.recordId, ...salesforceValues(u.values, ctx.names, ctx.specs) }));
  const outcomes = await saveCollection(ctx, 'PATCH', `update ${updates.length} ${ctx.object} records`, records);
  const at = writtenBy(ctx.api.serverTime());
  return updates.map((u, i) => {
    const o = outcomes[i];
    return o.ok ? { recordId: u.recordId, ok: true, modifiedAt: at } : failure(u.recordId, o.code, o.message);
  });
}

/** A Bulk API 2.0 update job for many records; locked rows are sent again in a smaller job. */
export async function writeBulk(ctx: WriteContext, updates: RecordUpdate[], timing: BulkTiming): Promise<WriteResult[]> {
  const results = new Map<string, WriteResult>();
  let pending = updates;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const csv = ingestCsv(pending.map((u) => ({ Id: u.recordId, values: salesforceValues(u.values, ctx.names, ctx.specs) })));
    const outcome = await runUpdateJob(ctx.api, ctx.object, csv, pending.length, timing);
    const at = writtenBy(ctx.api.serverTime());
    const again: RecordUpdate[] = [];
    for (const u of pending) {
      const error = outcome.failed.get(u.recordId) ?? (outcome.unprocessed.has(u.recordId) ? `${LOCKED}:not processed by the job` : undefined);
      if (error === undefined) {
        results.set(u.recordId, { recordId: u.recordId, ok: true, modifiedAt: at });
        continue;
      }
      // "CODE:message:fields" as the failed-results CSV has it.
      const [code, ...rest] = error.split(':');
      if (code === LOCKED && attempt < ctx.retry.maxAttempts) again.push(u);
      else results.set(u.recordId, failure(u.recordId, code, rest.join(':').replace(/:--$/, '')));
    }
    pending = again;
    if (pending.length > 0) await ctx.sleep(backoffMs(ctx.retry, attempt, ctx.retry.baseDelayMs));
  }
  return updates.map((u) => results.get(u.recordId) ?? failure(u.recordId, 'NO_RESULT', 'no result'));
}

const retrieved = z.array(z.record(z.string(), z.unknown()).nullable());

export async function readValues(ctx: WriteContext, recordIds: string[]): Promise<Map<string, FieldValues>> {
  const out = new Map<string, FieldValues>();
  const fields = ['Id', ...Object.values(ctx.names)];
  for (const ids of chunks(recordIds, RETRIEVE_LIMIT)) {
    const records = await ctx.api.json(`read ${ids.length} ${ctx.object} records`, retrieved, { method: 'POST', url: `/composite/sobjects/${ctx.object}`, body: { ids, fields } });
    for (const r of records) {
      const id = r === null ? null : text(r, 'Id');
      if (r === null || id === null) continue;
      out.set(id, canonicalFieldValues((key) => text(r, ctx.names[key]), ctx.specs).values);
    }
  }
  return out;
}
