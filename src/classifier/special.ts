/**
 * Special functions beyond what stdlib provides.
 *
 * 1. `hyp2f1`: the Gauss hypergeometric function for 0 <= z < 1, by its power series whenever that
 *    converges within a bounded number of terms (every z below about 0.9996), else by stdlib.
 *    stdlib's version (0.1.x) uses the 1 - z transformation near z = 1, which is singular when c - a - b
 *    is an integer; there it returns NaN, 0 or Infinity. The function is smooth in c, so such points
 *    are evaluated just either side and averaged (error O(delta^2)).
 * 2. `gauss1`: G(b, c, z) = 2F1(1, b; c; z) with its derivatives in b, c and z, for 0 < b < c and
 *    0 <= z < 1. The Pareto/NBD likelihood reduces to this form after Euler's transformation
 *    (docs/model.md), and its exact gradient needs the parameter derivatives, which no library gives.
 *    With b < c every term is smaller than the one before by a factor below z, so the plain series is
 *    stable; it needs about 37 / (1 - z) terms. Close to z = 1 the connection formula in w = 1 - z
 *    (Abramowitz & Stegun 15.3.6 with a = 1) takes over, where its two terms do not cancel; there the
 *    derivatives are central differences of that value. stdlib's own evaluation is correct there but
 *    takes ~100 microseconds a call, too slow for a likelihood evaluated thousands of times.
 */
import gammaln from '@stdlib/math-base-special-gammaln';
import gammasgn from '@stdlib/math-base-special-gammasgn';
import stdlibHyp2f1 from '@stdlib/math-base-special-hyp2f1';

const INTEGER_GAP = 1e-7;
const NUDGE = 1e-5;

const HYP2F1_MAX_TERMS = 100_000;

export function hyp2f1(a: number, b: number, c: number, z: number): number {
  const series = hyp2f1Series(a, b, c, z);
  if (series !== null) return series;
  const nearOne = hyp2f1NearOne(a, b, c, 1 - z);
  if (nearOne !== null) return nearOne;
  const d = c - a - b;
  const direct = Math.abs(d - Math.round(d)) < INTEGER_GAP ? NaN : stdlibHyp2f1(a, b, c, z);
  if (Number.isFinite(direct)) return direct;
  const h = NUDGE * Math.max(1, Math.abs(c));
  return (stdlibHyp2f1(a, b, c + h, z) + stdlibHyp2f1(a, b, c - h, z)) / 2;
}

/**
 * Near z = 1 (w = 1 - z small): Abramowitz & Stegun 15.3.6,
 * F(a,b;c;z) = G1 F(a, b; a+b-c+1; w) + w^(c-a-b) G2 F(c-a, c-b; c-a-b+1; w),
 * G1 = Gamma(c) Gamma(c-a-b) / (Gamma(c-a) Gamma(c-b)), G2 = Gamma(c) Gamma(a+b-c) / (Gamma(a) Gamma(b)).
 * Singular for integer c - a - b: interpolate between the values just either side. Null when a series
 * does not converge or the two terms cancel too much to trust.
 */
function hyp2f1NearOne(a: number, b: number, c: number, w: number): number | null {
  const d = c - a - b;
  const k = Math.round(d);
  if (Math.abs(d - k) >= INTEGER_GAP_NEAR_ONE) return hyp2f1NearOneRegular(a, b, c, w);
  const h = INTEGER_GAP_NEAR_ONE;
  const below = hyp2f1NearOneRegular(a, b, a + b + k - h, w);
  const above = hyp2f1NearOneRegular(a, b, a + b + k + h, w);
  if (below === null || above === null) return null;
  return (below + above) / 2 + ((d - k) * (above - below)) / (2 * h);
}

function signedLogGamma(x: number): [number, number] {
  return [gammaln(x), gammasgn(x)];
}

function hyp2f1NearOneRegular(a: number, b: number, c: number, w: number): number | null {
  const d = c - a - b;
  const f1 = hyp2f1Series(a, b, 1 - d, w);
  const f2 = hyp2f1Series(c - a, c - b, d + 1, w);
  if (f1 === null || f2 === null) return null;
  const [lc, sc] = signedLogGamma(c);
  const [ld, sd] = signedLogGamma(d);
  const [lca, sca] = signedLogGamma(c - a);
  const [lcb, scb] = signedLogGamma(c - b);
  const [lmd, smd] = signedLogGamma(-d);
  const [la, sa] = signedLogGamma(a);
  const [lb, sb] = signedLogGamma(b);
  // 1/Gamma at a non-positive integer is 0 (gammaln is +Infinity there): that term vanishes.
  const term1 = sc * sd * sca * scb * Math.exp(lc + ld - lca - lcb) * f1;
  const term2 = sc * smd * sa * sb * Math.exp(d * Math.log(w) + lc + lmd - la - lb) * f2;
  const value = (Number.isFinite(lca + lcb) ? term1 : 0) + (Number.isFinite(la + lb) ? term2 : 0);
  if (!Number.isFinite(value) || Math.max(Math.abs(term1), Math.abs(term2)) > 1e6 * Math.abs(value)) return null;
  return value;
}

/** The power series, or null when it has not converged within HYP2F1_MAX_TERMS terms. */
export function hyp2f1Series(a: number, b: number, c: number, z: number): number | null {
  let term = 1;
  let sum = 1;
  for (let j = 0; j < HYP2F1_MAX_TERMS; j++) {
    const ratio = (((a + j) * (b + j)) / ((c + j) * (j + 1))) * z;
    term *= ratio;
    sum += term;
    // Once the ratio is below 1 and shrinking towards z, the tail is below |term| * r / (1 - r).
    const r = Math.abs(ratio);
    if (term === 0 || (r < 1 && j > 1 && (Math.abs(term) * r) / (1 - r) <= 1e-16 * Math.abs(sum))) return sum;
  }
  return null;
}

export interface SeriesWithDerivatives {
  value: number;
  dB: number;
  dC: number;
  dZ: number;
}

const RELATIVE_TOLERANCE = 1e-16;
const MAX_TERMS = 50_000;

/** G(b, c, z) = 2F1(1, b; c; z) and its partial derivatives; false (and NaN) if it cannot be evaluated. */
export function gauss1(b: number, c: number, z: number, out: SeriesWithDerivatives): boolean {
  const w = 1 - z;
  // The connection formula's terms grow like e^((c-1) w) and cancel: use it only where that stays small.
  if (w >= 0.1 || (c - 1) * w > 8 || !(w > 0)) {
    if (gauss1Series(b, c, z, out) || !(w > 0)) return Number.isFinite(out.value);
    // Huge c close to z = 1 (far outside fitted ranges): stdlib's slower evaluation, differenced.
    const h = [1e-6 * Math.max(1, b), 1e-6 * Math.max(1, c), 1e-6 * w];
    out.value = hyp2f1(1, b, c, z);
    out.dB = (hyp2f1(1, b + h[0], c, z) - hyp2f1(1, b - h[0], c, z)) / (2 * h[0]);
    out.dC = (hyp2f1(1, b, c + h[1], z) - hyp2f1(1, b, c - h[1], z)) / (2 * h[1]);
    out.dZ = (hyp2f1(1, b, c, z + h[2]) - hyp2f1(1, b, c, z - h[2])) / (2 * h[2]);
    return Number.isFinite(out.value + out.dB + out.dC + out.dZ);
  }
  const value = gauss1NearOne(b, c, w);
  const hb = 1e-6 * Math.max(1, b);
  const hc = 1e-6 * Math.max(1, c);
  const hw = 1e-6 * w;
  out.value = value;
  out.dB = (gauss1NearOne(b + hb, c, w) - gauss1NearOne(b - hb, c, w)) / (2 * hb);
  out.dC = (gauss1NearOne(b, c + hc, w) - gauss1NearOne(b, c - hc, w)) / (2 * hc);
  out.dZ = (gauss1NearOne(b, c, w - hw) - gauss1NearOne(b, c, w + hw)) / (2 * hw);
  return Number.isFinite(value) && Number.isFinite(out.dB + out.dC + out.dZ);
}

/**
 * 2F1(1, b; c; 1 - w) = (c-1)/e * 2F1(1, b; 1-e; w) + Gamma(c) Gamma(-e) / Gamma(b) * w^e * (1-w)^(1-c),
 * with e = c - 1 - b. Singular for integer e, where the function itself is smooth: average either side.
 */
function gauss1NearOne(b: number, c: number, w: number): number {
  const e = c - 1 - b;
  const k = Math.round(e);
  const offset = e - k;
  if (Math.abs(offset) < INTEGER_GAP_NEAR_ONE) {
    // Interpolate between e = k - h and e = k + h: the error is O(h^2), the cancellation O(1e-16 / h).
    const h = INTEGER_GAP_NEAR_ONE;
    const below = gauss1NearOneRegular(b, b + 1 + k - h, w);
    const above = gauss1NearOneRegular(b, b + 1 + k + h, w);
    return (below + above) / 2 + (offset * (above - below)) / (2 * h);
  }
  return gauss1NearOneRegular(b, c, w);
}

const INTEGER_GAP_NEAR_ONE = 1e-5;

function gauss1NearOneRegular(b: number, c: number, w: number): number {
  const e = c - 1 - b;
  let term = 1;
  let sum = 1;
  for (let j = 0; j < MAX_TERMS; j++) {
    term *= ((b + j) / (1 - e + j)) * w;
    sum += term;
    if (Math.abs(term) <= RELATIVE_TOLERANCE * Math.abs(sum)) break;
  }
  const first = ((c - 1) / e) * sum;
  const logSecond = gammaln(c) + gammaln(-e) - gammaln(b) + e * Math.log(w) + (1 - c) * Math.log1p(-w);
  return first + gammasgn(-e) * Math.exp(logSecond);
}

/** The power series with derivatives, accumulated term by term. Exported for tests. */
export function gauss1Series(b: number, c: number, z: number, out: SeriesWithDerivatives): boolean {
  let term = 1; // T_j = (b)_j / (c)_j z^j
  let termOverZ = b / c; // T_{j+1} / z, kept separately so z = 0 needs no division
  let sumB = 0; // sum_{k<j} 1/(b+k)
  let sumC = 0; // sum_{k<j} 1/(c+k)
  let value = 1;
  let dB = 0;
  let dC = 0;
  let dZ = 0;
  const tailFactor = z / (1 - z);
  for (let j = 0; j < MAX_TERMS; j++) {
    dZ += (j + 1) * termOverZ;
    sumB += 1 / (b + j);
    sumC += 1 / (c + j);
    term *= ((b + j) / (c + j)) * z;
    termOverZ *= ((b + j + 1) / (c + j + 1)) * z;
    value += term;
    dB += term * sumB;
    dC -= term * sumC;
    // The tail after this term is below term * z / (1 - z); the derivative tails carry the growing sums.
    if (term * tailFactor * (1 + sumB + sumC + j) <= RELATIVE_TOLERANCE * value || term === 0) {
      out.value = value;
      out.dB = dB;
      out.dC = dC;
      out.dZ = dZ;
      return true;
    }
  }
  out.value = NaN;
  out.dB = NaN;
  out.dC = NaN;
  out.dZ = NaN;
  return false;
}
