/**
 * One lifecycle for every kind of run (sync, dry run, rollback), so they cannot drift: take the lease,
 * mark orphaned runs interrupted, record the run, guard every request (daily share, lease still ours),
 * run the body, and whatever happens end it the same way — a quota stop is `stopped` with its reason, any
 * other failure is `failed` with an error row, the usage is counted, and the lease is released even
 * when the store cannot record the end (a locked or broken database must not keep the installation
 * refusing runs until a restart).
 */
import { randomBytes } from 'node:crypto';
import { type Connector, ConnectorError, type FieldsReport } from '../../connectors/contract/index.ts';
import type { ModelReport } from '../classifier/transactionModel.ts';
import { accountInstallationOf } from '../companionIds.ts';
import { LifecycleSyncError } from '../errors.ts';
import { withLogContext, type Logger } from '../log.ts';
import { emptyRunStats, type RunErrorRecord, type RunKind, type RunRecord, type RunStats, type RunStatus, type Store } from '../store/types.ts';
import { acquireLease, type Lease } from './lock.ts';
import { dailyShareGuard, runUsage, utcDay } from './quota.ts';
import type { SyncSettings } from './settings.ts';

/** How a run ended, as the CLI prints it and the API answers: its counts (RunStats) and what it was. */
export type SyncSummary = Pick<RunStats, 'classified' | 'changed' | 'written' | 'failed' | 'skippedRecords' | 'requests' | 'rateLimited' | 'retries' | 'changedFields' | 'stageTransitions' | 'phaseMs' | 'dailyQuota' | 'deals'> & {
  runId: string;
  kind: RunKind;
  status: RunStatus;
  mode: 'full' | 'incremental' | null;
  asOf: string;
  message: string | null;
  pulled: { customers: number; deals: number };
  fields: FieldsReport | null;
  model: Pick<ModelReport, 'name' | 'converged' | 'logLikelihood' | 'fallbackReason' | 'reused'> | null;
};

export function newRunId(now: number): string {
  return `run_${new Date(now).toISOString().replace(/[-:]/g, '').slice(0, 15)}_${randomBytes(3).toString('hex')}`;
}

/** What a run body fills in as it goes; the lifecycle records it at the end. */
export interface ActiveRun {
  readonly id: string;
  readonly startedAt: number;
  readonly clock: () => number;
  readonly log: Logger;
  readonly stats: RunStats;
  mode: SyncSummary['mode'];
  fields: FieldsReport | null;
  model: SyncSummary['model'];
  /** A note for the admin when the run succeeds (e.g. how many records failed). */
  message: string | null;
  /** Where a failure happened, for its error row. */
  phase: RunErrorRecord['phase'];
  /** Saves the counts so far, so a run killed later still shows what it did. */
  saveProgress: () => Promise<void>;
}

export interface RunLifecycleOptions {
  store: Store;
  connector: Connector;
  installationId: string;
  kind: RunKind;
  asOf: string;
  scoredAt: number | null;
  rollbackOf: string | null;
  sync: Pick<SyncSettings, 'lockTtlSeconds' | 'dailyQuotaShare'>;
  log: Logger;
  clock?: () => number;
  /** The run's id, when the caller needs it before the run ends (the admin API answers with it). */
  runId?: string;
  /** Called once the run is recorded as running (before that, a refusal rejects the promise). */
  onStarted?: (runId: string) => void;
  /** The installation's lease, already held by the caller (the watch's cycle): used, and left to the caller to release. */
  lease?: Lease;
}

/** A quota stop is a clean stop with a checkpoint, not a failure. */
function isQuotaStop(error: unknown): error is ConnectorError {
  return error instanceof ConnectorError && (error.code === 'QUOTA_SHARE_SPENT' || error.code === 'QUOTA_EXHAUSTED');
}

function errorCode(error: unknown): string {
  return error instanceof ConnectorError || error instanceof LifecycleSyncError ? error.code : 'ERROR';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long a run waits for a watch cycle's lease (a cycle takes a second or so; a slow CRM, longer). */
const WATCH_WAIT_MS = 30_000;

/** Delays between attempts to record a run's end while the store refuses (locked, busy). */
const END_RETRY_MS = [0, 500, 1000, 2000, 4000];

/**
 * Runs `body` as one run. The returned promise rejects without a run row when the run cannot start
 * (SYNC_LOCKED, the store's own error when it cannot even record the start); once the run is recorded,
 * `onStarted` is called (the admin API answers with the run id then), and the promise always resolves
 * with the run's summary, a failure included.
 */
export function performRun(o: RunLifecycleOptions, body: (run: ActiveRun) => Promise<void>): Promise<SyncSummary> {
  const clock = o.clock ?? Date.now;
  const startedAt = clock();
  const runId = o.runId ?? newRunId(startedAt);
  // Every line logged during the run carries its id, also the connector's (it holds the base logger).
  return withLogContext({ runId }, async () => {
    const held = o.lease;
    const lease: Lease = held
      ? { owner: held.owner, lost: () => held.lost(), release: () => Promise.resolve() }
      : await acquireLease(
          o.store,
          o.installationId,
          o.sync.lockTtlSeconds * 1000,
          {
            onHeartbeat: () => o.store.updateRun(runId, { heartbeatAt: clock() }),
            onError: (error) => o.log.warn('the run lease could not be renewed; the run stops if it is lost', { runId, error: error instanceof Error ? error.message : String(error) }),
          },
          // A watch cycle holds the lease for a second or so: a run waits for it rather than be refused (a rescore does not: its ids wait).
          { waitForWatchMs: o.kind === 'rescore' ? 0 : WATCH_WAIT_MS },
        );
    try {
      const interrupted = await o.store.markRunsInterrupted(o.installationId, runId);
      for (const run of interrupted) o.log.warn('an earlier run did not finish; this run continues its work', { interruptedRun: run.id, message: run.message });
      await o.store.createRun({ id: runId, installationId: o.installationId, kind: o.kind, mode: null, status: 'running', asOf: o.asOf, startedAt, stats: emptyRunStats(), rollbackOf: o.rollbackOf, scoredAt: o.scoredAt, owner: lease.owner });
    } catch (error) {
      await lease.release();
      throw error;
    }
    o.onStarted?.(runId);
    return runBody(o, { runId, startedAt, clock, lease }, body);
  });
}

async function runBody(o: RunLifecycleOptions, s: { runId: string; startedAt: number; clock: () => number; lease: Lease }, body: (run: ActiveRun) => Promise<void>): Promise<SyncSummary> {
  const { runId, startedAt, clock, lease } = s;
  const log = o.log.child({ runId, installation: o.installationId, ...(o.rollbackOf ? { rollbackOf: o.rollbackOf } : {}) });
  const quotaAtStart = o.connector.quota();
  const run: ActiveRun = {
    id: runId,
    startedAt,
    clock,
    log,
    stats: emptyRunStats(),
    mode: null,
    fields: null,
    model: null,
    message: null,
    phase: 'setup',
    saveProgress: () => o.store.updateRun(runId, { stats: { ...run.stats, ...runUsage(o.connector, quotaAtStart), dailyQuota: o.connector.quota().daily } }),
  };
  let status: RunStatus;
  let message: string | null;
  try {
    await o.store.supersedePendingAudit(o.installationId, runId);
    const quota = await dailyShareGuard(o.store, o.installationId, o.connector, o.sync.dailyQuotaShare, clock);
    o.connector.setRequestGuard(() => {
      // An admin abandoned the run, or its lease lapsed and another run took over: stop before the next request.
      if (lease.lost()) throw new LifecycleSyncError('RUN_ABANDONED', 'the run lost its lease (abandoned by an admin, or taken over after it stopped renewing it); it stops here and the next run continues its work');
      quota();
    });
    await body(run);
    status = 'succeeded';
    message = run.message;
  } catch (error) {
    message = error instanceof Error ? error.message : String(error);
    if (isQuotaStop(error)) {
      status = 'stopped';
      log.warn('stopped: API quota', { reason: message });
    } else {
      status = 'failed';
      log.error(`${o.kind === 'rollback' ? 'rollback' : 'run'} failed`, { phase: run.phase, error: message });
    }
    // Best effort: the failure is also in the run's own message when the store refuses the error row.
    try {
      await o.store.addRunErrors([{ runId, recordId: null, phase: run.phase, code: isQuotaStop(error) ? error.code : errorCode(error), message, at: clock() }]);
    } catch (storeError) {
      log.error('the run error could not be stored', { error: storeError instanceof Error ? storeError.message : String(storeError) });
    }
  } finally {
    o.connector.setRequestGuard(null);
  }
  Object.assign(run.stats, runUsage(o.connector, quotaAtStart));
  // Kept with the run, so the quota left is known wherever the run ran (metrics read it from the store).
  run.stats.dailyQuota = o.connector.quota().daily;
  // A run whose lease was taken has been marked by whoever took it (an admin's abandon, a later run):
  // it only adds its request usage.
  const end = lease.lost() ? null : { status, message, finishedAt: clock() };
  // When the store refuses even this, the run still answers; whoever started it may record the end later.
  await recordEnd(o, runId, end, run.stats, utcDay(startedAt), log);
  await lease.release();
  await reclaimSpace(o.store, log);
  return summarize(runId, o.kind, status, run.mode, o.asOf, message, run.stats, { fields: run.fields, model: run.model });
}

/** The store tidies what the run replaced (store.reclaimSpace); a failure to is logged, never the run's. */
async function reclaimSpace(store: Store, log: Logger): Promise<void> {
  try {
    const tables = await store.reclaimSpace();
    if (tables.length > 0) log.info('vacuumed the tables the run left with many dead rows (the database server\u2019s autovacuum is off)', { tables });
  } catch (error) {
    log.warn('the space the run replaced could not be reclaimed', { error: error instanceof Error ? error.message : String(error) });
  }
}

/** Records the run's end and its request usage, retrying for a few seconds while the store refuses. */
async function recordEnd(
  o: RunLifecycleOptions,
  runId: string,
  end: Pick<RunRecord, 'status' | 'message' | 'finishedAt'> | null,
  stats: RunStats,
  day: string,
  log: Logger,
): Promise<boolean> {
  let usageRecorded = false;
  let lastError: unknown = null;
  for (const delay of END_RETRY_MS) {
    if (delay > 0) await sleep(delay);
    try {
      if (!usageRecorded) {
        // Counted for the account: a companion's with its account installation's (quota.ts).
        await o.store.addRequestUsage(accountInstallationOf(o.installationId), day, stats.requests);
        usageRecorded = true;
      }
      if (end) await o.store.updateRun(runId, { ...end, stats });
      return true;
    } catch (error) {
      lastError = error;
    }
  }
  log.error('the end of the run could not be recorded in the state database; until it is, the next run marks it interrupted', { status: end?.status, error: lastError instanceof Error ? lastError.message : String(lastError) });
  return false;
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
  const { pulledCustomers, pulledDeals, ...counts } = stats;
  return { runId, kind, status, mode, asOf, message, pulled: { customers: pulledCustomers, deals: pulledDeals }, ...counts, ...extra };
}
