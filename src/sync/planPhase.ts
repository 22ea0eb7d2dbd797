/**
 * Classify everyone the store knows, then compute what to write: each customer's desired values against
 * what the CRM holds, under the change policy of values.ts. Retries of records that failed last time
 * come first.
 */
import type { FieldValues } from '../../connectors/types.ts';
import { classify, type ClassificationResult } from '../classifier/classify.ts';
import { computeFeatures, isoDateOfDay } from '../classifier/features.ts';
import type { ClassifierSettings } from '../classifier/settings.ts';
import type { CustomerInput, Purchase } from '../classifier/types.ts';
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
  /** Customers by the churn risk to be written, in ten buckets of 10 points (the page's chart). */
  churnRiskHistogram: number[];
}

/** Customers with their purchases (won deals with an amount and a close day) and open-deal counts. */
export function customerInputs(store: Store, installationId: string): { customers: StoredCustomer[]; inputs: CustomerInput[] } {
  const customers = store.loadCustomers(installationId);
  const purchases = new Map<string, Purchase[]>();
  const open = new Map<string, number>();
  for (const deal of store.loadDeals(installationId)) {
    for (const id of deal.customerIds) {
      if (deal.status === 'won' && deal.amount !== null && deal.closeDay !== null) {
        let list = purchases.get(id);
        if (!list) purchases.set(id, (list = []));
        list.push({ day: deal.closeDay, amount: deal.amount });
      } else if (deal.status === 'open') {
        open.set(id, (open.get(id) ?? 0) + 1);
      }
    }
  }
  const inputs = customers.map((c) => ({ ...c.signals, id: c.recordId, purchases: purchases.get(c.recordId) ?? [], openDeals: open.get(c.recordId) ?? 0 }));
  return { customers, inputs };
}

export function planPhase(o: {
  store: Store;
  installationId: string;
  classifier: ClassifierSettings;
  sync: SyncSettings;
  asOfDay: number;
  scoredAt: number;
  stats: RunStats;
  /** An earlier fit to score with (see modelFit.ts); null fits this data. */
  reuse: FitToReuse | null;
}): PlanOutcome {
  const { customers, inputs } = customerInputs(o.store, o.installationId);
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
    const desired = desiredValues(score, o.classifier, o.sync, o.scoredAt);
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
  o.stats.changed = first.length + rest.length;
  return { result, changes: [...first, ...rest], churnRiskHistogram: histogram };
}
