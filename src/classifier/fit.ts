/**
 * Maximum-likelihood fitting of the transaction and spend models, with the decisions about when a fit
 * is not usable. Everything here is deterministic: the same customers give the same parameters.
 */
import { buildFitData, type FitData } from './models/fitData.ts';
import { GAMMA_GAMMA_PARAMS, gammaGammaTotalLogLikelihood, type SpendData } from './models/gammaGamma.ts';
import type { TransactionModel } from './models/model.ts';
import { DEFAULT_MINIMIZE_OPTIONS, invert, minimizeBfgs, numericHessian, type MinimizeResult, type Objective } from './optimize.ts';
import type { TransactionModelName } from './types.ts';

export interface FitSettings {
  minCustomers: number;
  minRepeatBuyers: number;
  maxIterations: number;
  /** Above this many customers, a deterministic subsample finds the start and the full data polishes it. */
  subsampleAbove: number;
}

/** Customers as parallel arrays of integer day counts. */
export interface CustomerArrays {
  frequency: ArrayLike<number>;
  recencyDays: ArrayLike<number>;
  ageDays: ArrayLike<number>;
}

export interface ModelFit {
  name: TransactionModelName;
  params: Record<string, number>;
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  standardErrors: Record<string, number> | null;
}

export type TransactionFitOutcome = { ok: true; fit: ModelFit } | { ok: false; reason: string };

export function fitTransactionModel(
  model: TransactionModel,
  customers: CustomerArrays,
  unitDays: number,
  settings: FitSettings,
  options: { standardErrors?: boolean } = {},
): TransactionFitOutcome {
  const n = customers.frequency.length;
  let repeatBuyers = 0;
  for (let i = 0; i < n; i++) if (customers.frequency[i] > 0) repeatBuyers++;
  if (n < settings.minCustomers) {
    return { ok: false, reason: `only ${n} customers; ${model.name} needs at least ${settings.minCustomers}` };
  }
  if (repeatBuyers < settings.minRepeatBuyers) {
    return { ok: false, reason: `only ${repeatBuyers} repeat buyers; ${model.name} needs at least ${settings.minRepeatBuyers}` };
  }
  const data = buildFitData(customers.frequency, customers.recencyDays, customers.ageDays, unitDays);
  const starts: number[][] = [model.initialParams(data).map(Math.log)];
  if (n > settings.subsampleAbove) {
    const sample = subsample(customers, settings.subsampleAbove);
    const sampleData = buildFitData(sample.frequency, sample.recencyDays, sample.ageDays, unitDays);
    const warm = bestOf(model, sampleData, starts, settings.maxIterations);
    if (warm.converged) starts.unshift(Array.from(warm.x));
  }
  let best = bestOf(model, data, starts, settings.maxIterations);
  if (!best.converged) {
    // A second chance from a different scale, as lifetimes' iterative_fitting does.
    const alt = bestOf(model, data, [starts[starts.length - 1].map((v, i) => (i % 2 === 1 ? v + Math.log(5) : v - Math.log(2)))], settings.maxIterations);
    if (alt.converged || alt.value < best.value) best = alt;
  }
  if (!best.converged || !Number.isFinite(best.value)) {
    return { ok: false, reason: `${model.name} did not converge (${best.message})` };
  }
  const params = best.x.map(Math.exp);
  return {
    ok: true,
    fit: {
      name: model.name,
      params: named(model.paramNames, params),
      logLikelihood: model.totalLogLikelihood(params, data),
      converged: true,
      iterations: best.iterations,
      standardErrors: options.standardErrors ? standardErrors(objectiveFor(model, data, 1), best.x, model.paramNames) : null,
    },
  };
}

/** -LL / scale on log-parameters, from a log-likelihood that fills d/d(log parameter). */
function negativeLogLikelihood(ll: (params: Float64Array, grad: Float64Array) => number, scale: number): Objective {
  return (logParams, grad) => {
    const value = ll(logParams.map(Math.exp), grad);
    for (let i = 0; i < grad.length; i++) grad[i] = -grad[i] / scale;
    return -value / scale;
  };
}

function objectiveFor(model: TransactionModel, data: FitData, scale: number): Objective {
  return negativeLogLikelihood((params, grad) => model.totalLogLikelihood(params, data, grad), scale);
}

function bestOf(model: TransactionModel, data: FitData, starts: number[][], maxIterations: number): MinimizeResult {
  // The mean log-likelihood keeps the gradient tolerance independent of the number of customers.
  const objective = objectiveFor(model, data, data.totalWeight);
  let best: MinimizeResult | null = null;
  for (const start of starts) {
    const result = minimizeBfgs(objective, start, { ...DEFAULT_MINIMIZE_OPTIONS, maxIterations });
    if (!best || (result.converged && !best.converged) || (result.converged === best.converged && result.value < best.value)) best = result;
    if (best.converged) break;
  }
  return best as MinimizeResult;
}

/** Standard errors from the observed information (the Hessian of -LL), by the delta method on the log scale. */
function standardErrors(objective: Objective, logParams: Float64Array, names: readonly string[]): Record<string, number> | null {
  const covariance = invert(numericHessian(objective, logParams));
  if (!covariance) return null;
  return named(
    names,
    names.map((_, i) => Math.exp(logParams[i]) * Math.sqrt(Math.max(0, covariance[i][i]))),
  );
}

/** Every k-th customer from a fixed offset: deterministic, and spread over the whole input order. */
function subsample(customers: CustomerArrays, size: number): CustomerArrays {
  const n = customers.frequency.length;
  const step = n / size;
  const pick = (source: ArrayLike<number>) => Float64Array.from({ length: size }, (_, i) => source[Math.floor(i * step)]);
  return { frequency: pick(customers.frequency), recencyDays: pick(customers.recencyDays), ageDays: pick(customers.ageDays) };
}

function named(names: readonly string[], values: ArrayLike<number>): Record<string, number> {
  return Object.fromEntries(names.map((name, i) => [name, values[i]]));
}

export interface SpendFit {
  name: 'gamma_gamma';
  params: { p: number; q: number; gamma: number };
  logLikelihood: number;
  converged: boolean;
  customers: number;
  standardErrors: Record<string, number> | null;
}

export type SpendFitOutcome = { ok: true; fit: SpendFit } | { ok: false; reason: string };

/** Gamma-Gamma on repeat buyers with a positive mean repeat value. */
export function fitSpendModel(data: SpendData, settings: FitSettings, options: { standardErrors?: boolean } = {}): SpendFitOutcome {
  const n = data.x.length;
  if (n < settings.minRepeatBuyers) {
    return { ok: false, reason: `only ${n} repeat buyers with a positive purchase value; gamma_gamma needs at least ${settings.minRepeatBuyers}` };
  }
  let meanM = 0;
  for (const m of data.m) meanM += m / n;
  const logLikelihood = (params: Float64Array, grad: Float64Array) => gammaGammaTotalLogLikelihood(params, data, grad);
  const objective = negativeLogLikelihood(logLikelihood, n);
  const result = minimizeBfgs(objective, [Math.log(1), Math.log(2), Math.log(meanM)], { ...DEFAULT_MINIMIZE_OPTIONS, maxIterations: settings.maxIterations });
  const [p, q, gamma] = Array.from(result.x, Math.exp);
  if (!result.converged) return { ok: false, reason: `gamma_gamma did not converge (${result.message})` };
  if (!(q > 1)) return { ok: false, reason: `gamma_gamma fitted q = ${q.toFixed(3)} <= 1, so its mean spend is infinite` };
  return {
    ok: true,
    fit: {
      name: 'gamma_gamma',
      params: { p, q, gamma },
      logLikelihood: -result.value * n,
      converged: true,
      customers: n,
      standardErrors: options.standardErrors
        ? standardErrors(negativeLogLikelihood(logLikelihood, 1), result.x, GAMMA_GAMMA_PARAMS)
        : null,
    },
  };
}
