import type { TransactionModelName } from '../types.ts';
import type { FitData } from './fitData.ts';

/** Per-customer conditional quantities. E[X(t) | x, t_x, T] = scale * timeProfile(x, T, t). */
export interface Conditional {
  pAlive: number;
  scale: number;
}

/**
 * One transaction model (one small module each, like lifetimes' fitters). Parameters are passed as
 * arrays in `paramNames` order, on the natural scale, in the data's time unit.
 */
export interface TransactionModel {
  readonly name: TransactionModelName;
  readonly paramNames: readonly string[];
  /** Weighted total log-likelihood; when `grad` is given it receives d/d(log parameter). */
  totalLogLikelihood(params: ArrayLike<number>, data: FitData, grad?: Float64Array): number;
  /** Log-likelihood of one customer's (x, t_x, T). */
  logLikelihood(params: ArrayLike<number>, x: number, tx: number, T: number): number;
  /**
   * P(alive) and the expectation's scale for customers, at fixed parameters. Returned as a function so
   * a model can reuse work across the customers of one scoring pass.
   */
  conditionalFor(params: ArrayLike<number>): (x: number, tx: number, T: number, out: Conditional) => void;
  /** The part of the conditional expectation that depends on (x, T, t) only; cacheable per (x, T). */
  timeProfile(params: ArrayLike<number>, x: number, T: number, t: number): number;
  /** Starting values for the optimiser, from the data's time scale. */
  initialParams(data: FitData): number[];
}

/** Largest age in the data, or 1, to set the scale parameters' starting values. */
export function timeScale(data: FitData): number {
  let max = 0;
  for (const T of data.TValues) max = Math.max(max, T);
  return max > 0 ? max / 10 : 1;
}
