/**
 * Classify everyone the store knows, then compute what to write: each customer's desired values against
 * what the CRM holds, under the change policy of values.ts. Retries of records that failed last time
 * come first. Won deals are purchases only when plausible (classifier/inputLimits.ts, the same rules as
 * the CSV reader's): the others are reported with their id on every run and skipped. A customer whose
 * scores are not finite is reported and skipped too: nothing is written or stored for them.
 */
import type { FieldValues } from '../../connectors/contract/index.ts';
import { classify, type ClassificationResult } from '../classifier/classify.ts';
import { computeFeatures, dayOf, isoDateOfDay } from '../classifier/features.ts';
import { amountProblem, asOfProblem, purchaseDayProblem, purchaseRules, type PurchaseRules } from '../classifier/inputLimits.ts';
import type { ClassifierSettings } from '../classifier/settings.ts';
import type { CustomerInput, Purchase } from '../classifier/types.ts';
import { LifecycleSyncError, type RecordProblem } from '../errors.ts';
import type { RunStats, Store, StoredCustomer, StoredScores } from '../store/types.ts';
import type { FitToReuse } from './modelFit.ts';
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
  changes: Change[];
  /** Won deals with a negative amount: refunds, netted against their customers' purchases (features.ts). */
  refunds: number;
  /** Customers by the churn risk to be written, in ten buckets of 10 points (the page's chart). */
  churnRiskHistogram: number[];
}

export interface CustomerInputs {
  customers: StoredCustomer[];
  inputs: CustomerInput[];
  /** Won deals skipped as implausible, with their ids. */
  problems: RecordProblem[];
  refunds: number;
  /** The earliest plausible purchase day; null without purchases. */
  firstPurchaseDay: number | null;
}

/** Customers with their purchases (won deals with a plausible amount and close day) and open-deal counts. */
export function customerInputs(store: Store, installationId: string, rules: PurchaseRules): CustomerInputs {
  const customers = store.loadCustomers(installationId);
  const purchases = new Map<string, Purchase[]>();
  const open = new Map<string, number>();
  const problems: RecordProblem[] = [];
  let refunds = 0;
  let firstPurchaseDay: number | null = null;
  for (const deal of store.loadDeals(installationId)) {
    if (deal.status === 'won' && deal.amount !== null && deal.closeDay !== null) {
      const problem = purchaseDayProblem(deal.closeDay, rules, 'close date') ?? amountProblem(deal.amount, rules);
      if (problem !== null) {
        problems.push({ where: `won deal ${deal.recordId}`, reason: problem, recordId: deal.recordId });
        continue;
      }
      if (deal.amount < 0) refunds++;
      if (firstPurchaseDay === null || deal.closeDay < firstPurchaseDay) firstPurchaseDay = deal.closeDay;
      for (const id of deal.customerIds) {
        let list = purchases.get(id);
        if (!list) purchases.set(id, (list = []));
        list.push({ day: deal.closeDay, amount: deal.amount });
      }
    } else if (deal.status === 'open') {
      for (const id of deal.customerIds) open.set(id, (open.get(id) ?? 0) + 1);
    }
  }
  const inputs = customers.map((c) => ({ ...c.signals, id: c.recordId, purchases: purchases.get(c.recordId) ?? [], openDeals: open.get(c.recordId) ?? 0 }));
  return { customers, inputs, problems, refunds, firstPurchaseDay };
}

export function planPhase(o: {
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
}): PlanOutcome {
  const rules = purchaseRules(o.classifier.input, dayOf(o.now));
  const { customers, inputs, problems, refunds, firstPurchaseDay } = customerInputs(o.store, o.installationId, rules);
  const refused = o.asOfGiven ? asOfProblem(o.asOfDay, rules, firstPurchaseDay) : null;
  // Scoring before every purchase would turn every customer into a prospect and rewrite them all.
  if (refused !== null) throw new LifecycleSyncError('INPUT_INVALID', `the as-of date (--as-of) ${refused}; no record was written`);
  const features = inputs.map((c) => computeFeatures(c, o.asOfDay, o.classifier.ltv.periodDays));
  const result = classify(features, { asOfDay: o.asOfDay, settings: o.classifier, reuse: o.reuse });
  o.stats.classified = result.size;
  const retryFirst = new Set(o.store.listRetries(o.installationId).map((r) => r.recordId));
  const first: Change[] = [];
  const rest: Change[] = [];
  const scores: { recordId: string; scores: StoredScores }[] = [];
  const asOf = isoDateOfDay(o.asOfDay);
  const histogram = Array.from({ length: 10 }, () => 0);
  for (let i = 0; i < result.size; i++) {
    const score = result.customer(i);
    const customer = customers[i];
    let desired: FieldValues;
    try {
      desired = desiredValues(score, o.classifier, o.sync, o.scoredAt);
    } catch (error) {
      // A non-finite score (scoreGuard.ts): neither written to the CRM nor stored for the admin API.
      if (!(error instanceof LifecycleSyncError)) throw error;
      problems.push({ where: `customer ${customer.recordId}`, reason: error.message, recordId: customer.recordId });
      continue;
    }
    const risk = desired.churnRisk === null || desired.churnRisk === undefined ? NaN : Number(desired.churnRisk);
    if (Number.isFinite(risk)) histogram[Math.min(9, Math.max(0, Math.floor(risk / 10)))]++;
    const values = diffValues(desired, customer.crmValues, o.sync);
    scores.push({
      recordId: customer.recordId,
      scores: {
        asOf,
        values: { ...desired, stageChangedAt: values.stageChangedAt ?? customer.crmValues.stageChangedAt ?? null },
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
      },
    });
    const keys = Object.keys(values) as (keyof FieldValues)[];
    if (keys.length === 0) continue;
    const previous: FieldValues = {};
    for (const key of keys) {
      previous[key] = customer.crmValues[key] ?? null;
      o.stats.changedFields[key] = (o.stats.changedFields[key] ?? 0) + 1;
    }
    const transition = stageTransition(customer.crmValues, values);
    if (transition) o.stats.stageTransitions[transition] = (o.stats.stageTransitions[transition] ?? 0) + 1;
    (retryFirst.has(customer.recordId) ? first : rest).push({ recordId: customer.recordId, values, previous });
  }
  o.store.saveScores(o.installationId, scores);
  if (problems.length > 0) {
    o.stats.skippedRecords += problems.length;
    o.store.addRunErrors(
      problems.map((p) => ({ runId: o.runId, recordId: p.recordId ?? null, phase: 'classify' as const, code: 'BAD_RECORD', message: `${p.where}: ${p.reason}`, at: Date.now() })),
    );
  }
  o.stats.changed = first.length + rest.length;
  return { result, changes: [...first, ...rest], refunds, churnRiskHistogram: histogram };
}
