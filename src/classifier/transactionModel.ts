/**
 * The transaction model a base is scored with, and its predictions for every purchaser: an earlier fit
 * when one is given (and still predicts finite values), else the configured (or auto-chosen) model
 * fitted to this base, else another model that fits, else the labelled recency heuristic. fit.ts says whether a fit is usable; this says which one is used.
 */
import { AUTO_CANDIDATES, modelWarnings, type ModelSelection } from './autoModel.ts';
import { fitTransactionModel, type ModelFit } from './fit.ts';
import { buildFitData, type FitData } from './models/fitData.ts';
import { heuristicParams } from './models/heuristic.ts';
import { TRANSACTION_MODEL_REGISTRY } from './models/index.ts';
import { heuristicScorer, modelScorer, type Horizon, type Prediction, type Scorer } from './scoring.ts';
import type { ClassifierSettings } from './settings.ts';
import { UNIT_DAYS, UNITS_PER_MONTH, type ModelChoice, type ModelName, type TimeUnit, type TransactionModelName } from './types.ts';

export interface ModelReport {
  name: ModelName;
  /** The configured choice (`auto`, or a model). */
  requested: ModelChoice;
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
  /** Under `auto`: the model chosen, why, and the holdout scores behind it; null for a configured model. */
  selection: ModelSelection | null;
  /** What an admin should know about the configured choice (BG/NBD's churn signal). */
  warnings: string[];
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

/** The prediction windows of the settings: expected purchases' window and the CLV's discounted months. */
export function horizonOf(settings: ClassifierSettings): Horizon {
  return {
    expectedDays: settings.expectedDays,
    monthDays: UNITS_PER_MONTH[settings.timeUnit] * UNIT_DAYS[settings.timeUnit],
    months: settings.clv.horizonMonths,
    monthlyDiscountRate: settings.clv.monthlyDiscountRate,
  };
}

/**
 * A stored fit's predictions for anyone (an earlier fit reused by a run, or a few customers rescored
 * between runs): the fitted model at its parameters, or the heuristic at the parameters it had.
 */
export function reportScorer(report: Pick<ModelReport, 'name' | 'params'>, settings: ClassifierSettings): Scorer {
  const horizon = horizonOf(settings);
  if (report.name === 'recency_heuristic') {
    const { halfLifeIntervals, populationIntervalDays } = report.params;
    return heuristicScorer({ halfLifeIntervals, populationIntervalDays }, horizon);
  }
  const spec = TRANSACTION_MODEL_REGISTRY[report.name];
  return modelScorer(spec, spec.paramNames.map((p) => report.params[p]), UNIT_DAYS[settings.timeUnit], horizon);
}

/** Models to try, in order: the chosen one, then those auto may use (BG/NBD only when chosen itself). */
export function fitOrder(chosen: TransactionModelName): TransactionModelName[] {
  return [chosen, ...AUTO_CANDIDATES.filter((m) => m !== chosen)];
}

/** An earlier fit serves this configuration: the same choice (auto, or the model itself) and a fitted model. */
export function reusableFor(report: Pick<ModelReport, 'name' | 'requested'>, model: ClassifierSettings['model']): boolean {
  if (report.name === 'recency_heuristic') return false;
  return model === 'auto' ? report.requested === 'auto' : report.name === model;
}

/**
 * The earlier fit when it serves the configured choice and predicts finite values for everyone; else
 * the chosen model (the configured one, or auto's `selection`), else the next model of `fitOrder`
 * that fits, else the labelled heuristic. Each step down is said in `fallbackReason`.
 */
export function fitAndPredict(
  arrays: { frequency: Float64Array; recencyDays: Float64Array; ageDays: Float64Array },
  settings: ClassifierSettings,
  standardErrors: boolean,
  reuse: { model: ModelReport; timeUnit: TimeUnit } | null,
  selection: ModelSelection | null = null,
): { model: ModelReport; predictions: Predictions } {
  const unitDays = UNIT_DAYS[settings.timeUnit];
  const horizon = horizonOf(settings);
  const customers = arrays.frequency.length;
  let repeatBuyers = 0;
  for (const x of arrays.frequency) if (x > 0) repeatBuyers++;
  const data = buildFitData(arrays.frequency, arrays.recencyDays, arrays.ageDays, unitDays);
  const warnings = modelWarnings(settings.model);
  if (reuse && reuse.timeUnit === settings.timeUnit && reusableFor(reuse.model, settings.model) && reuse.model.name !== 'recency_heuristic') {
    const predictions = predictAll(reportScorer(reuse.model, settings), data);
    if (predictions) return { model: { ...reuse.model, customers, repeatBuyers, fitMs: 0, reused: true, warnings }, predictions };
  }
  const chosen: TransactionModelName = settings.model === 'auto' ? (selection?.chosen ?? AUTO_CANDIDATES[0]) : settings.model;
  const autoSelection: ModelSelection | null =
    settings.model !== 'auto' ? null : (selection ?? { chosen, reason: `no holdout comparison was run; ${chosen}, the default, is used`, calibrationEnd: null, holdoutEnd: null, scores: [] });
  const started = performance.now();
  const failures: string[] = [];
  for (const name of fitOrder(chosen)) {
    const spec = TRANSACTION_MODEL_REGISTRY[name];
    const outcome = fitTransactionModel(spec, arrays, unitDays, settings.fit, { standardErrors, data });
    if (!outcome.ok) {
      failures.push(outcome.reason);
      continue;
    }
    const fit: ModelFit = outcome.fit;
    const predictions = predictAll(modelScorer(spec, spec.paramNames.map((p) => fit.params[p]), unitDays, horizon), data);
    if (!predictions) {
      failures.push(`${name} gave non-finite predictions at its fitted parameters`);
      continue;
    }
    const fallbackReason = failures.length === 0 ? null : `${failures.join('; ')}; ${name}, which could be fitted, is used instead`;
    return {
      model: { ...fit, requested: settings.model, fallbackReason, customers, repeatBuyers, fitMs: Math.round(performance.now() - started), reused: false, selection: autoSelection, warnings },
      predictions,
    };
  }
  const fitMs = Math.round(performance.now() - started);
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
      fallbackReason: failures.join('; '),
      customers,
      repeatBuyers,
      fitMs,
      reused: false,
      selection: autoSelection,
      warnings,
    },
    predictions,
  };
}
