/**
 * What BG/NBD and MBG/NBD share: the conditional expectation's time profile. Euler's transformation
 * turns 2F1(r+x, b+x+k; a+b+x-1+k; z) * y^(r+x) into y^(a-1) * 2F1(a+b-1+k-r, a-1; a+b+x-1+k; z), whose
 * series converges quickly for any x and never overflows (docs/model.md); k = 0 for BG/NBD, 1 for MBG/NBD.
 */
import { hyp2f1 } from '../special.ts';

/** a = 1 is a removable singularity of (1 - y^(a-1) F) / (a - 1); step just off it. */
function awayFromOne(a: number): number {
  const gap = 1e-7;
  if (Math.abs(a - 1) >= gap) return a;
  return a >= 1 ? 1 + gap : 1 - gap;
}

export function betaGeometricTimeProfile(
  r: number,
  alpha: number,
  aRaw: number,
  b: number,
  x: number,
  T: number,
  t: number,
  shift: 0 | 1,
): number {
  if (t <= 0) return 0;
  const a = awayFromOne(aRaw);
  const y = (alpha + T) / (alpha + T + t);
  const z = t / (alpha + T + t);
  const f = hyp2f1(a + b - 1 + shift - r, a - 1, a + b + x - 1 + shift, z);
  // Divided by (a - 1) here so that scale * profile is the expectation.
  return (1 - Math.exp((a - 1) * Math.log(y)) * f) / (a - 1);
}
