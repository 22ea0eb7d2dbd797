/**
 * The sync engine: the product's main job for one installation.
 *   lock → ensure fields → pull (full or incremental) → classify everyone → diff → write changes → record
 * Policy lives here, once for every CRM; connectors only do I/O. A run killed at any point leaves a
 * checkpoint and an audit trail, and the next run (with the same as-of date) ends in the same CRM state
 * as a clean run would have: pulls resume from their checkpoint, and the diff against what the CRM holds
 * makes writing idempotent.
 */
import { randomBytes } from 'node:crypto';
import { canonicalDatetime } from '../../connectors/canonical.ts';
import { ConnectorError, type Connector, type FieldKey, type FieldsReport } from '../../connectors/types.ts';
import type { ModelReport } from '../classifier/classify.ts';
import { isoDateOfDay } from '../classifier/features.ts';
import { asOfProblem, purchaseRules } from '../classifier/inputLimits.ts';
import type { ClassifierSettings } from '../classifier/settings.ts';
import { LifecycleSyncError } from '../errors.ts';
import { withLogContext, type Logger } from '../log.ts';
import { emptyRunStats, type PlannedChange, type RunErrorRecord, type RunKind, type RunStats, type RunStatus, type Store } from '../store/types.ts';
import { readSyncCursor, writeSyncCursor } from './cursors.ts';
import { fieldSpecs } from './fields.ts';
import { acquireLease } from './lock.ts';
import { fitRecord, fitToReuse } from './modelFit.ts';
import { planPhase } from './planPhase.ts';
import { pullPhase } from './pullPhase.ts';
import { dailyShareGuard, runUsage, utcDay } from './quota.ts';
import type { SyncSettings } from './settings.ts';
import { writePhase } from './writePhase.ts';

export const DAY_MS = 86_400_000;

export interface SyncProgress {
  phase: 'fields' | 'pull' | 'classify' | 'write';
  done: number;
  total: number | null;
}

export interface SyncRunOptions {
  store: Store;
  connector: Connector;
  installationId: string;
  classifier: ClassifierSettings;
  sync: SyncSettings;
  dryRun?: boolean;
  /** Force a full pull (otherwise incremental unless a full reconcile is due). */
  full?: boolean;
  /** Score as of this day (UTC day number); default today. */
  asOfDay?: number | null;
  /** Write batches in flight at once. */
  writeConcurrency?: number;
  log: Logger;
  clock?: () => number;
  onProgress?: (progress: SyncProgress) => void;
  /** The run's id, when the caller needs it before the run ends (the admin API answers with it). */
  runId?: string;
}

export interface SyncSummary {
  runId: string;
  kind: RunKind;
  status: RunStatus;
  mode: 'full' | 'incremental' | null;
  asOf: string;
  message: string | null;
  pulled: { customers: number; deals: number };
  classified: number;
  changed: number;
  written: number;
  failed: number;
  skippedRecords: number;
  requests: number;
  rateLimited: number;
  retries: number;
  changedFields: Partial<Record<FieldKey, number>>;
  stageTransitions: Record<string, number>;
  phaseMs: RunStats['phaseMs'];
  fields: FieldsReport | null;
  model: Pick<ModelReport, 'name' | 'converged' | 'logLikelihood' | 'fallbackReason' | 'reused'> | null;
}

export function newRunId(now: number): string {
  return `run_${new Date(now).toISOString().replace(/[-:]/g, '').slice(0, 15)}_${randomBytes(3).toString('hex')}`;
}

export function summarize(
  runId: string,
  kind: RunKind,
  status: RunStatus,
  mode: SyncSummary['mode'],
  asOf: string,
  message: string | null,
  stats: RunStats,
  extra: Pick<SyncSummary, 'fields' | 'model'>,
): SyncSummary {
  return {
    runId,
    kind,
    status,
    mode,
    asOf,
    message,
    pulled: { customers: stats.pulledCustomers, deals: stats.pulledDeals },
    classified: stats.classified,
    changed: stats.changed,
    written: stats.written,
    failed: stats.failed,
    skippedRecords: stats.skippedRecords,
    requests: stats.requests,
    rateLimited: stats.rateLimited,
    retries: stats.retries,
    changedFields: stats.changedFields,
    stageTransitions: stats.stageTransitions,
    phaseMs: stats.phaseMs,
    ...extra,
  };
}

/** A quota stop is a clean stop with a checkpoint, not a failure. */
function isQuotaStop(error: unknown): error is ConnectorError {
  return error instanceof ConnectorError && (error.code === 'QUOTA_SHARE_SPENT' || error.code === 'QUOTA_EXHAUSTED');
}

/**
 * Runs one sync. The lock is taken before the first await: when this returns, either the run is in the
 * store (as running) or the returned promise is already rejected (SYNC_LOCKED).
 */
export function runSync(o: SyncRunOptions): Promise<SyncSummary> {
  const startedAt = (o.clock ?? Date.now)();
  const runId = o.runId ?? newRunId(startedAt);
  // Every line logged during the run carries its id, also the connector's (it holds the base logger).
  return withLogContext({ runId }, () => runSyncAs(runId, startedAt, o));
}

async function runSyncAs(runId: string, startedAt: number, o: SyncRunOptions): Promise<SyncSummary> {
  const clock = o.clock ?? Date.now;
  const asOfDay = o.asOfDay ?? Math.floor(startedAt / DAY_MS);
  // Refused before the lock and the run row: an as-of in the future or before any plausible data
  // would rescore and rewrite every record (planPhase also refuses one before the first purchase).
  const asOfRefused = o.asOfDay === undefined || o.asOfDay === null ? null : asOfProblem(asOfDay, purchaseRules(o.classifier.input, Math.floor(startedAt / DAY_MS)), null);
  if (asOfRefused !== null) throw new LifecycleSyncError('INPUT_INVALID', `the as-of date (--as-of) ${asOfRefused}; no record was written`);
  // Backtests and demos score "as of" a day: the scoring time is that day, so reruns agree exactly.
  // Whole seconds: some CRMs (Salesforce) keep datetimes to the second, and what we write must read back equal.
  const scoredAt = o.asOfDay !== undefined && o.asOfDay !== null ? asOfDay * DAY_MS : Math.floor(startedAt / 1000) * 1000;
  const asOf = isoDateOfDay(asOfDay);
  const kind: RunKind = o.dryRun ? 'dry_run' : 'sync';
  const log = o.log.child({ runId, installation: o.installationId });
  const stats = emptyRunStats();
  const lease = acquireLease(o.store, o.installationId, o.sync.lockTtlSeconds * 1000, () => o.store.updateRun(runId, { heartbeatAt: clock() }));
  const quotaAtStart = o.connector.quota();
  let status: RunStatus = 'running';
  let message: string | null = null;
  let mode: SyncSummary['mode'] = null;
  let fields: FieldsReport | null = null;
  let model: SyncSummary['model'] = null;
  let phase: RunErrorRecord['phase'] = 'setup';
  try {
    const interrupted = o.store.markRunsInterrupted(o.installationId, runId);
    for (const run of interrupted) log.warn('an earlier run did not finish; this run continues its work', { interruptedRun: run.id });
    o.store.createRun({ id: runId, installationId: o.installationId, kind, mode: null, status, asOf, startedAt, stats, rollbackOf: null, scoredAt });
    o.store.supersedePendingAudit(o.installationId, runId);
    o.connector.setRequestGuard(dailyShareGuard(o.store, o.installationId, o.connector, o.sync.dailyQuotaShare, clock));
    log.info(o.dryRun ? 'dry run started: nothing will be written' : 'sync started', { asOf });

    let phaseStart = clock();
    const endPhase = (name: keyof RunStats['phaseMs']) => {
      const at = clock();
      stats.phaseMs[name] = at - phaseStart;
      phaseStart = at;
    };
    o.onProgress?.({ phase: 'fields', done: 0, total: null });
    fields = await o.connector.ensureFields(fieldSpecs(o.classifier, o.sync), { dryRun: o.dryRun ?? false });
    if (fields.created.length + fields.updated.length > 0) log.info(o.dryRun ? 'fields to create or update' : 'fields created or updated', { created: fields.created.map((f) => f.name), updated: fields.updated.map((f) => f.name) });

    endPhase('fields');
    phase = 'pull';
    const before = readSyncCursor(o.store, o.installationId);
    const pulled = await pullPhase({
      store: o.store,
      connector: o.connector,
      installationId: o.installationId,
      runId,
      sync: o.sync,
      forceFull: o.full ?? false,
      now: startedAt,
      stats,
      log,
      onProgress: (done) => o.onProgress?.({ phase: 'pull', done, total: null }),
    });
    mode = pulled.mode;
    o.store.updateRun(runId, { mode, stats });
    // What is pulled is in the store: the next incremental pull starts from this pull's start.
    writeSyncCursor(o.store, o.installationId, { ...before, since: pulled.startedAt, lastFullAt: mode === 'full' ? pulled.startedAt : before.lastFullAt });
    log.info('pulled', { mode, customers: stats.pulledCustomers, deals: stats.pulledDeals, skipped: stats.skippedRecords });

    endPhase('pull');
    phase = 'classify';
    o.onProgress?.({ phase: 'classify', done: 0, total: null });
    const reuse = fitToReuse(o.store, o.installationId, { mode, asOfDay, refitDays: o.sync.refitDays, settings: o.classifier });
    const asOfGiven = o.asOfDay !== undefined && o.asOfDay !== null;
    const plan = planPhase({ store: o.store, installationId: o.installationId, runId, classifier: o.classifier, sync: o.sync, asOfDay, asOfGiven, now: startedAt, scoredAt, stats, reuse });
    const m = plan.result.model;
    model = { name: m.name, converged: m.converged, logLikelihood: m.logLikelihood, fallbackReason: m.fallbackReason, reused: m.reused };
    o.store.saveModelFit(o.installationId, runId, fitRecord(plan.result, o.classifier, asOfDay, reuse));
    log.info('classified', { customers: stats.classified, model: m.name, refitted: !m.reused, changed: stats.changed, refunds: plan.refunds });

    endPhase('classify');
    phase = 'write';
    if (o.dryRun) {
      const planned: PlannedChange[] = plan.changes.flatMap((c) =>
        (Object.keys(c.values) as FieldKey[]).map((field) => ({ recordId: c.recordId, field, previous: c.previous[field] ?? null, next: c.values[field] ?? null })),
      );
      o.store.savePlan(runId, planned);
    } else if (plan.changes.length > 0) {
      const written = await writePhase(
        {
          store: o.store,
          connector: o.connector,
          installationId: o.installationId,
          runId,
          stats,
          log,
          concurrency: o.writeConcurrency ?? 4,
          onProgress: (done, total) => o.onProgress?.({ phase: 'write', done, total }),
        },
        plan.changes,
      );
      if (written.written > 0) {
        // The next incremental pull skips these writes of ours (unless someone modifies them later).
        writeSyncCursor(o.store, o.installationId, {
          ...readSyncCursor(o.store, o.installationId),
          ownWrites: { value: canonicalDatetime(scoredAt), unlessModifiedAfter: written.lastModifiedAt ?? clock() },
        });
      }
    }
    endPhase('write');
    status = 'succeeded';
    if (stats.failed > 0) message = `${stats.failed} records could not be written; they are retried first next run`;
    log.info(o.dryRun ? 'dry run finished' : 'sync finished', { written: stats.written, failed: stats.failed });
  } catch (error) {
    if (isQuotaStop(error)) {
      status = 'stopped';
      message = error.message;
      log.warn('stopped: API quota', { reason: error.message });
    } else {
      status = 'failed';
      message = error instanceof Error ? error.message : String(error);
      log.error('run failed', { error: message });
      o.store.addRunErrors([{ runId, recordId: null, phase, code: error instanceof ConnectorError || error instanceof LifecycleSyncError ? error.code : 'ERROR', message, at: clock() }]);
    }
  } finally {
    Object.assign(stats, runUsage(o.connector, quotaAtStart));
    o.store.addRequestUsage(o.installationId, utcDay(startedAt), stats.requests);
    o.store.updateRun(runId, { status, stats, message, finishedAt: clock() });
    o.connector.setRequestGuard(null);
    lease.release();
  }
  return summarize(runId, kind, status, mode, asOf, message, stats, { fields, model });
}
