/**
 * "Is the model right for my data?": fit every transaction model on the history up to a cut-off,
 * predict the holdout window that follows, and compare with what the customers did in it. Purchases
 * are counted as the models count them (distinct purchase days; refunds are not purchases). Only the
 * cohort that had bought by the cut-off is scored: a model cannot predict customers it has not seen.
 * Pure: purchases in columns in, figures out.
 */
import { calibrationByFrequency, errorMetrics, rocAuc, topShareCapture, type CalibrationRow, type ErrorMetrics } from './backtestMetrics.ts';
import { FeatureTable } from './featureTable.ts';
import { featuresFromColumns, isoDateOfDay } from './features.ts';
import { fitTransactionModel } from './fit.ts';
import { heuristicParams } from './models/heuristic.ts';
import { TRANSACTION_MODEL_REGISTRY } from './models/index.ts';
import { heuristicScorer, modelScorer, type Horizon, type Prediction, type Scorer } from './scoring.ts';
import type { ClassifierSettings } from './settings.ts';
import { fitSpend } from './spendModel.ts';
import { TRANSACTION_MODELS, UNIT_DAYS, UNITS_PER_MONTH, type ModelName, type TimeUnit } from './types.ts';

/** Customer c's purchases are positions offsets[c] .. offsets[c+1]-1, sorted by day (the CSV reader's table). */
export interface PurchaseColumns {
  ids: readonly string[];
  offsets: ArrayLike<number>;
  days: ArrayLike<number>;
  amounts: ArrayLike<number>;
}

export interface BacktestOptions {
  /** Last day of the calibration period (included). */
  calibrationEndDay: number;
  /** Last day of the holdout period (included); the holdout is (calibrationEnd, holdoutEnd]. */
  holdoutEndDay: number;
  settings: ClassifierSettings;
}

export interface ModelAccuracy extends ErrorMetrics {
  /** AUC of churn risk (1 − P(alive) at the cut-off) for "no purchase in the holdout"; 0.5 is chance. */
  churnAuc: number | null;
  /** Share of holdout revenue bought by the top `valueTiers.topShare` ranked by predicted CLV. */
  topRevenueCapture: number | null;
}

export interface ModelBacktest {
  model: ModelName;
  /** False when the model could not be fitted on the calibration period (then `reason` says why). */
  fitted: boolean;
  reason: string | null;
  params: Record<string, number>;
  accuracy: ModelAccuracy | null;
}

export interface BacktestResult {
  calibrationEnd: string;
  holdoutEnd: string;
  holdoutDays: number;
  timeUnit: TimeUnit;
  /** Customers with a purchase by the cut-off: the scored cohort. */
  customers: number;
  repeatBuyers: number;
  /** Customers whose first purchase falls in the holdout: not scored. */
  newInHoldout: number;
  actual: { purchases: number; buyers: number; revenue: number };
  /** How predicted CLV values a purchase: the Gamma-Gamma fit, or why each customer's mean was used. */
  spend: { model: 'gamma_gamma' | 'customer_mean'; reason: string | null };
  /** The three models, then the recency heuristic as a baseline (what is used when none fits). */
  models: ModelBacktest[];
  /** Mean actual vs mean predicted holdout purchases by past frequency 0..7+, per fitted model. */
  calibration: CalibrationRow[];
}

export function backtest(purchases: PurchaseColumns, options: BacktestOptions): BacktestResult {
  const { calibrationEndDay: cut, holdoutEndDay: end, settings } = options;
  if (!(end > cut)) throw new RangeError('the holdout must end after the calibration period');
  const periodDays = settings.ltv.periodDays;
  const features = new FeatureTable(purchases.ids.length);
  const holdoutPurchases: number[] = [];
  const holdoutRevenue: number[] = [];
  let newInHoldout = 0;
  for (let c = 0; c < purchases.ids.length; c++) {
    const f = featuresFromColumns(purchases.ids[c], purchases.days, purchases.amounts, purchases.offsets[c], purchases.offsets[c + 1], cut, periodDays);
    const window = holdoutWindow(purchases, c, cut, end);
    if (f.purchaseDays === 0) {
      if (window.purchaseDays > 0) newInHoldout++;
      continue;
    }
    features.push(f);
    holdoutPurchases.push(window.purchaseDays);
    holdoutRevenue.push(window.revenue);
  }
  const cohort = features.purchasers();
  const n = cohort.frequency.length;
  if (n === 0) throw new RangeError(`no customer had bought by ${isoDateOfDay(cut)}`);
  const actual = Float64Array.from(holdoutPurchases);
  const revenue = Float64Array.from(holdoutRevenue);
  const unitDays = UNIT_DAYS[settings.timeUnit];
  const horizon: Horizon = {
    expectedDays: end - cut,
    monthDays: UNITS_PER_MONTH[settings.timeUnit] * unitDays,
    months: settings.clv.horizonMonths,
    monthlyDiscountRate: settings.clv.monthlyDiscountRate,
  };
  const spend = fitSpend(cohort, settings, false, null);
  const noPurchase = Array.from(actual, (a) => a === 0);

  const score = (scorer: Scorer): ModelAccuracy & { predicted: Float64Array } | null => {
    const predicted = new Float64Array(n);
    const churnRisk = new Float64Array(n);
    const clv = new Float64Array(n);
    const one: Prediction = { pAlive: 0, expectedPurchases: 0, discountedPurchases: 0 };
    for (let j = 0; j < n; j++) {
      scorer.predict(cohort.frequency[j], cohort.recencyDays[j], cohort.ageDays[j], one);
      if (!Number.isFinite(one.pAlive + one.expectedPurchases + one.discountedPurchases)) return null;
      predicted[j] = one.expectedPurchases;
      churnRisk[j] = 1 - one.pAlive;
      clv[j] = spend.expectedValue[j] * one.discountedPurchases;
    }
    return {
      ...errorMetrics(actual, predicted),
      churnAuc: rocAuc(churnRisk, noPurchase),
      topRevenueCapture: topShareCapture(clv, revenue, settings.valueTiers.topShare),
      predicted,
    };
  };

  const models: ModelBacktest[] = [];
  const predictedBy: Record<string, Float64Array> = {};
  for (const name of TRANSACTION_MODELS) {
    const spec = TRANSACTION_MODEL_REGISTRY[name];
    const outcome = fitTransactionModel(spec, cohort, unitDays, settings.fit);
    if (!outcome.ok) {
      models.push({ model: name, fitted: false, reason: outcome.reason, params: {}, accuracy: null });
      continue;
    }
    const result = score(modelScorer(spec, spec.paramNames.map((p) => outcome.fit.params[p]), unitDays, horizon));
    if (!result) {
      models.push({ model: name, fitted: false, reason: `${name} gave non-finite predictions at its fitted parameters`, params: outcome.fit.params, accuracy: null });
      continue;
    }
    const { predicted, ...accuracy } = result;
    predictedBy[name] = predicted;
    models.push({ model: name, fitted: true, reason: null, params: outcome.fit.params, accuracy });
  }
  const heuristic = heuristicParams(settings.heuristic, cohort.frequency, cohort.recencyDays);
  const baseline = score(heuristicScorer(heuristic, horizon));
  if (baseline) {
    const { predicted, ...accuracy } = baseline;
    predictedBy.recency_heuristic = predicted;
    models.push({ model: 'recency_heuristic', fitted: true, reason: null, params: { ...heuristic }, accuracy });
  }

  let repeatBuyers = 0;
  let buyers = 0;
  let actualTotal = 0;
  let revenueTotal = 0;
  for (let j = 0; j < n; j++) {
    if (cohort.frequency[j] > 0) repeatBuyers++;
    if (actual[j] > 0) buyers++;
    actualTotal += actual[j];
    revenueTotal += revenue[j];
  }
  return {
    calibrationEnd: isoDateOfDay(cut),
    holdoutEnd: isoDateOfDay(end),
    holdoutDays: end - cut,
    timeUnit: settings.timeUnit,
    customers: n,
    repeatBuyers,
    newInHoldout,
    actual: { purchases: actualTotal, buyers, revenue: revenueTotal },
    spend: spend.report ? { model: 'gamma_gamma', reason: null } : { model: 'customer_mean', reason: spend.fallbackReason },
    models,
    calibration: calibrationByFrequency(cohort.frequency, actual, predictedBy),
  };
}

/** Distinct purchase days and net revenue (at least 0) of customer c in (cut, end]. */
function holdoutWindow(p: PurchaseColumns, c: number, cut: number, end: number): { purchaseDays: number; revenue: number } {
  let purchaseDays = 0;
  let revenue = 0;
  let lastDay: number | null = null;
  for (let i = p.offsets[c]; i < p.offsets[c + 1]; i++) {
    const day = p.days[i];
    if (day <= cut) continue;
    if (day > end) break;
    revenue += p.amounts[i];
    if (p.amounts[i] >= 0 && day !== lastDay) {
      purchaseDays++;
      lastDay = day;
    }
  }
  return { purchaseDays, revenue: Math.max(0, revenue) };
}
