/**
 * Per-customer predictions from a fitted model (or the heuristic): P(alive), expected purchases over a
 * window, and the discounted expected purchases month by month over the CLV horizon (lifetimes'
 * convention: increments of the cumulative expectation at each month's end, discounted by (1+d)^m).
 * Every model factors E[X(t)] into scale(x, t_x, T) * profile(x, T, t), so the time profiles are
 * computed once per distinct (x, T) and shared.
 */
import { heuristicIntervalDays, heuristicPAlive, type HeuristicParams } from './models/heuristic.ts';
import type { Conditional, TransactionModel } from './models/model.ts';

export interface Horizon {
  /** Window for expected purchases, in days. */
  expectedDays: number;
  /** Length of a month in days (lifetimes: 30 days, or 4.345 weeks). */
  monthDays: number;
  months: number;
  monthlyDiscountRate: number;
}

export interface Prediction {
  pAlive: number;
  expectedPurchases: number;
  /** sum over months m of (E[X(m)] - E[X(m-1)]) / (1 + d)^m. */
  discountedPurchases: number;
}

export interface Scorer {
  predict(x: number, recencyDays: number, ageDays: number, out: Prediction): void;
}

function discountWeights(h: Horizon): Float64Array {
  return Float64Array.from({ length: h.months }, (_, m) => 1 / Math.pow(1 + h.monthlyDiscountRate, m + 1));
}

export function modelScorer(model: TransactionModel, params: readonly number[], unitDays: number, horizon: Horizon): Scorer {
  const weights = discountWeights(horizon);
  const expectedT = horizon.expectedDays / unitDays;
  const monthT = horizon.monthDays / unitDays;
  // Cache keyed by x, then by T in days: [profile over the expected window, discounted monthly profile].
  const cache = new Map<number, Map<number, [number, number]>>();
  const profiles = (x: number, ageDays: number): [number, number] => {
    let byAge = cache.get(x);
    if (!byAge) {
      byAge = new Map();
      cache.set(x, byAge);
    }
    let entry = byAge.get(ageDays);
    if (!entry) {
      const T = ageDays / unitDays;
      let discounted = 0;
      let previous = 0;
      for (let m = 0; m < weights.length; m++) {
        const current = model.timeProfile(params, x, T, (m + 1) * monthT);
        discounted += (current - previous) * weights[m];
        previous = current;
      }
      entry = [model.timeProfile(params, x, T, expectedT), discounted];
      byAge.set(ageDays, entry);
    }
    return entry;
  };
  const conditional: Conditional = { pAlive: 0, scale: 0 };
  const conditionalOf = model.conditionalFor(params);
  return {
    predict(x, recencyDays, ageDays, out) {
      conditionalOf(x, recencyDays / unitDays, ageDays / unitDays, conditional);
      const [expected, discounted] = profiles(x, ageDays);
      out.pAlive = conditional.pAlive;
      out.expectedPurchases = conditional.scale * expected;
      out.discountedPurchases = conditional.scale * discounted;
    },
  };
}

export function heuristicScorer(params: HeuristicParams, horizon: Horizon): Scorer {
  const weights = discountWeights(horizon);
  let discountedMonths = 0;
  for (const w of weights) discountedMonths += w;
  return {
    predict(x, recencyDays, ageDays, out) {
      const interval = heuristicIntervalDays(params, x, recencyDays);
      out.pAlive = heuristicPAlive(params, x, recencyDays, ageDays);
      out.expectedPurchases = (out.pAlive * horizon.expectedDays) / interval;
      out.discountedPurchases = ((out.pAlive * horizon.monthDays) / interval) * discountedMonths;
    },
  };
}
