/**
 * Pareto/NBD (Schmittlein, Morrison & Colombo 1987), likelihood as in Fader & Hardie (2005) "A Note on
 * Deriving the Pareto/NBD Model", rewritten with Euler's transformation so that every series term
 * shrinks (docs/model.md). Parameters r, alpha (purchase rate), s, beta (dropout rate).
 */
import { digamma, gammaln, log1mExp, logAddExp, oneMinusPowOverK, sigmoid } from '../math.ts';
import { gauss1, type SeriesWithDerivatives } from '../special.ts';
import type { FitData } from './fitData.ts';
import { timeScale, type TransactionModel } from './model.ts';

const series: SeriesWithDerivatives = { value: 0, dB: 0, dC: 0, dZ: 0 };
const STRIDE = 5; // log P(t) and its derivatives in r, alpha, s, beta

/**
 * u(t) = log P(t), where A0 = P(t_x) - P(T) is the integral over the death time in (t_x, T].
 * Writes u and, when `withGrad`, du/d(r, alpha, s, beta) to out[offset .. offset+4].
 */
function logP(
  r: number,
  alpha: number,
  s: number,
  beta: number,
  x: number,
  t: number,
  out: Float64Array,
  offset: number,
  withGrad: boolean,
): void {
  const c = r + s + x + 1;
  const at = alpha + t;
  const bt = beta + t;
  const la = Math.log(at);
  const lb = Math.log(bt);
  if (alpha >= beta) {
    const z = (alpha - beta) / at;
    gauss1(r + x, c, z, series);
    out[offset] = Math.log(series.value) - s * lb - (r + x) * la;
    if (!withGrad) return;
    const gb = series.dB / series.value;
    const gc = series.dC / series.value;
    const gz = series.dZ / series.value;
    out[offset + 1] = gb + gc - la;
    out[offset + 2] = (gz * bt) / (at * at) - (r + x) / at;
    out[offset + 3] = gc - lb;
    out[offset + 4] = -gz / at - s / bt;
  } else {
    const z = (beta - alpha) / bt;
    gauss1(s + 1, c, z, series);
    out[offset] = Math.log(series.value) + (1 - r - x) * la - (s + 1) * lb;
    if (!withGrad) return;
    const gb = series.dB / series.value;
    const gc = series.dC / series.value;
    const gz = series.dZ / series.value;
    out[offset + 1] = gc - la;
    out[offset + 2] = -gz / bt + (1 - r - x) / at;
    out[offset + 3] = gb + gc - lb;
    out[offset + 4] = (gz * at) / (bt * bt) - (s + 1) / bt;
  }
}

const scratch = new Float64Array(2 * STRIDE);

/** log A0 for one customer; -Infinity when t_x = T (no time to have died unseen). */
function logA0(r: number, alpha: number, s: number, beta: number, x: number, tx: number, T: number): number {
  logP(r, alpha, s, beta, x, tx, scratch, 0, false);
  logP(r, alpha, s, beta, x, T, scratch, STRIDE, false);
  return scratch[0] + log1mExp(scratch[STRIDE] - scratch[0]);
}

/** The two terms of the likelihood (alive at T, or died in (t_x, T]) without the common factor A1. */
function terms(p: ArrayLike<number>, x: number, tx: number, T: number): { alive: number; died: number } {
  const [r, alpha, s, beta] = [p[0], p[1], p[2], p[3]];
  const alive = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  const died = tx < T ? Math.log(s) - Math.log(r + s + x) + logA0(r, alpha, s, beta, x, tx, T) : -Infinity;
  return { alive, died };
}

export const paretoNbd: TransactionModel = {
  name: 'pareto_nbd',
  paramNames: ['r', 'alpha', 's', 'beta'],

  logLikelihood(p, x, tx, T) {
    const [r, alpha, s, beta] = [p[0], p[1], p[2], p[3]];
    const a1 = gammaln(r + x) - gammaln(r) + r * Math.log(alpha) + s * Math.log(beta);
    const { alive, died } = terms(p, x, tx, T);
    return a1 + logAddExp(alive, died);
  },

  totalLogLikelihood(p, data, grad) {
    const [r, alpha, s, beta] = [p[0], p[1], p[2], p[3]];
    const withGrad = grad !== undefined;
    const pairs = data.pairX.length;
    const U = new Float64Array(pairs * STRIDE);
    for (let k = 0; k < pairs; k++) logP(r, alpha, s, beta, data.pairX[k], data.pairT[k], U, k * STRIDE, withGrad);

    const nx = data.xValues.length;
    const a1x = new Float64Array(nx);
    const da1r = new Float64Array(nx);
    const logSOverRsx = new Float64Array(nx);
    const invRsx = new Float64Array(nx);
    const lgr = gammaln(r);
    const psir = withGrad ? digamma(r) : 0;
    for (let k = 0; k < nx; k++) {
      const x = data.xValues[k];
      a1x[k] = gammaln(r + x) - lgr;
      if (withGrad) da1r[k] = digamma(r + x) - psir;
      logSOverRsx[k] = Math.log(s) - Math.log(r + s + x);
      invRsx[k] = 1 / (r + s + x);
    }
    const nT = data.TValues.length;
    const laT = new Float64Array(nT);
    const lbT = new Float64Array(nT);
    for (let k = 0; k < nT; k++) {
      laT[k] = Math.log(alpha + data.TValues[k]);
      lbT[k] = Math.log(beta + data.TValues[k]);
    }
    const lnAlpha = Math.log(alpha);
    const lnBeta = Math.log(beta);

    let total = 0;
    let gr = 0;
    let ga = 0;
    let gs = 0;
    let gbeta = 0;
    // The hot loop of a fit over a million customers: four transcendental calls per pattern.
    const { x: xs, T: Ts, weight, xIndex, TIndex, txPairIndex, TPairIndex } = data;
    for (let i = 0; i < data.size; i++) {
      const x = xs[i];
      const w = weight[i];
      const xi = xIndex[i];
      const Ti = TIndex[i];
      const k1 = txPairIndex[i] * STRIDE;
      const k2 = TPairIndex[i] * STRIDE;
      const alive = -(r + x) * laT[Ti] - s * lbT[Ti];
      const d = U[k2] - U[k1]; // log(P(T) / P(t_x)) <= 0
      if (!(d < 0)) {
        // t_x = T: no time to have died unseen; only the "alive" term.
        total += w * (a1x[xi] + alive);
        if (withGrad) {
          gr += w * (da1r[xi] - laT[Ti]);
          ga -= (w * (r + x)) / (alpha + Ts[i]);
          gs -= w * lbT[Ti];
          gbeta -= (w * s) / (beta + Ts[i]);
        }
        continue;
      }
      const e = Math.exp(d);
      const oneMinusE = d > -0.5 ? -Math.expm1(d) : 1 - e;
      const died = logSOverRsx[xi] + U[k1] + Math.log(oneMinusE);
      // log(e^alive + e^died) with q = e^-(|alive - died|): one exp and one log1p.
      const aliveLarger = alive >= died;
      const q = Math.exp(aliveLarger ? died - alive : alive - died);
      const L = (aliveLarger ? alive : died) + Math.log1p(q);
      total += w * (a1x[xi] + L);
      if (!withGrad) continue;
      const wLarger = 1 / (1 + q);
      const wAlive = aliveLarger ? wLarger : q * wLarger;
      const wDied = 1 - wAlive;
      // d log A0 = (du1 - e du2) / (1 - e); folded into one factor.
      const f = wDied / oneMinusE;
      const aT = alpha + Ts[i];
      const bT = beta + Ts[i];
      gr += w * (da1r[xi] - wAlive * laT[Ti] - wDied * invRsx[xi] + f * (U[k1 + 1] - e * U[k2 + 1]));
      ga += w * ((-wAlive * (r + x)) / aT + f * (U[k1 + 2] - e * U[k2 + 2]));
      gs += w * (-wAlive * lbT[Ti] + wDied * (1 / s - invRsx[xi]) + f * (U[k1 + 3] - e * U[k2 + 3]));
      gbeta += w * ((-wAlive * s) / bT + f * (U[k1 + 4] - e * U[k2 + 4]));
    }
    const W = data.totalWeight;
    total += W * (r * lnAlpha + s * lnBeta);
    if (grad) {
      // Gradient on the log scale: d/d(log p) = p * d/dp.
      grad[0] = r * (gr + W * lnAlpha);
      grad[1] = alpha * (ga + (W * r) / alpha);
      grad[2] = s * (gs + W * lnBeta);
      grad[3] = beta * (gbeta + (W * s) / beta);
    }
    return total;
  },

  conditionalFor(p) {
    const [r, alpha, s, beta] = [p[0], p[1], p[2], p[3]];
    // log P(t) per (x, t): customers share few distinct (x, t_x) and (x, T) pairs.
    const cache = new Map<number, Map<number, number>>();
    const one = new Float64Array(STRIDE);
    const cachedLogP = (x: number, t: number): number => {
      let byT = cache.get(x);
      if (!byT) {
        byT = new Map();
        cache.set(x, byT);
      }
      let u = byT.get(t);
      if (u === undefined) {
        logP(r, alpha, s, beta, x, t, one, 0, false);
        u = one[0];
        byT.set(t, u);
      }
      return u;
    };
    return (x, tx, T, out) => {
      const alive = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
      let died = -Infinity;
      if (tx < T) {
        const u1 = cachedLogP(x, tx);
        died = Math.log(s) - Math.log(r + s + x) + u1 + log1mExp(cachedLogP(x, T) - u1);
      }
      out.pAlive = sigmoid(alive - died);
      out.scale = (out.pAlive * (r + x) * (beta + T)) / (alpha + T);
    };
  },

  timeProfile(p, _x, T, t) {
    const [s, beta] = [p[2], p[3]];
    return oneMinusPowOverK(Math.log((beta + T) / (beta + T + t)), s - 1);
  },

  initialParams(data: FitData) {
    const scale = timeScale(data);
    return [1, scale, 1, scale];
  },
};
