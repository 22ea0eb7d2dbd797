/**
 * How well win probabilities rank and how honest they are: stratified, seeded k-fold folds; the AUC with
 * its Hanley & McNeil (1982) standard error; calibration bins of predicted against observed win rate.
 */
import randu from '@stdlib/random-base-randu';
import { rocAuc } from '../backtestMetrics.ts';

/**
 * Fold of each deal: won and lost deals are each shuffled (seeded) and dealt round-robin, so every fold
 * holds about the same share of each.
 */
export function stratifiedFolds(outcomes: readonly boolean[], folds: number, seed: number): number[] {
  const uniform = randu.factory({ seed });
  const fold = new Array<number>(outcomes.length).fill(0);
  for (const outcome of [true, false]) {
    const members = outcomes.flatMap((o, i) => (o === outcome ? [i] : []));
    for (let k = members.length - 1; k > 0; k--) {
      const r = Math.floor(uniform() * (k + 1));
      [members[k], members[r]] = [members[r], members[k]];
    }
    members.forEach((i, k) => (fold[i] = k % folds));
  }
  return fold;
}

/**
 * Standard error of an AUC `auc` from `positives` and `negatives` (Hanley & McNeil 1982, eq. 2, with
 * Q₁ = A / (2 − A) and Q₂ = 2A² / (1 + A)).
 */
export function aucStandardError(auc: number, positives: number, negatives: number): number {
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / (positives * negatives);
  return Math.sqrt(Math.max(0, variance));
}

export interface CalibrationBin {
  /** Predicted probability range [from, to) (the last bin includes 1). */
  from: number;
  to: number;
  deals: number;
  meanPredicted: number;
  observedWinRate: number;
}

/** Equal-width bins of predicted probability; empty bins left out. */
export function calibrationBins(predicted: readonly number[], outcomes: readonly boolean[], bins: number): CalibrationBin[] {
  const count = new Array<number>(bins).fill(0);
  const predictedSum = new Array<number>(bins).fill(0);
  const wonSum = new Array<number>(bins).fill(0);
  predicted.forEach((p, i) => {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    count[b]++;
    predictedSum[b] += p;
    if (outcomes[i]) wonSum[b]++;
  });
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    out.push({ from: b / bins, to: (b + 1) / bins, deals: count[b], meanPredicted: predictedSum[b] / count[b], observedWinRate: wonSum[b] / count[b] });
  }
  return out;
}

export interface ValidationSummary {
  /**
   * `cross_validation`: out-of-fold predictions of refits; `meddic_score`: the score itself (nothing
   * fitted); `holdout`: a fit's predictions of a later period (a backtest). `deals` and `won` count the
   * rows and positives, whatever they are (deals, or prospects and conversions).
   */
  method: 'cross_validation' | 'meddic_score' | 'holdout';
  /** Folds used (cross-validation), else null. */
  folds: number | null;
  deals: number;
  won: number;
  auc: number | null;
  aucStandardError: number | null;
  /** Mean squared error of the probabilities (Brier score). */
  brier: number;
  calibration: CalibrationBin[];
}

export function summarise(
  method: ValidationSummary['method'],
  folds: number | null,
  predicted: readonly number[],
  outcomes: readonly boolean[],
  bins: number,
): ValidationSummary {
  const won = outcomes.filter(Boolean).length;
  const auc = rocAuc(predicted, outcomes);
  const brier = predicted.reduce((sum, p, i) => sum + (p - (outcomes[i] ? 1 : 0)) ** 2, 0) / Math.max(1, predicted.length);
  return {
    method,
    folds,
    deals: outcomes.length,
    won,
    auc,
    aucStandardError: auc === null ? null : aucStandardError(auc, won, outcomes.length - won),
    brier,
    calibration: calibrationBins(predicted, outcomes, bins),
  };
}
