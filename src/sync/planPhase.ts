/**
 * Classify everyone the store knows, then compute what to write: each customer's desired values against
 * what the CRM holds, under the change policy of values.ts. Won deals are purchases only when plausible
 * (classifier/inputLimits.ts, the same rules as the CSV reader's): the others are reported with their id
 * on every run and skipped. A customer whose scores are not finite is reported and skipped too.
 *
 * Memory stays bounded by the base's features, not its records: a first pass streams customers and their
 * deals from the store (in record order, a page at a time) into the typed columns of a feature table
 * (classifier/featureTable.ts); the classifier fits and scores into more columns; a second pass streams the customers again and, page by
 * page, stores their scores and appends what changed to the run's plan in the store (retries first, then
 * stage moves, then the rest). Nothing holds an object per customer, a record, a deal or a change for the whole run.
 */
import type { FieldKey, FieldValues } from '../../connectors/contract/index.ts';
import type { ProspectScore } from '../classifier/conversion/index.ts';
import { selectModel } from '../classifier/autoModel.ts';
import { classify, type ClassificationResult } from '../classifier/classify.ts';
import { FeatureTable } from '../classifier/featureTable.ts';
import { computeFeatures, dayOf, isoDateOfDay } from '../classifier/features.ts';
import { amountProblem, asOfProblem, purchaseDayProblem, purchaseRules, type PurchaseRules } from '../classifier/inputLimits.ts';
import type { ClassifierSettings } from '../classifier/settings.ts';
import type { Purchase } from '../classifier/types.ts';
import { LifecycleSyncError } from '../errors.ts';
import type { CustomerListEntry } from '../store/customerList.ts';
import { ScorePage } from '../store/scorePages.ts';
import { StagePage } from '../store/stagePages.ts';
import type { CustomerCore, DealLink, PlannedRecord, RunErrorRecord, RunStats, Store, StoredScores } from '../store/types.ts';
import type { FitToReuse } from './modelFit.ts';
import { readStoredPurchases } from './storedPurchases.ts';
import type { SyncSettings } from './settings.ts';
import { desiredValues, diffValues, stageTransition } from './values.ts';

export interface Change {
  recordId: string;
  values: FieldValues;
  /** What the CRM held for the changed fields (for the audit and the plan). */
  previous: FieldValues;
}

export interface PlanOutcome {
  result: ClassificationResult;
  /** Records with something to write, in the run's plan in the store. */
  planned: number;
  /** Won deals with a negative amount: refunds, netted against their customers' purchases (features.ts). */
  refunds: number;
  /** Customers by the churn risk to be written, in ten buckets of 10 points (the page's chart). */
  churnRiskHistogram: number[];
}

const CUSTOMER_PAGE = 2000;
const LINK_PAGE = 5000;

/** A page of the store's customers, with the keyset cursor it was read after and whether it is the last. */
interface CustomerPage<T> {
  rows: T[];
  after: string | null;
  last: boolean;
}

/** A read started now and awaited later: its failure is the awaiter's, not an unhandled rejection meanwhile. */
function early<T>(read: Promise<T>): Promise<T> {
  read.catch(() => undefined);
  return read;
}

/**
 * The store's customers in record order, a page at a time, with the part a pass needs; the last page may
 * be empty. The next page is read while the caller works on this one (on Postgres the server answers
 * while the classifier computes: a fifth of a nightly run's plan phase was waiting for pages).
 */
async function* customers<T extends { recordId: string }>(read: (after: string | null, limit: number) => Promise<T[]>): AsyncGenerator<CustomerPage<T>> {
  let after: string | null = null;
  let next = early(read(after, CUSTOMER_PAGE));
  for (;;) {
    const rows = await next;
    const last = rows.length < CUSTOMER_PAGE;
    const end = rows.at(-1);
    if (!last && end) next = early(read(end.recordId, CUSTOMER_PAGE));
    yield { rows, after, last };
    if (last || !end) return;
    after = end.recordId;
  }
}

/**
 * The deals of each customer in turn, read in step with the customers (both in record order). A page of
 * links serves a few thousand customers: `of` answers from it without a promise (a million awaits cost a
 * pass a second), and only waits when the next page is needed.
 */
class DealsByCustomer {
  private buffer: DealLink[] = [];
  /** The first link in `buffer` not yet handed out. */
  private at = 0;
  private done = false;
  /** The next page, read ahead while this one is used. */
  private next: Promise<DealLink[]> | null = null;
  private readonly store: Store;
  private readonly installationId: string;

  constructor(store: Store, installationId: string) {
    this.store = store;
    this.installationId = installationId;
  }

  /** The links of `customerId`; links of customers before it (deals of customers not in the store) are passed over. */
  of(customerId: string): DealLink[] | Promise<DealLink[]> {
    const out: DealLink[] = [];
    return this.take(customerId, out) ? out : this.ofAfterReads(customerId, out);
  }

  private async ofAfterReads(customerId: string, out: DealLink[]): Promise<DealLink[]> {
    do {
      this.buffer = await (this.next ?? this.store.dealLinkPage(this.installationId, null, LINK_PAGE));
      this.at = 0;
      const last = this.buffer.at(-1);
      if (this.buffer.length < LINK_PAGE || !last) this.done = true;
      else this.next = early(this.store.dealLinkPage(this.installationId, { customerId: last.customerId, dealId: last.dealId }, LINK_PAGE));
    } while (!this.take(customerId, out));
    return out;
  }

  /** Moves the customer's buffered links to `out`; true when they are all there (a later link, or no more pages). */
  private take(customerId: string, out: DealLink[]): boolean {
    const buffer = this.buffer;
    while (this.at < buffer.length && buffer[this.at].customerId < customerId) this.at++;
    while (this.at < buffer.length && buffer[this.at].customerId === customerId) out.push(buffer[this.at++]);
    return this.at < buffer.length || this.done;
  }
}

interface FirstPass {
  features: FeatureTable;
  problems: RunErrorRecord[];
  refunds: number;
  firstPurchaseDay: number | null;
}

/** Pass 1: every customer's features as of the day, from their signals and plausible won deals (also the settings preview's). */
export async function readFeatures(o: Pick<PlanOptions, 'store' | 'installationId' | 'runId' | 'asOfDay' | 'classifier'>, rules: PurchaseRules): Promise<FirstPass> {
  const deals = new DealsByCustomer(o.store, o.installationId);
  const features = new FeatureTable(await o.store.countCustomers(o.installationId));
  const problems: RunErrorRecord[] = [];
  // A deal of several customers is seen once per customer: reported and counted once.
  const reported = new Set<string>();
  const refundDeals = new Set<string>();
  let firstPurchaseDay: number | null = null;
  for await (const page of customers((after, limit) => o.store.customerSignalsPage(o.installationId, after, limit))) {
    for (const c of page.rows) {
      const purchases: Purchase[] = [];
      let openDeals = 0;
      const links = deals.of(c.recordId);
      for (const d of Array.isArray(links) ? links : await links) {
        if (d.status === 'open') openDeals++;
        if (d.status !== 'won' || d.amount === null || d.closeDay === null) continue;
        const problem = purchaseDayProblem(d.closeDay, rules, 'close date') ?? amountProblem(d.amount, rules);
        if (problem !== null) {
          if (!reported.has(d.dealId)) problems.push({ runId: o.runId, recordId: d.dealId, phase: 'classify', code: 'BAD_RECORD', message: `won deal ${d.dealId}: ${problem}`, at: Date.now() });
          reported.add(d.dealId);
          continue;
        }
        if (d.amount < 0) refundDeals.add(d.dealId);
        if (firstPurchaseDay === null || d.closeDay < firstPurchaseDay) firstPurchaseDay = d.closeDay;
        purchases.push({ day: d.closeDay, amount: d.amount });
      }
      features.push(computeFeatures({ ...c.signals, id: c.recordId, purchases, openDeals }, o.asOfDay, o.classifier.ltv.periodDays));
    }
  }
  return { features, problems, refunds: refundDeals.size, firstPurchaseDay };
}

export interface PlanOptions {
  store: Store;
  installationId: string;
  runId: string;
  classifier: ClassifierSettings;
  sync: SyncSettings;
  asOfDay: number;
  /** The as-of day was asked for (not today): refused when before every purchase. */
  asOfGiven: boolean;
  /** The run's start (epoch ms): today, for the plausible-date window. */
  now: number;
  scoredAt: number;
  stats: RunStats;
  /** An earlier fit to score with (see modelFit.ts); null fits this data. */
  reuse: FitToReuse | null;
  /** Prospects' conversion scores by customer id (conversionPhase.ts); absent: no one's likelihood is set. */
  conversion?: ReadonlyMap<string, ProspectScore> | null;
  /** Customers scored and planned so far, of all (pass 2; a terminal's progress bar). */
  onProgress?: (done: number, total: number) => void;
}

/** What is stored of a customer's scores (for `explain` and the admin API): `values` with the stage's change time as the diff decided it. */
export function storedScores(score: ReturnType<ClassificationResult['customer']>, asOf: string, values: FieldValues): StoredScores {
  return {
    asOf,
    values,
    features: {
      purchases: score.purchases,
      frequency: score.frequency,
      recency: score.recency,
      T: score.T,
      daysSinceLastPurchase: score.daysSinceLastPurchase,
      pAlive: score.pAlive,
      churnRisk: score.churnRisk,
      expectedPurchases: score.expectedPurchases,
      expectedAverageValue: score.expectedAverageValue,
      clv: score.clv,
      ltv: score.ltv,
      churnType: score.churnType,
      reason: score.reason,
    },
  };
}

/** A number the values hold as canonical text, or null. */
function figure(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** The customer's row in the list: who it is and the values to be written (rounded: the band agrees with the risk shown). */
export function listEntry(customer: Pick<CustomerCore, 'recordId' | 'display'>, desired: FieldValues, changed: boolean): CustomerListEntry {
  const d = customer.display;
  return {
    recordId: customer.recordId,
    name: d?.name || null,
    email: d?.email || null,
    company: d?.company || null,
    stage: desired.stage ?? null,
    churnRiskBand: desired.churnRiskBand ?? null,
    valueTier: desired.valueTier ?? null,
    clv: figure(desired.predictedClv),
    churnRisk: figure(desired.churnRisk),
    ltv: figure(desired.ltv),
    conversionLikelihood: figure(desired.conversionLikelihood),
    changed,
  };
}

/** Retries first, then stage moves, then the rest (PlanKey). */
const PRIORITY = { retry: 0, stageMove: 1, other: 2 } as const;

export async function planPhase(o: PlanOptions): Promise<PlanOutcome> {
  const rules = purchaseRules(o.classifier.input, dayOf(o.now));
  const first = await readFeatures(o, rules);
  const refused = o.asOfGiven ? asOfProblem(o.asOfDay, rules, first.firstPurchaseDay) : null;
  // Scoring before every purchase would turn every customer into a prospect and rewrite them all.
  if (refused !== null) throw new LifecycleSyncError('INPUT_INVALID', `the as-of date (--as-of) ${refused}; no record was written`);
  const features = first.features;
  // Under auto (and no fit to reuse), a holdout backtest on the purchases picks the model: a second read of the deals.
  const selection = o.classifier.model === 'auto' && !o.reuse ? selectModel(await readStoredPurchases(o.store, o.installationId, rules), o.asOfDay, o.classifier) : null;
  const result = classify(features, { asOfDay: o.asOfDay, settings: o.classifier, reuse: o.reuse, selection });
  o.stats.classified = result.size;
  const retries = new Set((await o.store.listRetries(o.installationId)).map((r) => r.recordId));
  const problems = first.problems;
  const asOf = isoDateOfDay(o.asOfDay);
  const histogram = Array.from({ length: 10 }, () => 0);
  let i = 0;
  let seq = 0;
  let planned = 0;
  o.onProgress?.(0, features.size);
  // Pass 2: the same customers in the same order, page by page: scores stored, changes planned.
  for await (const page of customers((after, limit) => o.store.customerValuesPage(o.installationId, after, limit))) {
    const scores = new ScorePage();
    const list: CustomerListEntry[] = [];
    // Each customer's stage, kept per run for the flow between runs (store/stagePages.ts).
    const stages = new StagePage();
    const records: PlannedRecord[] = [];
    for (const customer of page.rows) {
      const index = i++;
      if (index >= features.size || features.id(index) !== customer.recordId) throw new Error(`the customers changed while they were classified (${customer.recordId}); the next run starts over`);
      const score = result.customer(index);
      let desired: FieldValues;
      try {
        desired = desiredValues(score, o.classifier, o.sync, o.scoredAt, o.conversion?.get(customer.recordId) ?? null);
      } catch (error) {
        // A non-finite score (scoreGuard.ts): neither written to the CRM nor stored for the admin API.
        if (!(error instanceof LifecycleSyncError)) throw error;
        problems.push({ runId: o.runId, recordId: customer.recordId, phase: 'classify', code: 'BAD_RECORD', message: `customer ${customer.recordId}: ${error.message}`, at: Date.now() });
        continue;
      }
      const risk = desired.churnRisk === null || desired.churnRisk === undefined ? NaN : Number(desired.churnRisk);
      if (Number.isFinite(risk)) histogram[Math.min(9, Math.max(0, Math.floor(risk / 10)))]++;
      const values = diffValues(desired, customer.crmValues, o.sync);
      desired.stageChangedAt = values.stageChangedAt ?? customer.crmValues.stageChangedAt ?? null;
      scores.add(customer.recordId, storedScores(score, asOf, desired));
      stages.add(customer.recordId, score.stage);
      const keys = Object.keys(values) as FieldKey[];
      list.push(listEntry(customer, desired, keys.length > 0));
      if (keys.length === 0) continue;
      for (const key of keys) o.stats.changedFields[key] = (o.stats.changedFields[key] ?? 0) + 1;
      const transition = stageTransition(customer.crmValues, values);
      if (transition) o.stats.stageTransitions[transition] = (o.stats.stageTransitions[transition] ?? 0) + 1;
      const priority = retries.has(customer.recordId) ? PRIORITY.retry : values.stage !== undefined ? PRIORITY.stageMove : PRIORITY.other;
      records.push({
        key: { priority, seq: seq++ },
        recordId: customer.recordId,
        changes: keys.map((field) => ({ recordId: customer.recordId, field, previous: customer.crmValues[field] ?? null, next: values[field] ?? null })),
      });
    }
    planned += records.length;
    await o.store.transaction(async (tx) => {
      // The span ends at the page's last customer; the last page's reaches to the end (scorePages.ts).
      const span = { after: page.after, through: page.last ? null : (page.rows.at(-1)?.recordId ?? null) };
      await tx.saveScores(o.installationId, span, scores);
      await tx.saveCustomerList(o.installationId, span, o.runId, list);
      await tx.addPlanned(o.runId, records);
      await tx.saveStagePage(o.installationId, o.runId, stages, page.last);
    });
    o.onProgress?.(i, features.size);
  }
  if (problems.length > 0) {
    o.stats.skippedRecords += problems.length;
    await o.store.addRunErrors(problems);
  }
  o.stats.changed = planned;
  return { result, planned, refunds: first.refunds, churnRiskHistogram: histogram };
}
