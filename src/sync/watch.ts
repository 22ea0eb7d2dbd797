/**
 * The light watch: where the CRM cannot call in (no public URL, Salesforce), a cycle every few seconds
 * asks the CRM for the deals and contacts changed since the last cycle (an incremental pull: a handful of
 * requests when nothing changed), stores them as a run's pull does, and rescores the customers they touch
 * (a changed contact, the contacts of a changed deal) through rescore.ts. A cycle holds the
 * installation's lease while it pulls and writes, so it never overlaps a run (whose plan phase must see
 * the store still); when a run holds it, the cycle is skipped and the next one catches up from the same
 * cursor. Its own position is the `watch` cursor; the runs' `sync` cursor is left alone.
 */
import { z } from 'zod';
import type { Connector, FieldKey } from '../../connectors/contract/index.ts';
import { purchaseRules } from '../classifier/inputLimits.ts';
import type { ClassifierSettings } from '../classifier/settings.ts';
import { accountInstallationOf } from '../companionIds.ts';
import { LifecycleSyncError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import { readSyncCursor } from './cursors.ts';
import { fieldSpecs } from './fields.ts';
import { storableCustomers } from './pulledRecords.ts';
import { acquireLease } from './lock.ts';
import { dailyShareGuard, runUsage, utcDay } from './quota.ts';
import { readScoringBasis, rescoreCustomers, type RescoreOutcome } from './rescore.ts';
import type { SyncSettings } from './settings.ts';

const DAY_MS = 86_400_000;

const watchCursor = z.object({
  /** Where the next cycle's pull starts (less the search lag): the last cycle's start. */
  since: z.number(),
  /**
   * Records seen within the look-back ("c:" or "d:" and the id → last-modified), the rescores' own
   * writes among them: pulled again unchanged, they are not changes.
   */
  seen: z.record(z.string(), z.number()),
});
type WatchCursor = z.infer<typeof watchCursor>;

export interface WatchCycleOptions {
  store: Store;
  connector: Connector;
  installationId: string;
  classifier: ClassifierSettings;
  sync: SyncSettings;
  log: Logger;
  clock?: () => number;
}

export interface WatchCycle {
  /**
   * idle: nothing changed; rescored: customers were rescored (see `rescore`: a run when something was
   * written or reported, else only their stored scores); locked: a run holds the
   * lease (nothing pulled); waiting: nothing can be rescored yet (no scored run), nothing pulled.
   */
  status: 'idle' | 'rescored' | 'locked' | 'waiting';
  /** Requests the cycle's pull sent (the rescore's are in its run). */
  pullRequests: number;
  pulled: { customers: number; deals: number };
  /** Customers the changes touched. */
  touched: number;
  rescore: RescoreOutcome | null;
  message: string | null;
}

/** One cycle: pull what changed, store it, rescore the customers it touched (and any waiting). */
export async function watchCycle(o: WatchCycleOptions): Promise<WatchCycle> {
  const clock = o.clock ?? Date.now;
  const base: WatchCycle = { status: 'idle', pullRequests: 0, pulled: { customers: 0, deals: 0 }, touched: 0, rescore: null, message: null };
  // Before any request: without a scored run there is nothing to rescore with (the first sync scores everyone).
  const basis = await readScoringBasis(o.store, o.installationId, o.classifier);
  if ('refused' in basis) return { ...base, status: 'waiting', message: basis.refused };
  let lease;
  try {
    lease = await acquireLease(
      o.store,
      o.installationId,
      o.sync.lockTtlSeconds * 1000,
      { onError: (error) => o.log.warn('the watch could not renew its lease', { error: error instanceof Error ? error.message : String(error) }) },
      { watch: true },
    );
  } catch (error) {
    if (error instanceof LifecycleSyncError && error.code === 'SYNC_LOCKED') return { ...base, status: 'locked', message: error.message };
    throw error;
  }
  try {
    const startedAt = clock();
    const cursor = await readWatchCursor(o.store, o.installationId, startedAt);
    // The last run's writes are skipped as its own next pull skips them (a rescore's few are in `seen`).
    const runWrites = (await readSyncCursor(o.store, o.installationId)).ownWrites;
    const quotaAtStart = o.connector.quota();
    const guard = await dailyShareGuard(o.store, o.installationId, o.connector, o.sync.dailyQuotaShare, clock);
    o.connector.setRequestGuard(() => {
      if (lease.lost()) throw new LifecycleSyncError('RUN_ABANDONED', 'the watch lost the lease; the next cycle continues');
      guard();
    });
    const touched = new Set<string>();
    const pulled = { customers: 0, deals: 0 };
    const lag = o.sync.searchLagSeconds * 1000;
    const seen: Record<string, number> = {};
    // What is still within the next cycle's look-back stays seen.
    const keep = (id: string, modifiedAt: number) => {
      if (modifiedAt >= startedAt - lag) seen[id] = modifiedAt;
    };
    for (const [id, at] of Object.entries(cursor.seen)) keep(id, at);
    const rules = purchaseRules(o.classifier.input, Math.floor(startedAt / DAY_MS));
    try {
      const fields: FieldKey[] = fieldSpecs(o.classifier, o.sync).map((s) => s.key);
      const request = { mode: 'incremental' as const, fields, resume: null, since: cursor.since - lag, skipOwnWrites: runWrites ? { field: 'scoredAt' as const, ...runWrites } : null };
      for await (const page of o.connector.pull(request)) {
        // Contacts and deals may share ids (HubSpot's are numbers in each object's own sequence).
        const fresh = (kind: 'c' | 'd') => (r: { recordId: string; modifiedAt: number }) => cursor.seen[`${kind}:${r.recordId}`] !== r.modifiedAt;
        const customers = storableCustomers(page.customers.filter(fresh('c')), rules, (record, reason) => o.log.warn('a signal was left out', { record, reason }));
        const deals = page.deals.filter(fresh('d'));
        for (const p of page.problems) o.log.warn('a record could not be read', { record: p.recordId, where: p.where, reason: p.reason });
        if (customers.length + deals.length > 0) {
          await o.store.transaction(async (tx) => {
            await tx.upsertCustomers(o.installationId, customers);
            await tx.upsertDeals(o.installationId, deals);
          });
        }
        for (const c of customers) touched.add(c.recordId);
        for (const d of deals) for (const id of d.customerIds) touched.add(id);
        for (const c of page.customers) keep(`c:${c.recordId}`, c.modifiedAt);
        for (const d of page.deals) keep(`d:${d.recordId}`, d.modifiedAt);
        pulled.customers += customers.length;
        pulled.deals += deals.length;
      }
    } finally {
      o.connector.setRequestGuard(null);
      // The pull's requests count against the day's share like a run's (the rescore's run counts its own).
      const used = runUsage(o.connector, quotaAtStart).requests;
      if (used > 0) await o.store.addRequestUsage(accountInstallationOf(o.installationId), utcDay(startedAt), used);
      base.pullRequests = used;
    }
    const next: WatchCycle = { ...base, pulled, touched: touched.size };
    const rescore = await rescoreCustomers({ ...o, customerIds: [...touched], lease, pulled });
    if (rescore.status === 'done') {
      next.status = 'rescored';
      next.rescore = rescore;
      // What the rescore wrote comes back in the next pull with the time the CRM gave the write (kept in
      // the store by the write phase): seen, so it is not taken for a change.
      if (rescore.summary.written > 0) {
        for (const id of touched) {
          const stored = await o.store.getCustomer(o.installationId, id);
          if (stored) seen[`c:${id}`] = stored.modifiedAt;
        }
      }
    } else if (rescore.status === 'scored') {
      next.status = 'rescored';
      next.rescore = rescore;
    } else if (rescore.status === 'deferred') {
      next.rescore = rescore;
      next.message = rescore.reason;
    }
    await o.store.setCursor(o.installationId, 'watch', { since: startedAt, seen } satisfies WatchCursor);
    return next;
  } finally {
    await lease.release();
  }
}

/** The watch's cursor; the first cycle starts where the last run's pull did (what it has not seen). */
async function readWatchCursor(store: Store, installationId: string, now: number): Promise<WatchCursor> {
  const parsed = watchCursor.safeParse(await store.getCursor(installationId, 'watch'));
  if (parsed.success) return parsed.data;
  const sync = await readSyncCursor(store, installationId);
  return { since: sync.since ?? now, seen: {} };
}

export interface WatchLoopOptions extends WatchCycleOptions {
  intervalSeconds: number;
  /** Aborted: the loop ends after the cycle in progress (SIGINT, SIGTERM, the service's stop). */
  signal: AbortSignal;
  /** After each cycle (the CLI prints the ones that did something). */
  onCycle?: (cycle: WatchCycle) => void;
}

/**
 * Cycles every `intervalSeconds` (from one cycle's start to the next) until the signal aborts. A cycle's
 * failure (the CRM down, the quota share spent) is logged and the next cycle tries again.
 */
export async function watchLoop(o: WatchLoopOptions): Promise<void> {
  const clock = o.clock ?? Date.now;
  while (!o.signal.aborted) {
    const started = clock();
    try {
      o.onCycle?.(await watchCycle(o));
    } catch (error) {
      o.log.warn('a watch cycle failed; the next one tries again', { installation: o.installationId, error: error instanceof Error ? error.message : String(error) });
    }
    await pause(Math.max(0, o.intervalSeconds * 1000 - (clock() - started)), o.signal);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
