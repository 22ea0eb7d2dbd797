/**
 * Sufficient statistics for fitting, compressed the way Fader & Hardie do: customers with the same
 * (x, t_x, T) form one weighted pattern. The models also need per-(x, t) and per-x quantities, so the
 * distinct x values and distinct (x, t_x) / (x, T) pairs are indexed once here and reused by every
 * likelihood evaluation: this is what makes a fit over a million customers cheap.
 */
export interface FitData {
  /** Number of distinct patterns. */
  readonly size: number;
  readonly totalWeight: number;
  readonly x: Float64Array;
  readonly tx: Float64Array;
  readonly T: Float64Array;
  readonly weight: Float64Array;
  /** Distinct frequencies, and each pattern's index into them. */
  readonly xValues: Float64Array;
  readonly xIndex: Uint32Array;
  /** Distinct recency values (all x), and each pattern's index. */
  readonly txValues: Float64Array;
  readonly txIndex: Uint32Array;
  /** Distinct age values, and each pattern's index. */
  readonly TValues: Float64Array;
  readonly TIndex: Uint32Array;
  /** Distinct (x, t) pairs over both t = t_x and t = T, and each pattern's two indexes into them. */
  readonly pairX: Float64Array;
  readonly pairT: Float64Array;
  readonly txPairIndex: Uint32Array;
  readonly TPairIndex: Uint32Array;
  /** Each pattern's t_x and T in days, and each input customer's pattern: predictions are per pattern. */
  readonly txDays: Float64Array;
  readonly TDays: Float64Array;
  readonly patternOf: Uint32Array;
}

const DAY_KEY = 2 ** 26; // day counts stay far below this (183,000 years)

/**
 * Builds fit data from integer day counts. `unitDays` converts days to the model's time unit.
 * Customers are given as parallel arrays so a million of them cost no objects.
 */
export function buildFitData(
  frequency: ArrayLike<number>,
  recencyDays: ArrayLike<number>,
  ageDays: ArrayLike<number>,
  unitDays: number,
  weights?: ArrayLike<number>,
): FitData {
  const n = frequency.length;
  let maxX = 0;
  let maxDays = 0;
  let integral = true;
  for (let i = 0; i < n; i++) {
    maxX = Math.max(maxX, frequency[i]);
    maxDays = Math.max(maxDays, ageDays[i]);
    integral &&= Number.isInteger(recencyDays[i]) && Number.isInteger(ageDays[i]);
  }
  // One exact numeric key per (x, t_x, T) when whole days allow it (always, for real data); else a string.
  const span = maxDays + 1;
  const numericKeys = integral && (maxX + 1) * span * span < Number.MAX_SAFE_INTEGER;
  const patternIndex = new Map<number | string, number>();
  const px: number[] = [];
  const ptx: number[] = [];
  const pT: number[] = [];
  const pw: number[] = [];
  let totalWeight = 0;
  const patternOf = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const x = frequency[i];
    const tx = recencyDays[i];
    const T = ageDays[i];
    const w = weights ? weights[i] : 1;
    totalWeight += w;
    const key = numericKeys ? (x * span + tx) * span + T : `${x}|${tx}|${T}`;
    const k = patternIndex.get(key);
    if (k === undefined) {
      patternOf[i] = px.length;
      patternIndex.set(key, px.length);
      px.push(x);
      ptx.push(tx);
      pT.push(T);
      pw.push(w);
    } else {
      patternOf[i] = k;
      pw[k] = pw[k] + w;
    }
  }
  const size = px.length;
  const xs = indexValues(px);
  const txs = indexValues(ptx);
  const Ts = indexValues(pT);
  const pairKeys = new Map<number, number>();
  const pairX: number[] = [];
  const pairT: number[] = [];
  const pairIndex = (x: number, days: number): number => {
    const key = x * DAY_KEY + days;
    let idx = pairKeys.get(key);
    if (idx === undefined) {
      idx = pairX.length;
      pairKeys.set(key, idx);
      pairX.push(x);
      pairT.push(days / unitDays);
    }
    return idx;
  };
  const txPairIndex = new Uint32Array(size);
  const TPairIndex = new Uint32Array(size);
  for (let i = 0; i < size; i++) {
    txPairIndex[i] = pairIndex(px[i], ptx[i]);
    TPairIndex[i] = pairIndex(px[i], pT[i]);
  }
  const toUnits = (days: number[]): Float64Array => Float64Array.from(days, (d) => d / unitDays);
  return {
    size,
    totalWeight,
    x: Float64Array.from(px),
    tx: toUnits(ptx),
    T: toUnits(pT),
    weight: Float64Array.from(pw),
    xValues: Float64Array.from(xs.values),
    xIndex: xs.index,
    txValues: toUnits(txs.values),
    txIndex: txs.index,
    TValues: toUnits(Ts.values),
    TIndex: Ts.index,
    pairX: Float64Array.from(pairX),
    pairT: Float64Array.from(pairT),
    txPairIndex,
    TPairIndex,
    txDays: Float64Array.from(ptx),
    TDays: Float64Array.from(pT),
    patternOf,
  };
}

function indexValues(values: number[]): { values: number[]; index: Uint32Array } {
  const seen = new Map<number, number>();
  const distinct: number[] = [];
  const index = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let k = seen.get(v);
    if (k === undefined) {
      k = distinct.length;
      seen.set(v, k);
      distinct.push(v);
    }
    index[i] = k;
  }
  return { values: distinct, index };
}

/** Summary counts used to decide whether a model can be fitted at all. */
export function repeatBuyerWeight(data: FitData): number {
  let w = 0;
  for (let i = 0; i < data.size; i++) if (data.x[i] > 0) w += data.weight[i];
  return w;
}
