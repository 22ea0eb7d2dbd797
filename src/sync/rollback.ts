/**
 * Rollback of a run: the values the run wrote are set back to the values they replaced. A record's
 * fields are one statement (a stage with its reason, a churn risk with its band), so a record is restored
 * as a whole, and only where the CRM still holds every value the run wrote to it; a record changed since
 * in any of them (by a person, another tool or a later run) is left alone as a whole and reported with
 * what differs — also where a later sync wrote other fields of it that the CRM still holds (a later run
 * with the same as-of day adds no new scoring time). Writes an interrupted run had in flight are
 * included: the CRM's current values tell whether they landed. The rollback is itself a run (same
 * lifecycle, audit, quota and write policy). A run's deal outputs (deal scoring, audit records
 * `deal:<id>`) are restored the same way after its customers, through the deal object; a deal closed
 * since is left alone, as a sync would.
 */
import { type Connector, DEAL_OUTPUT_KEYS, type DealFieldValues, FIELD_KEYS, type FieldValues, quoted } from '../../connectors/contract/index.ts';
import { LifecycleSyncError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { type AuditField, DEAL_RECORD_PREFIX, type Store } from '../store/types.ts';
import { emptyDealStats, writeDeals, type DealChange } from './dealPhase.ts';
import { performRun, type SyncSummary } from './lifecycle.ts';
import type { Change } from './planPhase.ts';
import type { SyncSettings } from './settings.ts';
import { writePhase } from './writePhase.ts';

export interface RollbackOptions {
  store: Store;
  connector: Connector;
  installationId: string;
  /** The run to roll back. */
  runId: string;
  sync: SyncSettings;
  log: Logger;
  clock?: () => number;
  /** The rollback run's own id, when the caller needs it before the run ends. */
  newRunId?: string;
  /** Called once the rollback is recorded as running. */
  onStarted?: (runId: string) => void;
}

type Written = Map<AuditField, { previous: string | null; next: string | null }>;
/** Values by field, of either object (customer fields or deal outputs). */
type AnyValues = Partial<Record<AuditField, string | null>>;
/** Which of a run's records: the customers', or the deals' (record ids `deal:<CRM id>`). */
type RecordKind = 'customer' | 'deal';
const kindOf = (recordId: string): RecordKind => (recordId.startsWith(DEAL_RECORD_PREFIX) ? 'deal' : 'customer');
type WrittenRecord = { recordId: string; fields: Written; lastEntry: number };

/** Audit entries read per page, and records restored per chunk: a large run is rolled back in bounded memory. */
const AUDIT_PAGE = 5000;
const RECORDS_PER_CHUNK = 1000;

/**
 * What the run wrote (or may have written, if it was interrupted mid-batch), record by record (the audit
 * is read in record order), with the id of each record's last entry.
 */
async function* writtenByRun(store: Store, runId: string, kind: RecordKind): AsyncGenerator<WrittenRecord> {
  let after: { recordId: string; id: number } | null = null;
  let current: WrittenRecord | null = null;
  for (;;) {
    const page = await store.auditPage(runId, after, AUDIT_PAGE);
    for (const entry of page) {
      // Customers and deals are restored apart (each through its own object's reads and writes).
      if (kindOf(entry.recordId) !== kind) continue;
      if (current && current.recordId !== entry.recordId) {
        if (current.fields.size > 0) yield current;
        current = null;
      }
      current ??= { recordId: entry.recordId, fields: new Map() as Written, lastEntry: entry.id };
      if (entry.state === 'failed') continue; // the CRM refused it: nothing landed
      current.lastEntry = Math.max(current.lastEntry, entry.id);
      const earlier = current.fields.get(entry.field);
      // A record written twice in one run (a retry): restore to what was there before the first write.
      current.fields.set(entry.field, { previous: earlier ? earlier.previous : entry.previous, next: entry.next });
    }
    const last = page.at(-1);
    if (!last || page.length < AUDIT_PAGE) break;
    after = { recordId: last.recordId, id: last.id };
  }
  if (current && current.fields.size > 0) yield current;
}

async function* inChunks(records: AsyncIterable<WrittenRecord>): AsyncGenerator<WrittenRecord[]> {
  let chunk: WrittenRecord[] = [];
  for await (const r of records) {
    chunk.push(r);
    if (chunk.length >= RECORDS_PER_CHUNK) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** A later sync's write to a field the rolled-back run did not write, still in the CRM. */
export interface LaterWrite {
  field: AuditField;
  value: string | null;
  runId: string;
}

/** The most recent audit entries of a record looked at for later writes (more means later runs rewrote it anyway). */
const LATER_ENTRIES = 1000;

/**
 * Later syncs' writes to a record, on fields the run did not write, that the CRM still holds. A later run
 * scoring as of the same day writes such a field (a value tier that moved) without a new scoring time,
 * so the run's own fields all still hold its values; restoring them beside it would leave the record
 * with fields from different runs. Rollbacks' writes only put earlier values back and do not count.
 */
async function laterWrites(store: Store, o: { installationId: string; recordId: string; after: number; fields: Written; now: AnyValues }, isRollback: (runId: string) => Promise<boolean>): Promise<LaterWrite[]> {
  const shown: LaterWrite[] = [];
  for (const e of await store.auditOfRecord(o.installationId, o.recordId, LATER_ENTRIES)) {
    if (e.id <= o.after) break; // newest first: the rest came before the run's own writes
    if (e.state === 'failed' || o.fields.has(e.field) || shown.some((w) => w.field === e.field) || (await isRollback(e.runId))) continue;
    if ((o.now[e.field] ?? null) === e.next) shown.push({ field: e.field, value: e.next, runId: e.runId });
  }
  return shown;
}

const show = (value: string | null | undefined) => (value === null || value === undefined ? 'empty' : quoted(value));

/** The restore for one record, or why it is left alone (null and null: the run's write never landed). */
export function restoreOf(fields: Written, now: AnyValues | undefined, later: LaterWrite[] = []): { change: { values: AnyValues; previous: AnyValues } | null; leftAlone: string | null } {
  if (!now) return { change: null, leftAlone: 'the record no longer exists in the CRM' };
  const differs = [...fields].filter(([field, w]) => (now[field] ?? null) !== w.next);
  if (differs.length === 0 && later.length === 0) {
    const values: AnyValues = {};
    const previous: AnyValues = {};
    for (const [field, w] of fields) {
      values[field] = w.previous;
      previous[field] = w.next;
    }
    return { change: { values, previous }, leftAlone: null };
  }
  // Every field still holds what was there before: the run's write never landed (interrupted in flight).
  if ([...fields].every(([field, w]) => (now[field] ?? null) === w.previous)) return { change: null, leftAlone: null };
  const what = [
    ...differs.map(([field, w]) => `${field} now holds ${show(now[field])}, not the ${show(w.next)} the run wrote`),
    ...later.map((w) => `${w.field} now holds ${show(w.value)}, written by a later run (${w.runId})`),
  ].join('; ');
  return { change: null, leftAlone: `changed since the run, so the whole record was left alone: ${what}` };
}

/** The customer fields of some values (their keys are a customer record's). */
function customerValues(v: AnyValues): FieldValues {
  const out: FieldValues = {};
  for (const key of FIELD_KEYS) if (key in v) out[key] = v[key] ?? null;
  return out;
}

/** The deal outputs of some values (their keys are a deal record's). */
function dealValues(v: AnyValues): DealFieldValues {
  const out: DealFieldValues = {};
  for (const key of DEAL_OUTPUT_KEYS) if (key in v) out[key] = v[key] ?? null;
  return out;
}

/** Like runSync: refused (a rejected promise, no run row) when the run to roll back is not one. */
export async function runRollback(o: RollbackOptions): Promise<SyncSummary> {
  const target = await o.store.getRun(o.runId);
  if (!target || target.installationId !== o.installationId) throw new LifecycleSyncError('NOT_FOUND', `no run ${o.runId} for ${o.installationId}`);
  if (target.kind === 'dry_run') throw new LifecycleSyncError('NOT_FOUND', `${o.runId} is a dry run: it wrote nothing to roll back`);
  const dealsWritten = (target.stats.deals?.changed ?? 0) > 0;
  const dealConnector = o.connector.deals;
  // Its deal scores are restored through the deal object, which the connector has only with deal scoring on.
  if (dealsWritten && !dealConnector) {
    throw new LifecycleSyncError('NOT_CONFIGURED', `${o.runId} wrote deal scores; turn deal scoring back on (sync.deals.enabled) to roll it back, so its deals are restored with its customers. Nothing was rolled back`);
  }
  return performRun(
    { store: o.store, connector: o.connector, installationId: o.installationId, kind: 'rollback', asOf: target.asOf, scoredAt: null, rollbackOf: o.runId, sync: o.sync, log: o.log, clock: o.clock, runId: o.newRunId, onStarted: o.onStarted },
    async (run) => {
      run.phase = 'rollback';
      const kinds = new Map<string, boolean>();
      const isRollback = async (runId: string) => {
        let rollback = kinds.get(runId);
        if (rollback === undefined) kinds.set(runId, (rollback = (await o.store.getRun(runId))?.kind === 'rollback'));
        return rollback;
      };
      let leftAloneCount = 0;
      /** One chunk of a kind's records: what the CRM holds now (by the record ids given), what to restore, what to leave alone. */
      const planChunk = async (chunk: WrittenRecord[], current: Map<string, AnyValues>) => {
        const changes: { recordId: string; values: AnyValues; previous: AnyValues }[] = [];
        const leftAlone: { recordId: string; message: string }[] = [];
        for (const { recordId, fields, lastEntry } of chunk) {
          const now = current.get(recordId);
          const later = now ? await laterWrites(o.store, { installationId: o.installationId, recordId, after: lastEntry, fields, now }, isRollback) : [];
          const { change, leftAlone: why } = restoreOf(fields, now, later);
          if (change) changes.push({ recordId, ...change });
          else if (why) leftAlone.push({ recordId, message: why });
        }
        run.stats.changed += changes.length;
        run.stats.skippedRecords += leftAlone.length;
        leftAloneCount += leftAlone.length;
        await o.store.addRunErrors(leftAlone.map((l) => ({ runId: run.id, recordId: l.recordId, phase: 'rollback' as const, code: 'CHANGED_SINCE', message: l.message, at: run.clock() })));
        return changes;
      };
      const restores = async function* (): AsyncGenerator<Change[]> {
        for await (const chunk of inChunks(writtenByRun(o.store, o.runId, 'customer'))) {
          const current = await o.connector.readFieldValues(chunk.map((r) => r.recordId));
          run.stats.pulledCustomers += current.size;
          const changes = await planChunk(chunk, current);
          yield changes.map((c) => ({ recordId: c.recordId, values: customerValues(c.values), previous: customerValues(c.previous) }));
        }
      };
      const counts = await o.store.auditCounts(o.runId);
      const total = (counts.applied ?? 0) + (counts.pending ?? 0) + (counts.superseded ?? 0);
      run.phase = 'write';
      await writePhase({ store: o.store, connector: o.connector, installationId: o.installationId, runId: run.id, stats: run.stats, log: run.log, concurrency: o.sync.writeConcurrency, onBatch: run.saveProgress }, restores(), total);
      if (dealsWritten && dealConnector) {
        // The deals' outputs, the same way: only where the CRM still holds all the run wrote; audited as `deal:<id>`.
        const deals = (run.stats.deals = emptyDealStats());
        for await (const chunk of inChunks(writtenByRun(o.store, o.runId, 'deal'))) {
          const ids = chunk.map((r) => r.recordId.slice(DEAL_RECORD_PREFIX.length));
          const read = await dealConnector.readFieldValues(ids);
          const current = new Map<string, AnyValues>([...read].map(([id, v]) => [`${DEAL_RECORD_PREFIX}${id}`, v]));
          deals.pulled += read.size;
          const changes = await planChunk(chunk, current);
          deals.changed += changes.length;
          const restore: DealChange[] = changes.map((c) => ({ recordId: c.recordId.slice(DEAL_RECORD_PREFIX.length), values: dealValues(c.values), previous: dealValues(c.previous) }));
          await writeDeals({ deals: dealConnector, store: o.store, runId: run.id, stats: deals, log: run.log, onBatch: run.saveProgress }, restore);
        }
        run.stats.written += deals.written;
        run.stats.failed += deals.failed;
      }
      const closedSince = run.stats.deals?.closedSincePull ?? 0;
      // A deal closed since is not written (its values then are the record of how it closed).
      const notes = [leftAloneCount > 0 ? `${leftAloneCount} records changed since the run and were left alone` : null, closedSince > 0 ? `${closedSince} deals closed since the run and were left alone` : null];
      if (notes.some(Boolean)) run.message = notes.filter(Boolean).join('; ');
      run.log.info('rollback finished', { restored: run.stats.written, leftAlone: leftAloneCount });
    },
  );
}
