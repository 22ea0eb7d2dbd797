/**
 * The sync engine: the product's main job for one installation.
 *   lock → ensure fields → pull (full or incremental) → classify everyone → diff → write changes → record
 * Policy lives here, once for every CRM; connectors only do I/O. A run killed at any point leaves a
 * checkpoint and an audit trail, and the next run (with the same as-of date) ends in the same CRM state
 * as a clean run would have: pulls resume from their checkpoint, and the diff against what the CRM holds
 * makes writing idempotent.
 */
import { canonicalDatetime, type Connector, type FieldValues } from '../../connectors/contract/index.ts';
import { isoDateOfDay } from '../classifier/features.ts';
import { asOfProblem, purchaseRules } from '../classifier/inputLimits.ts';
import type { ClassifierSettings } from '../classifier/settings.ts';
import { LifecycleSyncError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { isCustomerChange, type PlanKey, type RunStats, type Store } from '../store/types.ts';
import { readSyncCursor, writeSyncCursor } from './cursors.ts';
import { conversionPhase, topProspects } from './conversionPhase.ts';
import { asDealScoring, dealPlanRecords, emptyDealStats, ensureDealFields, planDeals, writeDeals, type DealPlan } from './dealPhase.ts';
import { ensureFields } from './fieldPolicy.ts';
import { fieldSpecs } from './fields.ts';
import { performRun, type ActiveRun, type SyncSummary } from './lifecycle.ts';
import { fitRecord, fitToReuse } from './modelFit.ts';
import { planPhase, type Change } from './planPhase.ts';
import { pullPhase } from './pullPhase.ts';
import type { SyncSettings } from './settings.ts';
import { writePhase } from './writePhase.ts';

export { newRunId, summarize, type SyncSummary } from './lifecycle.ts';

export const DAY_MS = 86_400_000;
/** Prospects most likely to convert kept with the run's fit (the page's card). */
const TOP_PROSPECTS = 10;

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
  log: Logger;
  clock?: () => number;
  onProgress?: (progress: SyncProgress) => void;
  /** The run's id, when the caller needs it before the run ends (the admin API answers with it). */
  runId?: string;
  /** Called once the run is recorded as running (the thread running it tells the server then). */
  onStarted?: (runId: string) => void;
}

/**
 * Runs one sync. The lock is taken before the first await: when this returns, either the run is in the
 * store (as running) or the returned promise is already rejected (SYNC_LOCKED).
 */
export function runSync(o: SyncRunOptions): Promise<SyncSummary> {
  const startedAt = (o.clock ?? Date.now)();
  const asOfDay = o.asOfDay ?? Math.floor(startedAt / DAY_MS);
  // Refused before the lock and the run row: an as-of in the future or before any plausible data
  // would rescore and rewrite every record (planPhase also refuses one before the first purchase).
  const asOfRefused = o.asOfDay === undefined || o.asOfDay === null ? null : asOfProblem(asOfDay, purchaseRules(o.classifier.input, Math.floor(startedAt / DAY_MS)), null);
  if (asOfRefused !== null) return Promise.reject(new LifecycleSyncError('INPUT_INVALID', `the as-of date (--as-of) ${asOfRefused}; no record was written`));
  // Backtests and demos score "as of" a day: the scoring time is that day, so reruns agree exactly.
  // Whole seconds: some CRMs (Salesforce) keep datetimes to the second, and what we write must read back equal.
  const scoredAt = o.asOfDay !== undefined && o.asOfDay !== null ? asOfDay * DAY_MS : Math.floor(startedAt / 1000) * 1000;
  return performRun(
    { store: o.store, connector: o.connector, installationId: o.installationId, kind: o.dryRun ? 'dry_run' : 'sync', asOf: isoDateOfDay(asOfDay), scoredAt, rollbackOf: null, sync: o.sync, log: o.log, clock: o.clock, runId: o.runId, onStarted: o.onStarted },
    (run) => syncBody(o, run, { asOfDay, scoredAt }),
  );
}

async function syncBody(o: SyncRunOptions, run: ActiveRun, when: { asOfDay: number; scoredAt: number }): Promise<void> {
  const { log, stats, clock } = run;
  const { asOfDay, scoredAt } = when;
  log.info(o.dryRun ? 'dry run started: nothing will be written' : 'sync started', { asOf: isoDateOfDay(asOfDay) });
  let phaseStart = clock();
  const endPhase = (name: keyof RunStats['phaseMs']) => {
    const at = clock();
    stats.phaseMs[name] = at - phaseStart;
    phaseStart = at;
  };
  o.onProgress?.({ phase: 'fields', done: 0, total: null });
  // Before the first pull: a pull reads the plugin's fields, which set-up may create or make visible.
  const { report: fields, readable } = await ensureFields(o.connector, fieldSpecs(o.classifier, o.sync), { dryRun: o.dryRun ?? false });
  run.fields = fields;
  if (fields.created.length + fields.updated.length > 0) log.info(o.dryRun ? 'fields to create or update' : 'fields created or updated', { created: fields.created.map((f) => f.name), updated: fields.updated.map((f) => f.name) });
  // Deal scoring (off by default): its fields through the same policy, before anything is pulled.
  const dealConnector = o.sync.deals.enabled ? o.connector.deals : undefined;
  if (o.sync.deals.enabled && !dealConnector) log.warn(`sync.deals.enabled is set, but the ${o.connector.label} connector has no deal object: deals are not scored`);
  const dealFields = dealConnector ? await asDealScoring(ensureDealFields(dealConnector, o.dryRun ?? false)) : null;
  if (dealFields && dealFields.report.created.length + dealFields.report.updated.length > 0) {
    log.info(o.dryRun ? 'deal fields to create or update' : 'deal fields created or updated', { created: dealFields.report.created.map((f) => f.name), updated: dealFields.report.updated.map((f) => f.name) });
  }

  endPhase('fields');
  run.phase = 'pull';
  const before = await readSyncCursor(o.store, o.installationId);
  const pulled = await pullPhase({
    store: o.store,
    connector: o.connector,
    installationId: o.installationId,
    runId: run.id,
    sync: o.sync,
    forceFull: o.full ?? false,
    fields: readable,
    rules: purchaseRules(o.classifier.input, Math.floor(run.startedAt / DAY_MS)),
    now: run.startedAt,
    stats,
    log,
    onProgress: (done) => o.onProgress?.({ phase: 'pull', done, total: null }),
  });
  run.mode = pulled.mode;
  await o.store.updateRun(run.id, { mode: run.mode, stats });
  // What is pulled is in the store: the next incremental pull starts from this pull's start.
  await writeSyncCursor(o.store, o.installationId, { ...before, since: pulled.startedAt, lastFullAt: run.mode === 'full' ? pulled.startedAt : before.lastFullAt });
  log.info('pulled', { mode: run.mode, customers: stats.pulledCustomers, deals: stats.pulledDeals, skipped: stats.skippedRecords });

  endPhase('pull');
  run.phase = 'classify';
  o.onProgress?.({ phase: 'classify', done: 0, total: null });
  const reuse = await fitToReuse(o.store, o.installationId, { mode: run.mode, asOfDay, refitDays: o.sync.refitDays, settings: o.classifier });
  const asOfGiven = o.asOfDay !== undefined && o.asOfDay !== null;
  // Deals are pulled and scored here, so the win model's report is stored with the run's fit (the model
  // card's); before the customers are planned, so the prospects' conversion likelihood sees this run's win probabilities.
  let deals: DealPlan | null = null;
  if (dealConnector && dealFields) {
    stats.deals = emptyDealStats();
    deals = await asDealScoring(planDeals({ deals: dealConnector, fields: dealFields.readable, settings: o.classifier.deals, minChange: o.sync.deals.minChange, asOfDay, scoredAt, stats: stats.deals, store: o.store, runId: run.id, log }));
    // A dry run keeps its deal changes in its plan (after the customers'), for the admin to read; a real
    // run's open deals, every one of them, become the installation's pipeline (the page's).
    if (o.dryRun) await o.store.addPlanned(run.id, dealPlanRecords(deals.changes));
    else await o.store.replaceOpenDeals(o.installationId, run.id, deals.scores);
    await run.saveProgress();
  }
  const conversion = await conversionPhase({
    store: o.store,
    installationId: o.installationId,
    settings: o.classifier.conversion,
    rules: purchaseRules(o.classifier.input, Math.floor(run.startedAt / DAY_MS)),
    asOfDay,
    today: Math.floor(run.startedAt / DAY_MS),
    prospectDeals: deals?.prospectDeals ?? null,
    log,
  });
  const plan = await planPhase({ store: o.store, installationId: o.installationId, runId: run.id, classifier: o.classifier, sync: o.sync, asOfDay, asOfGiven, now: run.startedAt, scoredAt, stats, reuse, conversion: conversion.scores, onProgress: (done, total) => o.onProgress?.({ phase: 'classify', done, total }) });
  const m = plan.result.model;
  run.model = { name: m.name, converged: m.converged, logLikelihood: m.logLikelihood, fallbackReason: m.fallbackReason, reused: m.reused };
  await o.store.saveModelFit(o.installationId, run.id, {
    ...fitRecord(plan.result, o.classifier, asOfDay, reuse, plan.churnRiskHistogram),
    ...(deals ? { winModel: deals.report } : {}),
    conversionModel: { ...conversion.report, prospects: conversion.scores.size, top: topProspects(conversion.scores, TOP_PROSPECTS) },
  });
  await pruneStageRecords(o.store, o.installationId, run.id, o.sync.stageHistoryRuns, log);
  log.info('classified', { customers: stats.classified, model: m.name, refitted: !m.reused, changed: stats.changed, refunds: plan.refunds });

  endPhase('classify');
  run.phase = 'write';
  // The plan is in the store (planPhase): a dry run's stays for the admin to read; a real run writes it,
  // and its audit then says what it did, so its plan goes (also when it stops: the next run plans anew).
  try {
    if (!o.dryRun && plan.planned > 0) {
      const written = await writePhase(
        {
          store: o.store,
          connector: o.connector,
          installationId: o.installationId,
          runId: run.id,
          stats,
          log,
          concurrency: o.sync.writeConcurrency,
          onBatch: run.saveProgress,
          onProgress: (done, total) => o.onProgress?.({ phase: 'write', done, total }),
        },
        plannedChanges(o.store, run.id),
        plan.planned,
      );
      if (written.written > 0) {
        // The next incremental pull skips these writes of ours (unless someone modifies them later).
        await writeSyncCursor(o.store, o.installationId, {
          ...(await readSyncCursor(o.store, o.installationId)),
          ownWrites: { value: canonicalDatetime(scoredAt), unlessModifiedAfter: written.lastModifiedAt ?? clock() },
        });
      }
    }
    // After the customers' writes: the deals' are the newer feature, and a quota stop leaves the customers done.
    if (!o.dryRun && dealConnector && deals && stats.deals && deals.changes.length > 0) {
      await asDealScoring(writeDeals({ deals: dealConnector, store: o.store, runId: run.id, stats: stats.deals, log, onBatch: run.saveProgress }, deals.changes));
      log.info('deals written', { written: stats.deals.written, failed: stats.deals.failed, closedSincePull: stats.deals.closedSincePull });
    }
  } finally {
    if (!o.dryRun) await o.store.deletePlan(run.id).catch((error: unknown) => log.warn('the run\u2019s plan could not be removed', { error: error instanceof Error ? error.message : String(error) }));
  }
  endPhase('write');
  if (stats.failed > 0) run.message = failedMessage(stats.failed, stats.refused ?? 0);
  if ((stats.deals?.failed ?? 0) > 0) run.message = [run.message, `${stats.deals?.failed} deals could not be written (see the run's errors); the next run writes them again`].filter(Boolean).join('; ');
  log.info(o.dryRun ? 'dry run finished' : 'sync finished', { written: stats.written, failed: stats.failed });
}

/** What the run says of its failed records: refused by the CRM's own rules, or retried first next run. */
function failedMessage(failed: number, refused: number): string {
  const rules = `the CRM's validation rules refused ${refused === failed ? 'them' : refused} (see the run's errors; fix the record or the rule in the CRM)`;
  if (refused === 0) return `${failed} records could not be written; they are retried first next run`;
  if (refused === failed) return `${failed} records could not be written: ${rules}`;
  return `${failed} records could not be written: ${rules}; the others are retried first next run`;
}

/**
 * This run's stage record is complete (planPhase): the oldest beyond the newest `keep` go (their counts
 * per stage stay in the trends). A failure is logged, never the run's: the next run prunes again.
 */
async function pruneStageRecords(store: Store, installationId: string, runId: string, keep: number, log: Logger): Promise<void> {
  try {
    const pruned = await store.pruneStageRecords(installationId, keep, runId);
    if (pruned.length > 0) log.info('stage records of older runs pruned', { runs: pruned.length, kept: keep });
  } catch (error) {
    log.warn('the stage records of older runs could not be pruned', { error: error instanceof Error ? error.message : String(error) });
  }
}

/** The run's plan from the store, a page of records at a time, as changes to write. */
async function* plannedChanges(store: Store, runId: string): AsyncGenerator<Change[]> {
  let after: PlanKey | null = null;
  for (;;) {
    const page = await store.plannedAfter(runId, after, PLAN_PAGE);
    if (page.length === 0) return;
    yield page.map((r) => {
      const values: FieldValues = {};
      const previous: FieldValues = {};
      // Only a dry run plans deal records (`deal:<id>`), and it writes nothing: a real run's plan is customers'.
      for (const c of r.changes.filter(isCustomerChange)) {
        values[c.field] = c.next;
        previous[c.field] = c.previous;
      }
      return { recordId: r.recordId, values, previous };
    });
    after = page[page.length - 1].key;
  }
}

/** Records read from the plan per page: a few thousand, so writing holds a bounded part of a large run. */
const PLAN_PAGE = 2000;
