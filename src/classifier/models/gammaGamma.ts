/**
 * Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie's note "The
 * Gamma-Gamma Model of Monetary Value"), fitted on repeat buyers' mean repeat-purchase value.
 * Parameters p, q, gamma. Assumes spend is independent of purchase frequency.
 */
import { digamma, gammaln } from '../math.ts';

export const GAMMA_GAMMA_PARAMS = ['p', 'q', 'gamma'] as const;

export interface SpendData {
  /** x: number of repeat purchases (> 0). */
  x: Float64Array;
  /** Mean repeat purchase value (> 0). */
  m: Float64Array;
}

/** One repeat buyer's log-likelihood of observing mean value m over x purchases. */
export function gammaGammaLogLikelihood(params: ArrayLike<number>, x: number, m: number): number {
  const [p, q, g] = [params[0], params[1], params[2]];
  const px = p * x;
  return (
    gammaln(px + q) - gammaln(px) - gammaln(q) + q * Math.log(g) + (px - 1) * Math.log(m) + px * Math.log(x) - (px + q) * Math.log(x * m + g)
  );
}

/** Total log-likelihood; `grad` receives d/d(log p, log q, log gamma). */
export function gammaGammaTotalLogLikelihood(params: ArrayLike<number>, data: SpendData, grad?: Float64Array): number {
  const [p, q, g] = [params[0], params[1], params[2]];
  const lgq = gammaln(q);
  const psiq = grad ? digamma(q) : 0;
  const logG = Math.log(g);
  let total = 0;
  let gp = 0;
  let gq = 0;
  let gg = 0;
  for (let i = 0; i < data.x.length; i++) {
    const x = data.x[i];
    const m = data.m[i];
    const px = p * x;
    const lxm = Math.log(x * m + g);
    const lm = Math.log(m);
    const lx = Math.log(x);
    total += gammaln(px + q) - gammaln(px) - lgq + q * logG + (px - 1) * lm + px * lx - (px + q) * lxm;
    if (grad) {
      const psiPxq = digamma(px + q);
      gp += x * (psiPxq - digamma(px) + lm + lx - lxm);
      gq += psiPxq - psiq + logG - lxm;
      gg += q / g - (px + q) / (x * m + g);
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
