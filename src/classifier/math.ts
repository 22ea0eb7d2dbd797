/** Small numeric helpers shared by the models: log-space arithmetic that stays finite at the extremes. */
import gammaln from '@stdlib/math-base-special-gammaln';
import digamma from '@stdlib/math-base-special-digamma';

export { gammaln, digamma };

/** log(e^a + e^b) without overflow; -Infinity is the identity. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** log(1 - e^d) for d <= 0, accurate near both ends (Mächler 2012). */
export function log1mExp(d: number): number {
  if (d >= 0) return -Infinity;
  return d > -Math.LN2 ? Math.log(-Math.expm1(d)) : Math.log1p(-Math.exp(d));
}

/** Logistic function 1 / (1 + e^-v), finite for any v. */
export function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** (1 - y^k) / k for y in (0, 1], continuous through k = 0 (where it is -ln y). */
export function oneMinusPowOverK(logY: number, k: number): number {
  const kl = k * logY;
  if (Math.abs(kl) < 1e-10) return -logY * (1 - kl / 2);
  return -Math.expm1(kl) / k;
}

/** Clamp a probability computed in floating point into [0, 1]. */
export function clampProbability(p: number): number {
  if (!(p > 0)) return 0; // also maps NaN to 0 only when callers have already checked finiteness
  return p > 1 ? 1 : p;
}
