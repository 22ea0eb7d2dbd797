/**
 * Rescoring a few customers between runs (a closed deal, a changed contact: the watch, webhooks): each
 * scored with the installation's last scored run's fit and value-tier cut-offs (classifier/scoreFew.ts),
 * under a run's policy — the lease (one writer per installation), the daily share, minimum change
 * (values.ts), audit and rollback (a run of kind `rescore`), per-record failures to the retry queue
 * (writePhase.ts) — and their scores and list rows stored as a run stores them, so `explain` and the page
 * show the new values. The next run, scoring everyone with the same fit, agrees with what was written.
 *
 * Ids are first added to the installation's pending rescores (cursors.ts): when a run holds the lease,
 * the rescore is deferred and they wait for the next attempt; a rescore removes those it scored.
 */
import { z } from 'zod';
import type { Connector, FieldKey, FieldValues } from '../../connectors/contract/index.ts';
import { computeFeatures, dayOf, isoDateOfDay } from '../classifier/features.ts';
import { amountProblem, purchaseDayProblem, purchaseRules, type PurchaseRules } from '../classifier/inputLimits.ts';
import { scoreFew, type ScoringBasis } from '../classifier/scoreFew.ts';
import type { ClassifierSettings } from '../classifier/settings.ts';
import { reusableFor } from '../classifier/transactionModel.ts';
import { MODEL_CHOICES, TRANSACTION_MODELS, type Purchase } from '../classifier/types.ts';
import { LifecycleSyncError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { CustomerListEntry } from '../store/customerList.ts';
import { emptyRunStats, type RunErrorRecord, type RunStats, type Store, type StoredScores } from '../store/types.ts';
import { addPendingRescores, removePendingRescores } from './cursors.ts';
import { fieldSpecs } from './fields.ts';
import { newRunId, performRun, type ActiveRun, type SyncSummary } from './lifecycle.ts';
import type { Lease } from './lock.ts';
import { listEntry, storedScores, type Change } from './planPhase.ts';
import { storableCustomers } from './pulledRecords.ts';
import type { SyncSettings } from './settings.ts';
import { desiredValues, diffValues, stageTransition } from './values.ts';
import { inOneChunk, writePhase } from './writePhase.ts';

/** At most this many customers a rescore: more wait for the next (a webhook flood, a bulk import). */
export const RESCORE_MAX = 500;

const tierKey = z.object({ clv: z.number(), ltv: z.number(), id: z.string() }).nullable();
const storedBasis = z.object({
  asOf: z.string(),
  timeUnit: z.enum(['day', 'week']).optional(),
  model: z.object({ name: z.enum([...TRANSACTION_MODELS, 'recency_heuristic']), requested: z.enum(MODEL_CHOICES), params: z.record(z.string(), z.number()) }),
  basis: z.object({
    model: z.object({ name: z.enum([...TRANSACTION_MODELS, 'recency_heuristic']), params: z.record(z.string(), z.number()) }),
    spend: z.object({ p: z.number(), q: z.number(), gamma: z.number() }).nullable(),
    spendBaseMean: z.number(),
    tiers: z.object({ top: tierKey, middle: tierKey }),
  }),
});

/** The last scored run's basis when it serves the current settings, or why not (the next full run is then the way). */
export async function readScoringBasis(store: Store, installationId: string, settings: ClassifierSettings): Promise<{ basis: ScoringBasis; runId: string } | { refused: string }> {
  const latest = await store.latestModelFit(installationId);
  if (!latest) return { refused: 'no run has scored this installation yet: the first sync scores everyone' };
  const parsed = storedBasis.safeParse(latest.fit);
  if (!parsed.success) return { refused: `the last scored run (${latest.runId}) kept no basis for rescoring (an older version): the next sync stores one` };
  const { model, timeUnit, basis } = parsed.data;
  const serves = timeUnit === settings.timeUnit && (model.name === 'recency_heuristic' ? model.requested === settings.model : reusableFor(model, settings.model));
  if (!serves) return { refused: `the model settings changed since the last scored run (${latest.runId}): the next sync refits, then rescoring resumes` };
  return { basis, runId: latest.runId };
}

export interface RescoreOptions {
  store: Store;
  connector: Connector;
  installationId: string;
  /** CRM record ids of customers to rescore (one to a few hundred), their records refreshed in the store already. */
  customerIds: readonly string[];
  classifier: ClassifierSettings;
  sync: SyncSettings;
  log: Logger;
  clock?: () => number;
  /**
   * Read the customers and their deals from the CRM first (connector.pullCustomers: a webhook's event
   * says a record changed, not how). Without that capability the store's records are scored as they are.
   */
  refresh?: boolean;
  /** What the caller pulled for this rescore (the watch's cycle), counted in the run's stats. */
  pulled?: { customers: number; deals: number };
  /** The installation's lease when the caller holds it (the watch's cycle); else taken here. */
  lease?: Lease;
  runId?: string;
}

export type RescoreOutcome =
  /** Nothing to rescore (no ids given or waiting). */
  | { status: 'idle' }
  /** Rescored under the caller's lease with nothing to write or report: scores stored, no run recorded. */
  | { status: 'scored'; customers: number; pending: number }
  /** Not now (a run holds the lease; no scored run yet): the ids wait among the pending ones. */
  | { status: 'deferred'; reason: string; pending: number }
  | {
      status: 'done';
      summary: SyncSummary;
      /** The "scored at" value written, and the CRM's last-modified time of the last record written (the own-writes marker). */
      scoredAt: number;
      lastModifiedAt: number | null;
      /** Customer ids still waiting (more than RESCORE_MAX, or added meanwhile). */
      pending: number;
    };

/**
 * Rescores the customers (and any still waiting) and writes what changed. Never throws for a run that
 * holds the lease: the outcome says `deferred` and the ids stay pending.
 */
export async function rescoreCustomers(o: RescoreOptions): Promise<RescoreOutcome> {
  const pending = await addPendingRescores(o.store, o.installationId, o.customerIds);
  if (pending.length === 0) return { status: 'idle' };
  const found = await readScoringBasis(o.store, o.installationId, o.classifier);
  if ('refused' in found) return { status: 'deferred', reason: found.refused, pending: pending.length };
  // The ids just given first (a deal closed now), then those waiting longest.
  const given = new Set(o.customerIds);
  const ids = [...given, ...pending.filter((id) => !given.has(id))].slice(0, RESCORE_MAX);
  const clock = o.clock ?? Date.now;
  const now = clock();
  const asOfDay = dayOf(now);
  // Whole seconds, as a run's (Salesforce keeps datetimes to the second).
  const scoredAt = Math.floor(now / 1000) * 1000;
  const runId = o.runId ?? newRunId(now);
  const w: ScoreWork = { ids, basis: found.basis, asOfDay, scoredAt, runId, rules: purchaseRules(o.classifier.input, asOfDay), clock, stats: emptyRunStats(), problems: [] };
  let scored: Scored | null = null;
  if (o.lease && !o.refresh) {
    // The caller holds the lease and the store is fresh: score first, and record a run only when there
    // is something to write or to report (a watch cycle whose changes move no value leaves no run).
    scored = await scoreAndStore(o, w);
    if (scored.changes.length === 0 && w.problems.length === 0) {
      await removePendingRescores(o.store, o.installationId, ids);
      return { status: 'scored', customers: w.stats.classified, pending: pending.length - ids.length };
    }
  }
  let lastModifiedAt: number | null = null;
  let summary: SyncSummary;
  try {
    summary = await performRun(
      { store: o.store, connector: o.connector, installationId: o.installationId, kind: 'rescore', asOf: isoDateOfDay(asOfDay), scoredAt, rollbackOf: null, sync: o.sync, log: o.log, clock, runId, lease: o.lease },
      async (run) => {
        run.stats.pulledCustomers += o.pulled?.customers ?? 0;
        run.stats.pulledDeals += o.pulled?.deals ?? 0;
        if (o.refresh) await refresh(o, run, w);
        run.phase = 'classify';
        const done = scored ?? (await scoreAndStore(o, w));
        const { pulledCustomers, pulledDeals, ...counts } = w.stats;
        Object.assign(run.stats, counts, { pulledCustomers: run.stats.pulledCustomers + pulledCustomers, pulledDeals: run.stats.pulledDeals + pulledDeals });
        if (w.problems.length > 0) await o.store.addRunErrors(w.problems);
        lastModifiedAt = await writeChanges(o, run, done);
      },
    );
  } catch (error) {
    if (error instanceof LifecycleSyncError && error.code === 'SYNC_LOCKED') return { status: 'deferred', reason: error.message, pending: pending.length };
    throw error;
  }
  if (summary.status === 'succeeded') await removePendingRescores(o.store, o.installationId, ids);
  return { status: 'done', summary, scoredAt, lastModifiedAt, pending: summary.status === 'succeeded' ? pending.length - ids.length : pending.length };
}

/** What a rescore works with, and what its scoring counts and reports. */
interface ScoreWork {
  ids: string[];
  basis: ScoringBasis;
  asOfDay: number;
  scoredAt: number;
  runId: string;
  rules: PurchaseRules;
  clock: () => number;
  stats: RunStats;
  problems: RunErrorRecord[];
}

interface Scored {
  changes: Change[];
}

/** The customers scored from the store, their scores and list rows stored, and what to write. */
async function scoreAndStore(o: RescoreOptions, w: ScoreWork): Promise<Scored> {
  const started = w.clock();
  const { stats, rules, problems } = w;
  const customers = [];
  for (const id of w.ids) {
    const stored = await o.store.getCustomer(o.installationId, id);
    // Gone from the CRM or never pulled: nothing to score (a full pull brings it if it exists).
    if (!stored || stored.deleted) continue;
    const purchases: Purchase[] = [];
    let openDeals = 0;
    for (const d of await o.store.dealsOf(o.installationId, id)) {
      if (d.status === 'open') openDeals++;
      if (d.status !== 'won' || d.amount === null || d.closeDay === null) continue;
      // The plan phase's rules: an implausible won deal is reported and left out.
      const problem = purchaseDayProblem(d.closeDay, rules, 'close date') ?? amountProblem(d.amount, rules);
      if (problem !== null) {
        problems.push({ runId: w.runId, recordId: d.recordId, phase: 'classify', code: 'BAD_RECORD', message: `won deal ${d.recordId}: ${problem}`, at: w.clock() });
        continue;
      }
      purchases.push({ day: d.closeDay, amount: d.amount });
    }
    customers.push({ stored, features: computeFeatures({ ...stored.signals, id, purchases, openDeals }, w.asOfDay, o.classifier.ltv.periodDays) });
  }
  const scores = scoreFew(
    customers.map((c) => c.features),
    w.basis,
    { asOfDay: w.asOfDay, settings: o.classifier },
  );
  stats.classified = scores.length;
  const asOf = isoDateOfDay(w.asOfDay);
  const saved: { recordId: string; scores: StoredScores }[] = [];
  const list: CustomerListEntry[] = [];
  const changes: Change[] = [];
  customers.forEach(({ stored }, i) => {
    const score = scores[i];
    let desired: FieldValues;
    try {
      desired = desiredValues(score, o.classifier, o.sync, w.scoredAt);
    } catch (error) {
      if (!(error instanceof LifecycleSyncError)) throw error;
      problems.push({ runId: w.runId, recordId: stored.recordId, phase: 'classify', code: 'BAD_RECORD', message: `customer ${stored.recordId}: ${error.message}`, at: w.clock() });
      return;
    }
    // The conversion model is fitted by runs only: a prospect keeps the likelihood the CRM holds; a first purchase clears it.
    desired.conversionLikelihood = score.purchases > 0 ? null : (stored.crmValues.conversionLikelihood ?? null);
    const values = diffValues(desired, stored.crmValues, o.sync);
    desired.stageChangedAt = values.stageChangedAt ?? stored.crmValues.stageChangedAt ?? null;
    saved.push({ recordId: stored.recordId, scores: storedScores(score, asOf, desired) });
    const keys = Object.keys(values) as FieldKey[];
    list.push(listEntry(stored, desired, keys.length > 0));
    if (keys.length === 0) return;
    for (const key of keys) stats.changedFields[key] = (stats.changedFields[key] ?? 0) + 1;
    const transition = stageTransition(stored.crmValues, values);
    if (transition) stats.stageTransitions[transition] = (stats.stageTransitions[transition] ?? 0) + 1;
    const previous: FieldValues = {};
    for (const key of keys) previous[key] = stored.crmValues[key] ?? null;
    changes.push({ recordId: stored.recordId, values, previous });
  });
  stats.changed = changes.length;
  await o.store.transaction(async (tx) => {
    await tx.patchScores(o.installationId, saved);
    await tx.updateCustomerListRows(o.installationId, list);
  });
  stats.skippedRecords += problems.length;
  stats.phaseMs.classify = w.clock() - started;
  return { changes };
}

/** The changes written, audited, failures to the retry queue (writePhase.ts); the CRM's last-modified time of the last write. */
async function writeChanges(o: RescoreOptions, run: ActiveRun, scored: Scored): Promise<number | null> {
  const { changes } = scored;
  if (changes.length === 0) return null;
  run.phase = 'write';
  const started = run.clock();
  const written = await writePhase(
    { store: o.store, connector: o.connector, installationId: o.installationId, runId: run.id, stats: run.stats, log: run.log, concurrency: o.sync.writeConcurrency, onBatch: run.saveProgress },
    inOneChunk(changes),
    changes.length,
  );
  run.stats.phaseMs.write = run.clock() - started;
  if (run.stats.failed > 0) run.message = `${run.stats.failed} records could not be written; they are retried first next run`;
  run.log.info('rescored', { customers: run.stats.classified, changed: changes.length, written: written.written, failed: written.failed });
  return written.lastModifiedAt;
}

/** The customers and their deals as the CRM holds them now, into the store (those it no longer has: deleted). */
async function refresh(o: RescoreOptions, run: ActiveRun, w: ScoreWork): Promise<void> {
  if (!o.connector.pullCustomers) {
    run.log.warn(`${o.connector.label} cannot read given records: the customers are rescored from the store as it is`);
    return;
  }
  run.phase = 'pull';
  const page = await o.connector.pullCustomers({ customerIds: w.ids, fields: fieldSpecs(o.classifier, o.sync).map((s) => s.key) });
  const report = (recordId: string | null, message: string) => w.problems.push({ runId: w.runId, recordId, phase: 'pull', code: 'BAD_RECORD', message, at: w.clock() });
  const customers = storableCustomers(page.customers, w.rules, (recordId, reason) => report(recordId, `${o.connector.label} record ${recordId}: ${reason}`));
  for (const p of page.problems) report(p.recordId ?? null, `${p.where}: ${p.reason}`);
  const found = new Set(page.customers.map((c) => c.recordId));
  const gone = w.ids.filter((id) => !found.has(id));
  await o.store.transaction(async (tx) => {
    await tx.upsertCustomers(o.installationId, customers);
    await tx.upsertDeals(o.installationId, page.deals);
    if (gone.length > 0) await tx.markCustomersDeleted(o.installationId, gone);
  });
  run.stats.pulledCustomers += page.customers.length;
  run.stats.pulledDeals += page.deals.length;
}
