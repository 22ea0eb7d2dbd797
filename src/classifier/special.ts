/**
 * The one special function no kept library provides: the Gauss series
 * G(b, c, z) = 2F1(1, b; c; z) together with its derivatives in b, c and z, for 0 <= b < c and
 * 0 <= z < 1. The Pareto/NBD likelihood reduces to this form after Euler's transformation
 * (docs/model.md), and its exact gradient needs the parameter derivatives, which stdlib's hyp2f1
 * does not give. With b < c every term is smaller than the one before by at least a factor z,
 * so the plain series is stable; its tail after term j is bounded by T_j z / (1 - z).
 */
export interface SeriesWithDerivatives {
  value: number;
  dB: number;
  dC: number;
  dZ: number;
}

const RELATIVE_TOLERANCE = 1e-16;
/** z = 0.99997 needs about this many terms; beyond that the series is declared non-convergent. */
const MAX_TERMS = 2_000_000;

export function gaussSeries1(b: number, c: number, z: number, out: SeriesWithDerivatives): boolean {
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
    // dZ gains (j+1) T_{j+1} / z from the next term
    dZ += (j + 1) * termOverZ;
    sumB += 1 / (b + j);
    sumC += 1 / (c + j);
    term *= ((b + j) / (c + j)) * z;
    termOverZ *= ((b + j + 1) / (c + j + 1)) * z;
    value += term;
    dB += term * sumB;
    dC -= term * sumC;
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
