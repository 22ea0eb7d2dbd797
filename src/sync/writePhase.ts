/**
 * Writing changes in full batches, with the audit of every value. Each batch's audit entries are
 * recorded as intents before the request and marked applied (or failed) after it, so a crash between
 * the two leaves a trace, and a rollback always knows the value each write replaced. Records that fail
 * are reported with their id and queued to be retried first next run; they never fail the run. Two
 * failures are not queued: a record that is gone, and one the CRM's own validation rules refused
 * (CRM_VALIDATION), which would be refused again until its data or the rule changes; it is still planned
 * next run like any record whose values differ, in its ordinary place, and its run error says why.
 */
import { type Connector, CRM_VALIDATION, type FieldKey, type FieldValues, RECORD_NOT_FOUND, type RecordUpdate, type WriteResult } from '../../connectors/contract/index.ts';
import type { Logger } from '../log.ts';
import type { RunStats, Store } from '../store/types.ts';
import type { Change } from './planPhase.ts';

export interface WriteOutcome {
  written: number;
  failed: number;
  /** Of `failed`, refused by the CRM's validation rules (CRM_VALIDATION). */
  refused: number;
  /** The CRM's last-modified time of the last record written (its clock, not ours). */
  lastModifiedAt: number | null;
}

export interface WritePhaseOptions {
  store: Store;
  connector: Connector;
  installationId: string;
  runId: string;
  stats: RunStats;
  log: Logger;
  /** Batches in flight at once (each waits for the connector's pacing). */
  concurrency: number;
  /** After each batch is recorded (the run saves its counts so far). */
  onBatch?: () => Promise<void>;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Writes the changes, which arrive in chunks (a page of the run's plan, or a rollback's next records):
 * each chunk in full batches of the connector's maximum, a few in flight. `total` (every change of the
 * run) decides whether the CRM's bulk path is used.
 */
export async function writePhase(o: WritePhaseOptions, chunks: AsyncIterable<Change[]>, total: number): Promise<WriteOutcome> {
  // Large runs go through the CRM's bulk path when it has one: fewer requests, one job at a time.
  const bulk = o.connector.bulk && total > o.connector.bulk.threshold ? o.connector.bulk : null;
  const size = bulk ? bulk.jobSize : o.connector.maxBatchSize;
  const send = bulk ? (updates: RecordUpdate[]) => bulk.write(updates) : (updates: RecordUpdate[]) => o.connector.write(updates);
  const concurrency = bulk ? 1 : o.concurrency;
  const outcome: WriteOutcome = { written: 0, failed: 0, refused: 0, lastModifiedAt: null };
  let done = 0;
  const writeAll = async (batches: Change[][]) => {
    let next = 0;
    let stopped = false;
    const worker = async () => {
      while (!stopped && next < batches.length) {
        const batch = batches[next++];
        try {
          await writeBatch(o, batch, outcome, send);
        } catch (error) {
          stopped = true;
          throw error;
        }
        done += batch.length;
        await o.onBatch?.();
        o.onProgress?.(done, total);
      }
    };
    // A failure in one worker (quota spent, CRM unavailable) stops the others at their next batch.
    const results = await Promise.allSettled(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw rejected.reason instanceof Error ? rejected.reason : new Error(String(rejected.reason));
  };
  // Chunks are pages of the plan; batches are the connector's: what does not fill a batch waits for the
  // next chunk, so a Bulk job holds jobSize records whatever the page size (at most a batch is held).
  let pending: Change[] = [];
  for await (const chunk of chunks) {
    pending = pending.length === 0 ? chunk : pending.concat(chunk);
    const full = pending.length - (pending.length % size);
    const batches: Change[][] = [];
    for (let i = 0; i < full; i += size) batches.push(pending.slice(i, i + size));
    pending = pending.slice(full);
    await writeAll(batches);
  }
  if (pending.length > 0) await writeAll([pending]);
  return outcome;
}

/** One chunk: what a caller that has its changes in memory (a small rollback chunk) passes to writePhase. */
export async function* inOneChunk(changes: Change[]): AsyncGenerator<Change[]> {
  if (changes.length > 0) yield changes;
  await Promise.resolve();
}

async function writeBatch(o: WritePhaseOptions, batch: Change[], outcome: WriteOutcome, send: (updates: RecordUpdate[]) => Promise<WriteResult[]>): Promise<void> {
  const now = Date.now();
  const entries = batch.flatMap((c) =>
    (Object.entries(c.values) as [FieldKey, string | null][]).map(([field, value]) => ({
      runId: o.runId,
      recordId: c.recordId,
      field,
      previous: c.previous[field] ?? null,
      next: value,
      state: 'pending' as const,
      at: now,
    })),
  );
  const ids = await o.store.addAudit(entries);
  const idsOf = new Map<string, number[]>();
  entries.forEach((e, i) => {
    const list = idsOf.get(e.recordId);
    if (list) list.push(ids[i]);
    else idsOf.set(e.recordId, [ids[i]]);
  });
  const results = await send(batch.map((c) => ({ recordId: c.recordId, values: c.values })));
  const byId = new Map(batch.map((c) => [c.recordId, c.values]));
  const applied: number[] = [];
  const failedIds: number[] = [];
  const crmUpdates: { recordId: string; values: FieldValues; modifiedAt: number | null }[] = [];
  const failures: { recordId: string; reason: string; code: string }[] = [];
  const gone: string[] = [];
  const refused: string[] = [];
  for (const r of results) {
    const audit = idsOf.get(r.recordId) ?? [];
    if (r.ok) {
      applied.push(...audit);
      crmUpdates.push({ recordId: r.recordId, values: byId.get(r.recordId) ?? {}, modifiedAt: r.modifiedAt });
      if (r.modifiedAt !== null) outcome.lastModifiedAt = Math.max(outcome.lastModifiedAt ?? 0, r.modifiedAt);
    } else {
      failedIds.push(...audit);
      failures.push({ recordId: r.recordId, reason: `${r.code}: ${r.message}`, code: r.code === CRM_VALIDATION ? CRM_VALIDATION : 'WRITE_FAILED' });
      if (r.code === RECORD_NOT_FOUND) gone.push(r.recordId);
      if (r.code === CRM_VALIDATION) refused.push(r.recordId);
    }
  }
  // What the CRM answered is recorded as one: the audit's states, the values it now holds, the retry queue.
  await o.store.transaction(async (tx) => {
    await tx.setAuditState(applied, 'applied');
    await tx.setAuditState(failedIds, 'failed');
    await tx.setCrmValues(o.installationId, crmUpdates);
    await tx.clearRetries(o.installationId, crmUpdates.map((u) => u.recordId));
    if (gone.length > 0) {
      // Not retried: the record is gone (deleted or merged in the CRM); a full pull brings it back if not.
      await tx.markCustomersDeleted(o.installationId, gone);
      await tx.clearRetries(o.installationId, gone);
    }
    // Not retried first: the CRM's rules would refuse it again (it is still planned like any record).
    if (refused.length > 0) await tx.clearRetries(o.installationId, refused);
    if (failures.length > 0) {
      const notQueued = new Set([...gone, ...refused]);
      const queued = failures.filter((f) => !notQueued.has(f.recordId)).map((f) => ({ recordId: f.recordId, reason: f.reason }));
      if (queued.length > 0) await tx.setRetries(o.installationId, queued);
      await tx.addRunErrors(failures.map((f) => ({ runId: o.runId, recordId: f.recordId, phase: 'write' as const, code: f.code, message: f.reason, at: Date.now() })));
    }
  });
  if (refused.length > 0) o.log.warn("records refused by the CRM's validation rules; fix the record or the rule in the CRM", { count: refused.length, first: failures.find((f) => f.code === CRM_VALIDATION) });
  if (failures.length > refused.length) o.log.warn('records not written; they will be retried first next run', { count: failures.length - refused.length, first: failures.find((f) => f.code !== CRM_VALIDATION) });
  outcome.written += crmUpdates.length;
  outcome.failed += failures.length;
  outcome.refused += refused.length;
  o.stats.written = outcome.written;
  o.stats.failed = outcome.failed;
  if (outcome.refused > 0) o.stats.refused = outcome.refused;
}
