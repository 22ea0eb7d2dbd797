/**
 * Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie's note "The
 * Gamma-Gamma Model of Monetary Value"), fitted on repeat buyers' mean repeat-purchase value.
 * Parameters p, q, gamma. Assumes spend is independent of purchase frequency.
 */
import { digamma, gammaln } from '../math.ts';

export const GAMMA_GAMMA_PARAMS = ['p', 'q', 'gamma'] as const;

export interface SpendData {
  /** x: number of repeat purchases (> 0), per buyer. */
  x: Float64Array;
  /** Mean repeat purchase value (> 0), per buyer. */
  m: Float64Array;
  /** Per distinct x: the value, the number of buyers and the sum of their log mean values. */
  xs: Float64Array;
  count: Float64Array;
  sumLogM: Float64Array;
  logX: Float64Array;
}

/** Repeat buyers' (x, mean value) pairs with the per-x sums the likelihood reuses on every evaluation. */
export function spendData(x: Float64Array, m: Float64Array): SpendData {
  const slot = new Map<number, number>();
  const xs: number[] = [];
  const count: number[] = [];
  const sumLogM: number[] = [];
  for (let i = 0; i < x.length; i++) {
    let k = slot.get(x[i]);
    if (k === undefined) {
      k = xs.length;
      slot.set(x[i], k);
      xs.push(x[i]);
      count.push(0);
      sumLogM.push(0);
    }
    count[k]++;
    sumLogM[k] += Math.log(m[i]);
  }
  return {
    x,
    m,
    xs: Float64Array.from(xs),
    count: Float64Array.from(count),
    sumLogM: Float64Array.from(sumLogM),
    logX: Float64Array.from(xs, Math.log),
  };
}

/** One repeat buyer's log-likelihood of observing mean value m over x purchases. */
export function gammaGammaLogLikelihood(params: ArrayLike<number>, x: number, m: number): number {
  const [p, q, g] = [params[0], params[1], params[2]];
  const px = p * x;
  return (
    gammaln(px + q) - gammaln(px) - gammaln(q) + q * Math.log(g) + (px - 1) * Math.log(m) + px * Math.log(x) - (px + q) * Math.log(x * m + g)
  );
}

/**
 * Total log-likelihood; `grad` receives d/d(log p, log q, log gamma). The gamma-function terms depend on
 * x only, so they are computed once per distinct x rather than once per customer.
 */
export function gammaGammaTotalLogLikelihood(params: ArrayLike<number>, data: SpendData, grad?: Float64Array): number {
  const [p, q, g] = [params[0], params[1], params[2]];
  const { xs, count, sumLogM, logX } = data;
  const lgq = gammaln(q);
  const psiq = grad ? digamma(q) : 0;
  const logG = Math.log(g);
  const nx = xs.length;
  const perX = new Float64Array(nx);
  const psiDiff = new Float64Array(nx);
  const psiSum = new Float64Array(nx);
  let total = 0;
  let gp = 0;
  let gq = 0;
  for (let k = 0; k < nx; k++) {
    const px = p * xs[k];
    perX[k] = gammaln(px + q) - gammaln(px) - lgq + q * logG + px * logX[k];
    total += count[k] * perX[k] + (px - 1) * sumLogM[k];
    if (grad) {
      psiSum[k] = digamma(px + q);
      psiDiff[k] = psiSum[k] - digamma(px);
      gp += xs[k] * (count[k] * (psiDiff[k] + logX[k]) + sumLogM[k]);
      gq += count[k] * (psiSum[k] - psiq + logG);
    }
  }
  let gg = 0;
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i];
    const xm = x * data.m[i] + g;
    const lxm = Math.log(xm);
    const px = p * x;
    total -= (px + q) * lxm;
    if (grad) {
      gp -= x * lxm;
      gq -= lxm;
      gg += q / g - (px + q) / xm;
    }
  }
  if (grad) {
    grad[0] = p * gp;
    grad[1] = q * gq;
    grad[2] = g * gg;
  }
  return total;
}

/**
 * E[M | x, m]: a weighted average of the customer's own mean and the population mean
 * p * gamma / (q - 1), the weight growing with x. Needs q > 1.
 */
export function conditionalExpectedValue(params: ArrayLike<number>, x: number, m: number): number {
  const [p, q, g] = [params[0], params[1], params[2]];
  return (p * (g + x * m)) / (p * x + q - 1);
}
