/**
 * Maximum-likelihood fitting of the transaction and spend models, with the decisions about when a fit
 * is not usable. Everything here is deterministic: the same customers give the same parameters.
 */
import { buildFitData, type FitData } from './models/fitData.ts';
import { GAMMA_GAMMA_PARAMS, gammaGammaTotalLogLikelihood, spendData, type SpendData } from './models/gammaGamma.ts';
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
  options: { standardErrors?: boolean; data?: FitData } = {},
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
  const data = options.data ?? buildFitData(customers.frequency, customers.recencyDays, customers.ageDays, unitDays);
  // Search on log-parameters relative to the starting values (which carry the data's time scale).
  const offsets = model.initialParams(data).map(Math.log);
  const starts: number[][] = [offsets.map(() => 0)];
  let curvature: Float64Array[] | undefined;
  if (n > settings.subsampleAbove) {
    // Both objectives are mean log-likelihoods, so the subsample's curvature carries over too.
    const sample = subsample(customers, settings.subsampleAbove);
    const sampleData = buildFitData(sample.frequency, sample.recencyDays, sample.ageDays, unitDays);
    const sampleOffsets = model.initialParams(sampleData).map(Math.log);
    const warm = bestOf(objectiveFor(model, sampleData, sampleOffsets), [sampleOffsets.map(() => 0)], settings.maxIterations);
    if (warm.converged) {
      starts.unshift(Array.from(warm.x, (v, i) => v + sampleOffsets[i] - offsets[i]));
      curvature = warm.inverseHessian;
    }
  }
  const objective = objectiveFor(model, data, offsets);
  let best = bestOf(objective, starts, settings.maxIterations, curvature);
  if (!best.converged) {
    // A second chance from a different scale, as lifetimes' iterative_fitting does.
    const alt = bestOf(objective, [offsets.map((_, i) => (i % 2 === 1 ? Math.log(5) : -Math.log(2)))], settings.maxIterations);
    if (alt.converged || alt.value < best.value) best = alt;
  }
  if (!best.converged || !Number.isFinite(best.value)) {
    return { ok: false, reason: `${model.name} did not converge (${best.message})` };
  }
  const params = best.x.map((v, i) => Math.exp(v + offsets[i]));
  const edge = edgeParameter(best.x, model.paramNames, params);
  if (edge) return { ok: false, reason: `${model.name} is not identifiable from this data (${edge} ran to an extreme)` };
  return {
    ok: true,
    fit: {
      name: model.name,
      params: named(model.paramNames, params),
      logLikelihood: model.totalLogLikelihood(params, data),
      converged: true,
      iterations: best.iterations,
      standardErrors: options.standardErrors ? standardErrors(objectiveFor(model, data, offsets, 1), best.x, offsets, model.paramNames) : null,
    },
  };
}

/**
 * Fits of real customer bases land well within a factor of a hundred of the starting values (which
 * carry the data's time scale). An optimum beyond ten thousand means the likelihood is flat in that
 * direction (a degenerate base) and the parameters say nothing a customer's score could rest on; the
 * search stops just past that edge so that it can tell, without wandering where the likelihood is
 * expensive to evaluate.
 */
const LOG_EDGE = Math.log(1e4);
const LOG_BOUND = LOG_EDGE + 0.5;

function edgeParameter(x: ArrayLike<number>, names: readonly string[], params: ArrayLike<number>): string | null {
  for (let i = 0; i < x.length; i++) {
    if (Math.abs(x[i]) > LOG_EDGE) return `${names[i]} = ${params[i].toPrecision(3)}`;
  }
  return null;
}

/**
 * -LL / scale as a function of x = log(parameter) - offset, from a log-likelihood that fills
 * d/d(log parameter) (which is also d/dx).
 */
function negativeLogLikelihood(
  ll: (params: Float64Array, grad: Float64Array) => number,
  offsets: readonly number[],
  scale: number,
): Objective {
  return (x, grad) => {
    const value = ll(x.map((v, i) => Math.exp(v + offsets[i])), grad);
    for (let i = 0; i < grad.length; i++) grad[i] = -grad[i] / scale;
    return -value / scale;
  };
}

/** The mean log-likelihood by default keeps the gradient tolerance independent of the number of customers. */
function objectiveFor(model: TransactionModel, data: FitData, offsets: readonly number[], scale = data.totalWeight): Objective {
  return negativeLogLikelihood((params, grad) => model.totalLogLikelihood(params, data, grad), offsets, scale);
}

function bestOf(objective: Objective, starts: number[][], maxIterations: number, curvature?: Float64Array[]): MinimizeResult {
  let best: MinimizeResult | null = null;
  for (const [k, start] of starts.entries()) {
    const initialInverseHessian = k === 0 ? curvature : undefined;
    const result = minimizeBfgs(objective, start, { ...DEFAULT_MINIMIZE_OPTIONS, bound: LOG_BOUND, maxIterations, initialInverseHessian });
    if (!best || (result.converged && !best.converged) || (result.converged === best.converged && result.value < best.value)) best = result;
    if (best.converged) break;
  }
  return best as MinimizeResult;
}

/** Standard errors from the observed information (the Hessian of -LL), by the delta method on the log scale. */
function standardErrors(objective: Objective, x: Float64Array, offsets: readonly number[], names: readonly string[]): Record<string, number> | null {
  const covariance = invert(numericHessian(objective, x));
  if (!covariance) return null;
  return named(
    names,
    names.map((_, i) => Math.exp(x[i] + offsets[i]) * Math.sqrt(Math.max(0, covariance[i][i]))),
  );
}

/** `size` evenly spaced elements: a deterministic subsample spread over the whole input order. */
function everyKth(source: ArrayLike<number>, size: number): Float64Array {
  const step = source.length / size;
  return Float64Array.from({ length: size }, (_, i) => source[Math.floor(i * step)]);
}

function subsample(customers: CustomerArrays, size: number): CustomerArrays {
  return { frequency: everyKth(customers.frequency, size), recencyDays: everyKth(customers.recencyDays, size), ageDays: everyKth(customers.ageDays, size) };
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
  const offsets = [0, Math.log(2), Math.log(meanM)];
  const minimize = { ...DEFAULT_MINIMIZE_OPTIONS, bound: LOG_BOUND, maxIterations: settings.maxIterations };
  let start = [0, 0, 0];
  let initialInverseHessian: Float64Array[] | undefined;
  if (n > settings.subsampleAbove) {
    // As for the transaction model: a subsample finds the start and the curvature, the full data polishes.
    const sample = spendData(everyKth(data.x, settings.subsampleAbove), everyKth(data.m, settings.subsampleAbove));
    const sampleLogLikelihood = (params: Float64Array, grad: Float64Array) => gammaGammaTotalLogLikelihood(params, sample, grad);
    const warm = minimizeBfgs(negativeLogLikelihood(sampleLogLikelihood, offsets, sample.x.length), start, minimize);
    if (warm.converged) {
      start = Array.from(warm.x);
      initialInverseHessian = warm.inverseHessian;
    }
  }
  const objective = negativeLogLikelihood(logLikelihood, offsets, n);
  const result = minimizeBfgs(objective, start, { ...minimize, initialInverseHessian });
  const [p, q, gamma] = Array.from(result.x, (v, i) => Math.exp(v + offsets[i]));
  if (!result.converged) return { ok: false, reason: `gamma_gamma did not converge (${result.message})` };
  const edge = edgeParameter(result.x, GAMMA_GAMMA_PARAMS, [p, q, gamma]);
  if (edge) return { ok: false, reason: `gamma_gamma is not identifiable from this data (${edge} ran to an extreme)` };
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
        ? standardErrors(negativeLogLikelihood(logLikelihood, offsets, 1), result.x, offsets, GAMMA_GAMMA_PARAMS)
        : null,
    },
  };
}
