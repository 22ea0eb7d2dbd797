/**
 * The pull phase: full (every record, on the reconcile cadence or on request) or incremental (records
 * modified since the cursor). Each page is stored and checkpointed before the next is asked for, so a
 * killed run's successor resumes where it stopped (STYLE: "save the checkpoint after each batch").
 */
import type { Connector, FieldKey } from '../../connectors/contract/index.ts';
import { plausibleSignals, type PurchaseRules } from '../classifier/inputLimits.ts';
import type { Logger } from '../log.ts';
import type { RunStats, Store } from '../store/types.ts';
import { readPullState, readSyncCursor, writePullState, type PullState } from './cursors.ts';
import type { SyncSettings } from './settings.ts';

export interface PullPhaseOptions {
  store: Store;
  connector: Connector;
  installationId: string;
  runId: string;
  sync: SyncSettings;
  forceFull: boolean;
  /** The plugin's fields the pull reads (those that exist and can be read). */
  fields: FieldKey[];
  /** What counts as plausible input (signals are checked as they are stored). */
  rules: PurchaseRules;
  now: number;
  stats: RunStats;
  log: Logger;
  onProgress?: (pulled: number) => void;
}

export interface PullOutcome {
  mode: 'full' | 'incremental';
  /** When this pull (or the interrupted one it resumed) started. */
  startedAt: number;
}

const DAY_MS = 86_400_000;

export async function pullPhase(o: PullPhaseOptions): Promise<PullOutcome> {
  const cursor = await readSyncCursor(o.store, o.installationId);
  const fullDue = cursor.since === null || cursor.lastFullAt === null || o.now - cursor.lastFullAt >= o.sync.fullReconcileDays * DAY_MS;
  let mode: 'full' | 'incremental' = o.forceFull || fullDue ? 'full' : 'incremental';
  const interrupted = await readPullState(o.store, o.installationId);
  let state: PullState;
  // An interrupted full pull is always finished; an interrupted incremental one only by an incremental run.
  if (interrupted && (interrupted.mode === 'full' || mode === 'incremental')) {
    mode = interrupted.mode;
    state = interrupted;
    o.log.info('resuming an interrupted pull', { mode, startedAt: new Date(state.startedAt).toISOString() });
  } else {
    const lag = o.sync.searchLagSeconds * 1000;
    state = { mode, pullId: o.runId, startedAt: o.now, since: mode === 'incremental' && cursor.since !== null ? cursor.since - lag : null, resume: null };
  }
  await writePullState(o.store, o.installationId, state);
  const seenInPull = mode === 'full' ? state.pullId : undefined;
  const request = {
    mode,
    fields: o.fields,
    resume: state.resume,
    since: state.since,
    skipOwnWrites: mode === 'incremental' && cursor.ownWrites ? { field: 'scoredAt' as const, ...cursor.ownWrites } : null,
  };
  for await (const page of o.connector.pull(request)) {
    const problems = [...page.problems];
    const customers = page.customers.map((c) => {
      // Implausible signals are left out and reported; the customer is kept.
      const checked = plausibleSignals(c.signals, o.rules);
      for (const reason of checked.problems) problems.push({ where: `${o.connector.label} record ${c.recordId}`, reason, recordId: c.recordId });
      return { recordId: c.recordId, modifiedAt: c.modifiedAt, signals: checked.signals, crmValues: c.fieldValues, ...(c.display ? { display: c.display } : {}) };
    });
    const next = { ...state, resume: page.cursor };
    // A page and its checkpoint stand or fall together (the store's upserts are idempotent anyway).
    await o.store.transaction(async (tx) => {
      await tx.upsertCustomers(o.installationId, customers, seenInPull);
      await tx.upsertDeals(o.installationId, page.deals, seenInPull);
      if (problems.length > 0) await tx.addRunErrors(problems.map((p) => ({ runId: o.runId, recordId: p.recordId ?? null, phase: 'pull' as const, code: 'BAD_RECORD', message: `${p.where}: ${p.reason}`, at: Date.now() })));
      await writePullState(tx, o.installationId, next);
    });
    state = next;
    o.stats.skippedRecords += problems.length;
    o.stats.pulledCustomers += page.customers.length;
    o.stats.pulledDeals += page.deals.length;
    o.onProgress?.(o.stats.pulledCustomers + o.stats.pulledDeals);
  }
  if (mode === 'full') {
    const gone = await o.store.markUnseenDeleted(o.installationId, state.pullId);
    if (gone.customers + gone.deals > 0) o.log.info('records no longer in the CRM', gone);
  }
  await writePullState(o.store, o.installationId, null);
  return { mode, startedAt: state.startedAt };
}
