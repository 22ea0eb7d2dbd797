/**
 * Classifies a customer base as of a day: fits the transaction and spend models over everyone, then
 * scores each customer (P(alive), churn risk, expected purchases, CLV), ranks value tiers and applies the
 * stage rules. Pure: plain data in, plain data out.
 */
import { LtvFiguresAccumulator, topShareOfTotal, type LtvFigures } from './figures.ts';
import { fitSpendModel, fitTransactionModel, type ModelFit, type SpendFit } from './fit.ts';
import { buildFitData, type FitData } from './models/fitData.ts';
import { conditionalExpectedValue, spendData } from './models/gammaGamma.ts';
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
  /** Wall time of the transaction model's fit, in milliseconds (a diagnostic). */
  fitMs: number;
  /** True when the parameters came from an earlier fit (ClassifyOptions.reuse) rather than this data. */
  reused: boolean;
}

export interface SpendReport extends SpendFit {
  populationMean: number;
}

export interface CustomerScore {
  customerId: string;
  stage: Stage;
  churnType: ChurnType | null;
  reason: string;
  /** The reason without the stage it leads to (its part before the arrow). */
  reasonDetail: string;
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
  /** Number of people classified, in input order. */
  size: number;
  /**
   * Person i's scores and explanation, built on demand: scores are kept in columns, because a million
   * long-lived objects (with a sentence each) dominate memory and garbage-collection time.
   */
  customer(i: number): CustomerScore;
  /** The columns behind `customer`: plain, cloneable data, so another thread can rebuild scores too. */
  columns: ScoreColumns;
}

/** Everything a score is made of besides the person's features. */
export interface ScoreColumns {
  asOfDay: number;
  settings: ClassifierSettings;
  /** The P(alive) values come from the recency heuristic (said so in every reason). */
  heuristic: boolean;
  /** Per person: index among the people with a purchase, or -1. */
  purchaserIndex: Int32Array;
  /** Per person with a purchase: */
  pAlive: Float64Array;
  expectedPurchases: Float64Array;
  expectedValue: Float64Array;
  clv: Float64Array;
  /** Index into VALUE_TIERS. */
  tiers: Uint8Array;
}

/** Person i's score from their features and the columns. */
export function scoreCustomer(f: CustomerFeatures, i: number, c: ScoreColumns): CustomerScore {
  const { settings, asOfDay } = c;
  const unitDays = UNIT_DAYS[settings.timeUnit];
  const j = c.purchaserIndex[i];
  const pAlive = j >= 0 ? c.pAlive[j] : null;
  const decision = decideStage(f, { asOfDay, pAlive, heuristic: c.heuristic, settings });
  const risk = pAlive === null ? null : churnRisk(pAlive);
  return {
    customerId: f.id,
    stage: decision.stage,
    churnType: decision.churnType,
    reason: decision.reason,
    reasonDetail: decision.detail,
    nextAction: settings.stages[decision.stage].nextAction,
    purchases: f.purchaseDays,
    frequency: f.frequency,
    recency: f.recencyDays / unitDays,
    T: f.ageDays / unitDays,
    daysSinceLastPurchase: f.lastPurchaseDay === null ? null : asOfDay - f.lastPurchaseDay,
    pAlive,
    churnRisk: risk,
    churnRiskBand: risk === null ? null : churnBand(risk, settings.churnRiskBands),
    expectedPurchases: j >= 0 ? c.expectedPurchases[j] : null,
    expectedAverageValue: j >= 0 ? c.expectedValue[j] : null,
    clv: j >= 0 ? c.clv[j] : null,
    ltv: f.ltv,
    valueTier: j >= 0 ? VALUE_TIERS[c.tiers[j]] : null,
  };
}

/** Every person's scores as objects: for small bases and tests. */
export function allCustomerScores(result: ClassificationResult): CustomerScore[] {
  return Array.from({ length: result.size }, (_, i) => result.customer(i));
}

export interface ClassifyOptions {
  asOfDay: number;
  settings: ClassifierSettings;
  /** Compute parameter standard errors (a few extra likelihood evaluations). */
  standardErrors?: boolean;
  /**
   * Score with an earlier fit instead of fitting this data: the sync engine refits on a cadence, so a
   * nightly run moves only the customers whose data moved. Ignored (and the data fitted) when it does
   * not match the configured model and time unit, or predicts non-finite values.
   */
  reuse?: { model: ModelReport; spendModel: SpendReport | null; timeUnit: TimeUnit } | null;
}

export function classify(features: readonly CustomerFeatures[], options: ClassifyOptions): ClassificationResult {
  const { settings, asOfDay } = options;
  const purchasers = features.filter((f) => f.purchaseDays > 0);
  const arrays = {
    frequency: column(purchasers, (f) => f.frequency),
    recencyDays: column(purchasers, (f) => f.recencyDays),
    ageDays: column(purchasers, (f) => f.ageDays),
  };
  const spend = fitSpend(purchasers, settings, options.standardErrors ?? false, options.reuse?.spendModel ?? null);
  const { model, predictions } = fitAndPredict(arrays, options);

  const margin = settings.clv.grossMargin ?? 1;
  const value = column(purchasers, spend.expectedValue);
  const clv = value.map((v, i) => margin * v * predictions.discountedPurchases[i]);
  const ltv = column(purchasers, (f) => f.ltv);
  const tiers = assignValueTiers(clv, ltv, purchasers.map((f) => f.id), settings.valueTiers);

  const n = features.length;
  const purchaserIndex = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) purchaserIndex[i] = features[i].purchaseDays > 0 ? k++ : -1;
  const heuristic = model.name === 'recency_heuristic';
  const columns: ScoreColumns = {
    asOfDay,
    settings,
    heuristic,
    purchaserIndex,
    pAlive: predictions.pAlive,
    expectedPurchases: predictions.expectedPurchases,
    expectedValue: value,
    clv,
    tiers,
  };

  const figures = new LtvFiguresAccumulator(asOfDay, settings.ltv, settings.clv.grossMargin);
  for (const f of features) figures.add(f);
  const stages = features.map((f, i) => {
    const j = purchaserIndex[i];
    return decideStage(f, { asOfDay, pAlive: j >= 0 ? predictions.pAlive[j] : null, heuristic, settings, withReason: false });
  });
  return {
    asOf: isoDateOfDay(asOfDay),
    timeUnit: settings.timeUnit,
    model,
    spendModel: spend.report,
    spendFallbackReason: spend.fallbackReason,
    summary: summarize({ stages, purchaserIndex, pAlive: predictions.pAlive, expected: predictions.expectedPurchases, clv, ltv, tiers, allLtv: column(features, (f) => f.ltv) }, settings, figures.result()),
    size: n,
    customer: (i) => scoreCustomer(features[i], i, columns),
    columns,
  };
}

/** A numeric column of a list of features (a plain loop: Float64Array.from with a mapper is several times slower). */
function column(features: readonly CustomerFeatures[], get: (f: CustomerFeatures) => number): Float64Array {
  const out = new Float64Array(features.length);
  for (let i = 0; i < features.length; i++) out[i] = get(features[i]);
  return out;
}

interface Predictions {
  pAlive: Float64Array;
  expectedPurchases: Float64Array;
  discountedPurchases: Float64Array;
}

/** Predictions depend on (x, t_x, T) only: computed once per pattern, then given to each customer. */
function predictAll(scorer: Scorer, data: FitData): Predictions | null {
  const patterns = data.size;
  const perPattern = new Float64Array(3 * patterns);
  const one: Prediction = { pAlive: 0, expectedPurchases: 0, discountedPurchases: 0 };
  for (let k = 0; k < patterns; k++) {
    scorer.predict(data.x[k], data.txDays[k], data.TDays[k], one);
    if (!Number.isFinite(one.pAlive + one.expectedPurchases + one.discountedPurchases)) return null;
    perPattern[3 * k] = one.pAlive;
    perPattern[3 * k + 1] = one.expectedPurchases;
    perPattern[3 * k + 2] = one.discountedPurchases;
  }
  const n = data.patternOf.length;
  const out: Predictions = { pAlive: new Float64Array(n), expectedPurchases: new Float64Array(n), discountedPurchases: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const k = 3 * data.patternOf[i];
    out.pAlive[i] = perPattern[k];
    out.expectedPurchases[i] = perPattern[k + 1];
    out.discountedPurchases[i] = perPattern[k + 2];
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
  const data = buildFitData(arrays.frequency, arrays.recencyDays, arrays.ageDays, unitDays);
  const reuse = options.reuse;
  if (reuse && reuse.model.name === settings.model && reuse.timeUnit === settings.timeUnit) {
    const predictions = predictAll(modelScorer(spec, spec.paramNames.map((p) => reuse.model.params[p]), unitDays, horizon), data);
    if (predictions) return { model: { ...reuse.model, customers, repeatBuyers, fitMs: 0, reused: true }, predictions };
  }
  const started = performance.now();
  const outcome = fitTransactionModel(spec, arrays, unitDays, settings.fit, { standardErrors: options.standardErrors ?? false, data });
  const fitMs = Math.round(performance.now() - started);
  let fallbackReason: string;
  if (outcome.ok) {
    const fit: ModelFit = outcome.fit;
    const predictions = predictAll(modelScorer(spec, spec.paramNames.map((p) => fit.params[p]), unitDays, horizon), data);
    if (predictions) return { model: { ...fit, requested: settings.model, fallbackReason: null, customers, repeatBuyers, fitMs, reused: false }, predictions };
    fallbackReason = `${spec.name} gave non-finite predictions at its fitted parameters`;
  } else {
    fallbackReason = outcome.reason;
  }
  const params = heuristicParams(settings.heuristic, arrays.frequency, arrays.recencyDays);
  const predictions = predictAll(heuristicScorer(params, horizon), data);
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
      fitMs,
      reused: false,
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
function fitSpend(purchasers: readonly CustomerFeatures[], settings: ClassifierSettings, standardErrors: boolean, reuse: SpendReport | null): SpendOutcome {
  if (reuse) {
    const params = [reuse.params.p, reuse.params.q, reuse.params.gamma];
    return { report: reuse, fallbackReason: null, expectedValue: (f) => conditionalExpectedValue(params, f.frequency, f.frequency > 0 && f.monetary > 0 ? f.monetary : 0) };
  }
  const repeat = purchasers.filter((f) => f.frequency > 0 && f.monetary > 0 && Number.isFinite(f.monetary));
  const outcome = fitSpendModel(
    spendData(Float64Array.from(repeat, (f) => f.frequency), Float64Array.from(repeat, (f) => f.monetary)),
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

interface SummaryColumns {
  stages: readonly { stage: Stage; churnType: ChurnType | null }[];
  /** Per person: index among purchasers, or -1. */
  purchaserIndex: Int32Array;
  /** Per purchaser: */
  pAlive: Float64Array;
  expected: Float64Array;
  clv: Float64Array;
  ltv: Float64Array;
  tiers: Uint8Array;
  /** Per person: value to date. */
  allLtv: Float64Array;
}

function summarize(c: SummaryColumns, settings: ClassifierSettings, ltvFigures: LtvFigures): ClassificationSummary {
  const zero = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  const stages = zero(STAGES_IN_LIFECYCLE_ORDER);
  const churnTypes = zero(['natural', 'preventable'] as const);
  const churnRiskBands = zero(CHURN_BANDS);
  const valueTiers = Object.fromEntries(VALUE_TIERS.map((t) => [t, { customers: 0, predictedClv: 0, ltv: 0, minClv: null as number | null }])) as ClassificationSummary['valueTiers'];
  let totalLtv = 0;
  for (const [i, decision] of c.stages.entries()) {
    stages[decision.stage]++;
    if (decision.churnType) churnTypes[decision.churnType]++;
    totalLtv += c.allLtv[i];
  }
  const purchasers = c.pAlive.length;
  let totalClv = 0;
  let totalExpected = 0;
  let sumPAlive = 0;
  for (let j = 0; j < purchasers; j++) {
    churnRiskBands[churnBand(churnRisk(c.pAlive[j]), settings.churnRiskBands)]++;
    sumPAlive += c.pAlive[j];
    totalClv += c.clv[j];
    totalExpected += c.expected[j];
    const tier = valueTiers[VALUE_TIERS[c.tiers[j]]];
    tier.customers++;
    tier.predictedClv += c.clv[j];
    tier.ltv += c.ltv[j];
    tier.minClv = tier.minClv === null ? c.clv[j] : Math.min(tier.minClv, c.clv[j]);
  }
  const mean = (sum: number) => (purchasers > 0 ? sum / purchasers : null);
  const people = c.stages.length;
  return {
    customers: people,
    purchasers,
    prospects: people - purchasers,
    stages,
    churnTypes,
    churnRiskBands,
    valueTiers,
    totals: { ltv: totalLtv, predictedClv: totalClv, expectedPurchases: totalExpected },
    means: { pAlive: mean(sumPAlive), clv: mean(totalClv), ltv: mean(totalLtv), churnRisk: purchasers > 0 ? 100 * (1 - sumPAlive / purchasers) : null },
    pareto: {
      topShare: settings.valueTiers.topShare,
      // The top tier is the top share by CLV, so its total is the numerator.
      clvShare: totalClv > 0 ? valueTiers.top.predictedClv / totalClv : null,
      ltvShare: topShareOfTotal(c.ltv, settings.valueTiers.topShare),
    },
    ltvFigures,
  };
}
