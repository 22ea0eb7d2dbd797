/**
 * Rollback of a run: every value the run wrote is set back to the value it replaced — but only where
 * the CRM still holds the value the run wrote. Anything changed since (by a person, another tool or a
 * later run) is left alone and reported. The rollback is itself a run, audited like any other.
 */
import { quoted } from '../../connectors/excerpt.ts';
import type { Connector, FieldKey, FieldValues } from '../../connectors/types.ts';
import { LifecycleSyncError } from '../errors.ts';
import { withLogContext, type Logger } from '../log.ts';
import { emptyRunStats, type RunStatus, type Store } from '../store/types.ts';
import { newRunId, summarize, type SyncSummary } from './engine.ts';
import { acquireLease } from './lock.ts';
import { dailyShareGuard, runUsage, utcDay } from './quota.ts';
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
}

/** Like runSync: the checks and the lock happen before the first await. */
export function runRollback(o: RollbackOptions): Promise<SyncSummary> {
  const startedAt = (o.clock ?? Date.now)();
  const runId = o.newRunId ?? newRunId(startedAt);
  return withLogContext({ runId }, () => runRollbackAs(runId, startedAt, o));
}

async function runRollbackAs(runId: string, startedAt: number, o: RollbackOptions): Promise<SyncSummary> {
  const clock = o.clock ?? Date.now;
  const target = o.store.getRun(o.runId);
  if (!target || target.installationId !== o.installationId) throw new LifecycleSyncError('NOT_FOUND', `no run ${o.runId} for ${o.installationId}`);
  if (target.kind === 'dry_run') throw new LifecycleSyncError('NOT_FOUND', `${o.runId} is a dry run: it wrote nothing to roll back`);
  const log = o.log.child({ runId, rollbackOf: o.runId });
  const stats = emptyRunStats();
  const lease = acquireLease(o.store, o.installationId, o.sync.lockTtlSeconds * 1000, () => o.store.updateRun(runId, { heartbeatAt: clock() }));
  const quotaAtStart = o.connector.quota();
  let status: RunStatus = 'running';
  let message: string | null = null;
  try {
    o.store.createRun({ id: runId, installationId: o.installationId, kind: 'rollback', mode: null, status, asOf: target.asOf, startedAt, stats, rollbackOf: o.runId, scoredAt: null });
    o.connector.setRequestGuard(dailyShareGuard(o.store, o.installationId, o.connector, o.sync.dailyQuotaShare, clock));
    const written = new Map<string, Map<FieldKey, { previous: string | null; next: string | null }>>();
    for (const entry of o.store.listAudit(o.runId)) {
      if (entry.state !== 'applied') continue;
      let fields = written.get(entry.recordId);
      if (!fields) written.set(entry.recordId, (fields = new Map<FieldKey, { previous: string | null; next: string | null }>()));
      fields.set(entry.field, { previous: entry.previous, next: entry.next });
    }
    const current = await o.connector.readFieldValues([...written.keys()]);
    stats.pulledCustomers = current.size;
    const changes: Change[] = [];
    const leftAlone: { recordId: string; message: string }[] = [];
    for (const [recordId, fields] of written) {
      const now = current.get(recordId);
      const values: FieldValues = {};
      const previous: FieldValues = {};
      for (const [field, w] of fields) {
        const holds = now ? (now[field] ?? null) : undefined;
        if (holds === w.next) {
          values[field] = w.previous;
          previous[field] = w.next;
        } else {
          leftAlone.push({ recordId, message: holds === undefined ? 'the record no longer exists' : `${field} now holds ${holds === null ? 'null' : quoted(holds)}, not the ${w.next === null ? 'null' : quoted(w.next)} the run wrote: left alone` });
        }
      }
      if (Object.keys(values).length > 0) changes.push({ recordId, values, previous });
    }
    stats.changed = changes.length;
    stats.skippedRecords = leftAlone.length;
    o.store.addRunErrors(leftAlone.map((l) => ({ runId, recordId: l.recordId, phase: 'rollback' as const, code: 'CHANGED_SINCE', message: l.message, at: clock() })));
    await writePhase({ store: o.store, connector: o.connector, installationId: o.installationId, runId, stats, log, concurrency: 4 }, changes);
    status = 'succeeded';
    if (leftAlone.length > 0) message = `${leftAlone.length} values changed since the run and were left alone`;
    log.info('rollback finished', { restored: stats.written, leftAlone: leftAlone.length });
  } catch (error) {
    status = 'failed';
    message = error instanceof Error ? error.message : String(error);
    log.error('rollback failed', { error: message });
  } finally {
    Object.assign(stats, runUsage(o.connector, quotaAtStart));
    o.store.addRequestUsage(o.installationId, utcDay(startedAt), stats.requests);
    o.store.updateRun(runId, { status, stats, message, finishedAt: clock() });
    o.connector.setRequestGuard(null);
    lease.release();
  }
  return summarize(runId, 'rollback', status, null, target.asOf, message, stats, { fields: null, model: null });
}
