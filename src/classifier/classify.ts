/**
 * Classifies a customer base as of a day: fits the transaction and spend models over everyone, then
 * scores each customer (P(alive), churn risk, expected purchases, CLV), ranks value tiers and applies the
 * stage rules. Pure: plain data in, plain data out.
 */
import { LtvFiguresAccumulator, topShareOfTotal, type LtvFigures } from './figures.ts';
import { fitSpendModel, fitTransactionModel, type ModelFit, type SpendFit } from './fit.ts';
import { conditionalExpectedValue } from './models/gammaGamma.ts';
import { heuristicParams } from './models/heuristic.ts';
import { TRANSACTION_MODEL_REGISTRY } from './models/index.ts';
import { heuristicScorer, modelScorer, type Horizon, type Prediction, type Scorer } from './scoring.ts';
import { assignValueTiers, churnBand, churnRisk } from './segments.ts';
import type { ClassifierSettings } from './settings.ts';
import { decideStage } from './stages.ts';
import {
  CHURN_BANDS,
  STAGES_IN_LIFECYCLE_ORDER,
  UNIT_DAYS,
  UNITS_PER_MONTH,
  VALUE_TIERS,
  type ChurnBand,
  type ChurnType,
  type CustomerFeatures,
  type ModelName,
  type Stage,
  type TimeUnit,
  type TransactionModelName,
  type ValueTier,
} from './types.ts';
import { isoDateOfDay } from './features.ts';

export interface ModelReport {
  name: ModelName;
  requested: TransactionModelName;
  params: Record<string, number>;
  logLikelihood: number | null;
  converged: boolean;
  iterations: number | null;
  standardErrors: Record<string, number> | null;
  /** Why the requested model was not used; null when it was. */
  fallbackReason: string | null;
  customers: number;
  repeatBuyers: number;
}

export interface SpendReport extends SpendFit {
  populationMean: number;
}

export interface CustomerScore {
  customerId: string;
  stage: Stage;
  churnType: ChurnType | null;
  reason: string;
  nextAction: string;
  /** Distinct purchase days. */
  purchases: number;
  /** x, t_x and T in the model's time unit (0 for people without a purchase). */
  frequency: number;
  recency: number;
  T: number;
  daysSinceLastPurchase: number | null;
  pAlive: number | null;
  churnRisk: number | null;
  churnRiskBand: ChurnBand | null;
  expectedPurchases: number | null;
  expectedAverageValue: number | null;
  clv: number | null;
  ltv: number;
  valueTier: ValueTier | null;
}

export interface ClassificationSummary {
  customers: number;
  purchasers: number;
  prospects: number;
  stages: Record<Stage, number>;
  churnTypes: Record<ChurnType, number>;
  churnRiskBands: Record<ChurnBand, number>;
  valueTiers: Record<ValueTier, { customers: number; predictedClv: number; ltv: number; minClv: number | null }>;
  totals: { ltv: number; predictedClv: number; expectedPurchases: number };
  means: { pAlive: number | null; clv: number | null; ltv: number | null; churnRisk: number | null };
  pareto: { topShare: number; clvShare: number | null; ltvShare: number | null };
  ltvFigures: LtvFigures;
}

export interface ClassificationResult {
  asOf: string;
  timeUnit: TimeUnit;
  model: ModelReport;
  spendModel: SpendReport | null;
  spendFallbackReason: string | null;
  summary: ClassificationSummary;
  customers: CustomerScore[];
}

export interface ClassifyOptions {
  asOfDay: number;
  settings: ClassifierSettings;
  /** Compute parameter standard errors (a few extra likelihood evaluations). */
  standardErrors?: boolean;
}

export function classify(features: readonly CustomerFeatures[], options: ClassifyOptions): ClassificationResult {
  const { settings, asOfDay } = options;
  const unitDays = UNIT_DAYS[settings.timeUnit];
  const purchasers = features.filter((f) => f.purchaseDays > 0);
  const arrays = {
    frequency: Float64Array.from(purchasers, (f) => f.frequency),
    recencyDays: Float64Array.from(purchasers, (f) => f.recencyDays),
    ageDays: Float64Array.from(purchasers, (f) => f.ageDays),
  };
  const spend = fitSpend(purchasers, settings, options.standardErrors ?? false);
  const { model, predictions } = fitAndPredict(arrays, options);

  const margin = settings.clv.grossMargin ?? 1;
  const scores = new Map<CustomerFeatures, { p: number; expected: number; value: number; clv: number }>();
  const clv = new Float64Array(purchasers.length);
  purchasers.forEach((f, i) => {
    const value = spend.expectedValue(f);
    const c = margin * value * predictions.discountedPurchases[i];
    clv[i] = c;
    scores.set(f, { p: predictions.pAlive[i], expected: predictions.expectedPurchases[i], value, clv: c });
  });
  const tiers = assignValueTiers(
    clv,
    Float64Array.from(purchasers, (f) => f.ltv),
    purchasers.map((f) => f.id),
    settings.valueTiers,
  );
  const tierOf = new Map<CustomerFeatures, ValueTier>(purchasers.map((f, i) => [f, tiers[i]]));

  const heuristic = model.name === 'recency_heuristic';
  const figures = new LtvFiguresAccumulator(asOfDay, settings.ltv, settings.clv.grossMargin);
  const customers = features.map((f): CustomerScore => {
    figures.add(f);
    const scored = scores.get(f);
    const decision = decideStage(f, { asOfDay, pAlive: scored?.p ?? null, heuristic, settings });
    const risk = scored ? churnRisk(scored.p) : null;
    return {
      customerId: f.id,
      stage: decision.stage,
      churnType: decision.churnType,
      reason: decision.reason,
      nextAction: settings.stages[decision.stage].nextAction,
      purchases: f.purchaseDays,
      frequency: f.frequency,
      recency: f.recencyDays / unitDays,
      T: f.ageDays / unitDays,
      daysSinceLastPurchase: f.lastPurchaseDay === null ? null : asOfDay - f.lastPurchaseDay,
      pAlive: scored?.p ?? null,
      churnRisk: risk,
      churnRiskBand: risk === null ? null : churnBand(risk, settings.churnRiskBands),
      expectedPurchases: scored?.expected ?? null,
      expectedAverageValue: scored?.value ?? null,
      clv: scored?.clv ?? null,
      ltv: f.ltv,
      valueTier: tierOf.get(f) ?? null,
    };
  });

  return {
    asOf: isoDateOfDay(asOfDay),
    timeUnit: settings.timeUnit,
    model,
    spendModel: spend.report,
    spendFallbackReason: spend.fallbackReason,
    summary: summarize(customers, clv, Float64Array.from(purchasers, (f) => f.ltv), settings, figures.result()),
    customers,
  };
}

interface Predictions {
  pAlive: Float64Array;
  expectedPurchases: Float64Array;
  discountedPurchases: Float64Array;
}

function predictAll(scorer: Scorer, arrays: { frequency: Float64Array; recencyDays: Float64Array; ageDays: Float64Array }): Predictions | null {
  const n = arrays.frequency.length;
  const out: Predictions = { pAlive: new Float64Array(n), expectedPurchases: new Float64Array(n), discountedPurchases: new Float64Array(n) };
  const one: Prediction = { pAlive: 0, expectedPurchases: 0, discountedPurchases: 0 };
  for (let i = 0; i < n; i++) {
    scorer.predict(arrays.frequency[i], arrays.recencyDays[i], arrays.ageDays[i], one);
    if (!Number.isFinite(one.pAlive + one.expectedPurchases + one.discountedPurchases)) return null;
    out.pAlive[i] = one.pAlive;
    out.expectedPurchases[i] = one.expectedPurchases;
    out.discountedPurchases[i] = one.discountedPurchases;
  }
  return out;
}

/** The configured model when it fits and predicts finite values for everyone; the labelled heuristic otherwise. */
function fitAndPredict(
  arrays: { frequency: Float64Array; recencyDays: Float64Array; ageDays: Float64Array },
  options: ClassifyOptions,
): { model: ModelReport; predictions: Predictions } {
  const { settings } = options;
  const unitDays = UNIT_DAYS[settings.timeUnit];
  const horizon: Horizon = {
    expectedDays: settings.expectedDays,
    monthDays: UNITS_PER_MONTH[settings.timeUnit] * unitDays,
    months: settings.clv.horizonMonths,
    monthlyDiscountRate: settings.clv.monthlyDiscountRate,
  };
  const spec = TRANSACTION_MODEL_REGISTRY[settings.model];
  const customers = arrays.frequency.length;
  let repeatBuyers = 0;
  for (const x of arrays.frequency) if (x > 0) repeatBuyers++;
  const outcome = fitTransactionModel(spec, arrays, unitDays, settings.fit, { standardErrors: options.standardErrors ?? false });
  let fallbackReason: string;
  if (outcome.ok) {
    const fit: ModelFit = outcome.fit;
    const predictions = predictAll(modelScorer(spec, spec.paramNames.map((p) => fit.params[p]), unitDays, horizon), arrays);
    if (predictions) return { model: { ...fit, requested: settings.model, fallbackReason: null, customers, repeatBuyers }, predictions };
    fallbackReason = `${spec.name} gave non-finite predictions at its fitted parameters`;
  } else {
    fallbackReason = outcome.reason;
  }
  const params = heuristicParams(settings.heuristic, arrays.frequency, arrays.recencyDays);
  const predictions = predictAll(heuristicScorer(params, horizon), arrays);
  if (!predictions) throw new Error('the recency heuristic gave non-finite predictions'); // cannot happen: closed form
  return {
    model: {
      name: 'recency_heuristic',
      requested: settings.model,
      params: { ...params },
      logLikelihood: null,
      converged: false,
      iterations: null,
      standardErrors: null,
      fallbackReason,
      customers,
      repeatBuyers,
    },
    predictions,
  };
}

interface SpendOutcome {
  report: SpendReport | null;
  fallbackReason: string | null;
  expectedValue: (f: CustomerFeatures) => number;
}

/**
 * Gamma-Gamma when it can be fitted; otherwise each customer's own mean purchase-day value (or the
 * base's mean for anyone whose own is not positive), labelled as the fallback.
 */
function fitSpend(purchasers: readonly CustomerFeatures[], settings: ClassifierSettings, standardErrors: boolean): SpendOutcome {
  const repeat = purchasers.filter((f) => f.frequency > 0 && f.monetary > 0 && Number.isFinite(f.monetary));
  const outcome = fitSpendModel(
    { x: Float64Array.from(repeat, (f) => f.frequency), m: Float64Array.from(repeat, (f) => f.monetary) },
    settings.fit,
    { standardErrors },
  );
  if (outcome.ok) {
    const { p, q, gamma } = outcome.fit.params;
    const params = [p, q, gamma];
    return {
      report: { ...outcome.fit, populationMean: (p * gamma) / (q - 1) },
      fallbackReason: null,
      expectedValue: (f) => conditionalExpectedValue(params, f.frequency, f.frequency > 0 && f.monetary > 0 ? f.monetary : 0),
    };
  }
  let total = 0;
  let days = 0;
  for (const f of purchasers) {
    total += f.ltv;
    days += f.purchaseDays;
  }
  const baseMean = days > 0 && total > 0 ? total / days : 0;
  return {
    report: null,
    fallbackReason: `${outcome.reason}; using each customer's mean purchase value`,
    expectedValue: (f) => {
      const own = f.purchaseDays > 0 ? f.ltv / f.purchaseDays : 0;
      return own > 0 ? own : baseMean;
    },
  };
}

function summarize(
  customers: readonly CustomerScore[],
  clv: Float64Array,
  ltv: Float64Array,
  settings: ClassifierSettings,
  ltvFigures: LtvFigures,
): ClassificationSummary {
  const zero = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  const stages = zero(STAGES_IN_LIFECYCLE_ORDER);
  const churnTypes = zero(['natural', 'preventable'] as const);
  const churnRiskBands = zero(CHURN_BANDS);
  const valueTiers = Object.fromEntries(VALUE_TIERS.map((t) => [t, { customers: 0, predictedClv: 0, ltv: 0, minClv: null as number | null }])) as ClassificationSummary['valueTiers'];
  let purchasers = 0;
  let totalLtv = 0;
  let totalClv = 0;
  let totalExpected = 0;
  let sumPAlive = 0;
  let sumRisk = 0;
  for (const c of customers) {
    stages[c.stage]++;
    if (c.churnType) churnTypes[c.churnType]++;
    totalLtv += c.ltv;
    if (c.purchases === 0) continue;
    purchasers++;
    if (c.churnRiskBand) churnRiskBands[c.churnRiskBand]++;
    sumPAlive += c.pAlive ?? 0;
    sumRisk += c.churnRisk ?? 0;
    totalClv += c.clv ?? 0;
    totalExpected += c.expectedPurchases ?? 0;
    if (c.valueTier) {
      const tier = valueTiers[c.valueTier];
      tier.customers++;
      tier.predictedClv += c.clv ?? 0;
      tier.ltv += c.ltv;
      tier.minClv = tier.minClv === null ? (c.clv ?? 0) : Math.min(tier.minClv, c.clv ?? 0);
    }
  }
  const mean = (sum: number) => (purchasers > 0 ? sum / purchasers : null);
  return {
    customers: customers.length,
    purchasers,
    prospects: customers.length - purchasers,
    stages,
    churnTypes,
    churnRiskBands,
    valueTiers,
    totals: { ltv: totalLtv, predictedClv: totalClv, expectedPurchases: totalExpected },
    means: { pAlive: mean(sumPAlive), clv: mean(totalClv), ltv: mean(totalLtv), churnRisk: mean(sumRisk) },
    pareto: {
      topShare: settings.valueTiers.topShare,
      clvShare: topShareOfTotal(clv, settings.valueTiers.topShare),
      ltvShare: topShareOfTotal(ltv, settings.valueTiers.topShare),
    },
    ltvFigures,
  };
}
