/**
 * Accuracy measures of a holdout backtest (backtest.ts): how far predicted purchases are from actual
 * ones, how well a churn score ranks who did not buy again, and how much holdout revenue the customers
 * ranked highest by predicted value bought. Plain arrays in, numbers out; null where a measure is
 * undefined (no variance, one class only, no revenue) rather than a NaN that would travel on.
 */

export interface ErrorMetrics {
  /** Mean absolute error per customer. */
  mae: number;
  /** Root mean squared error per customer. */
  rmse: number;
  /** Pearson correlation of predicted and actual; null when either is constant. */
  correlation: number | null;
  /** 100 × (Σ predicted − Σ actual) / Σ actual; null when nothing was bought. */
  aggregateErrorPct: number | null;
  predictedTotal: number;
  actualTotal: number;
}

export function errorMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>): ErrorMetrics {
  const n = actual.length;
  if (n === 0 || predicted.length !== n) throw new Error('errorMetrics needs two non-empty arrays of one length');
  let abs = 0;
  let sq = 0;
  let sumA = 0;
  let sumP = 0;
  for (let i = 0; i < n; i++) {
    const d = predicted[i] - actual[i];
    abs += Math.abs(d);
    sq += d * d;
    sumA += actual[i];
    sumP += predicted[i];
  }
  // Centred sums in a second pass: the one-pass formula loses digits when the means are large.
  const meanA = sumA / n;
  const meanP = sumP / n;
  let cov = 0;
  let varA = 0;
  let varP = 0;
  for (let i = 0; i < n; i++) {
    const a = actual[i] - meanA;
    const p = predicted[i] - meanP;
    cov += a * p;
    varA += a * a;
    varP += p * p;
  }
  return {
    mae: abs / n,
    rmse: Math.sqrt(sq / n),
    correlation: varA > 0 && varP > 0 ? cov / Math.sqrt(varA * varP) : null,
    aggregateErrorPct: sumA > 0 ? (100 * (sumP - sumA)) / sumA : null,
    predictedTotal: sumP,
    actualTotal: sumA,
  };
}

/**
 * Area under the ROC curve of `score` for telling positives from negatives: the probability that a
 * random positive scores above a random negative, ties counting one half (Mann-Whitney U from average
 * ranks). 0.5 is chance; below 0.5 the score ranks the wrong way round. Null with one class only.
 */
export function rocAuc(score: ArrayLike<number>, positive: ArrayLike<boolean>): number | null {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => score[i] - score[j]);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && score[order[end + 1]] === score[order[start]]) end++;
    const averageRank = (start + end) / 2 + 1; // ranks are 1-based
    for (let k = start; k <= end; k++) {
      if (positive[order[k]]) {
        positives++;
        rankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Share of `revenue` bought by the round(share × n) customers ranked highest by `rankBy` (ties by
 * position, so the cut is repeatable); null when there was no revenue.
 */
export function topShareCapture(rankBy: ArrayLike<number>, revenue: ArrayLike<number>, share: number): number | null {
  const n = rankBy.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => rankBy[j] - rankBy[i] || i - j);
  const top = Math.round(n * share);
  let total = 0;
  let captured = 0;
  for (let k = 0; k < n; k++) {
    total += revenue[order[k]];
    if (k < top) captured += revenue[order[k]];
  }
  return total > 0 ? captured / total : null;
}

export interface CalibrationRow {
  /** Repeat purchases in the calibration period; the last row is this many or more. */
  frequency: number;
  orMore: boolean;
  customers: number;
  meanActual: number;
  /** Per model: the mean predicted holdout purchases of this row's customers. */
  meanPredicted: Record<string, number>;
}

/**
 * Mean actual and mean predicted holdout purchases by past frequency 0, 1, …, lastBucket+ (the chart
 * of Fader, Hardie & Lee 2005, figure 4): a model can be right on average and wrong for every group.
 * Rows without customers are left out.
 */
export function calibrationByFrequency(
  frequency: ArrayLike<number>,
  actual: ArrayLike<number>,
  predicted: Readonly<Record<string, ArrayLike<number>>>,
  lastBucket = 7,
): CalibrationRow[] {
  const names = Object.keys(predicted);
  const buckets = lastBucket + 1;
  const customers = new Float64Array(buckets);
  const actualSum = new Float64Array(buckets);
  const predictedSum = names.map(() => new Float64Array(buckets));
  for (let i = 0; i < frequency.length; i++) {
    const b = Math.min(frequency[i], lastBucket);
    customers[b]++;
    actualSum[b] += actual[i];
    names.forEach((name, k) => (predictedSum[k][b] += predicted[name][i]));
  }
  const rows: CalibrationRow[] = [];
  for (let b = 0; b < buckets; b++) {
    if (customers[b] === 0) continue;
    rows.push({
      frequency: b,
      orMore: b === lastBucket,
      customers: customers[b],
      meanActual: actualSum[b] / customers[b],
      meanPredicted: Object.fromEntries(names.map((name, k) => [name, predictedSum[k][b] / customers[b]])),
    });
  }
  return rows;
}
