/**
 * The transaction model a base is scored with, and its predictions for every purchaser: an earlier fit
 * when one is given (and still predicts finite values), else the configured model fitted to this base,
 * else the labelled recency heuristic. fit.ts says whether a fit is usable; this says which one is used.
 */
import { fitTransactionModel, type ModelFit } from './fit.ts';
import { buildFitData, type FitData } from './models/fitData.ts';
import { heuristicParams } from './models/heuristic.ts';
import { TRANSACTION_MODEL_REGISTRY } from './models/index.ts';
import { heuristicScorer, modelScorer, type Horizon, type Prediction, type Scorer } from './scoring.ts';
import type { ClassifierSettings } from './settings.ts';
import { UNIT_DAYS, UNITS_PER_MONTH, type ModelName, type TimeUnit, type TransactionModelName } from './types.ts';

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

/** Per purchaser, in input order. */
export interface Predictions {
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

/**
 * The earlier fit when it is of the configured model and time unit and predicts finite values for
 * everyone; else the configured model when it fits and does; else the labelled heuristic.
 */
export function fitAndPredict(
  arrays: { frequency: Float64Array; recencyDays: Float64Array; ageDays: Float64Array },
  settings: ClassifierSettings,
  standardErrors: boolean,
  reuse: { model: ModelReport; timeUnit: TimeUnit } | null,
): { model: ModelReport; predictions: Predictions } {
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
  if (reuse && reuse.model.name === settings.model && reuse.timeUnit === settings.timeUnit) {
    const predictions = predictAll(modelScorer(spec, spec.paramNames.map((p) => reuse.model.params[p]), unitDays, horizon), data);
    if (predictions) return { model: { ...reuse.model, customers, repeatBuyers, fitMs: 0, reused: true }, predictions };
  }
  const started = performance.now();
  const outcome = fitTransactionModel(spec, arrays, unitDays, settings.fit, { standardErrors, data });
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
