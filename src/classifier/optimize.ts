/**
 * Quasi-Newton minimisation (BFGS with a backtracking Armijo line search) for the handful of model
 * parameters. No maintained JavaScript package offers a gradient-based minimiser (the options on npm are
 * unmaintained ports), and the models need only this small, well-understood routine. Parameters are
 * optimised on the log scale, so positivity needs no constraint; `bound` keeps the search away from
 * values where the likelihood underflows.
 */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface MinimizeOptions {
  maxIterations: number;
  /** Converged when every gradient component is below this. */
  gradientTolerance: number;
  /** |x_i| may not exceed this. */
  bound: number;
  /** A curvature estimate from an earlier, similar problem (e.g. a subsample): saves most iterations. */
  initialInverseHessian?: readonly Float64Array[];
}

export interface MinimizeResult {
  x: Float64Array;
  value: number;
  gradient: Float64Array;
  iterations: number;
  evaluations: number;
  converged: boolean;
  message: string;
  /** The final inverse-Hessian approximation, to warm-start a related problem. */
  inverseHessian: Float64Array[];
}

export const DEFAULT_MINIMIZE_OPTIONS: MinimizeOptions = {
  maxIterations: 500,
  gradientTolerance: 1e-7,
  bound: 30,
};

const ARMIJO = 1e-4;
const STALL_WINDOW = 20;

export function minimizeBfgs(
  fn: Objective,
  start: ArrayLike<number>,
  options: MinimizeOptions = DEFAULT_MINIMIZE_OPTIONS,
): MinimizeResult {
  const n = start.length;
  let evaluations = 0;
  const inBounds = (v: Float64Array): boolean => v.every((c) => Math.abs(c) <= options.bound);
  const evaluate = (v: Float64Array, g: Float64Array): number => {
    evaluations++;
    if (!inBounds(v)) return Infinity;
    const f = fn(v, g);
    return Number.isFinite(f) && g.every(Number.isFinite) ? f : Infinity;
  };

  let x = Float64Array.from(start);
  let g = new Float64Array(n);
  let f = evaluate(x, g);
  if (!Number.isFinite(f)) {
    return { x, value: f, gradient: g, iterations: 0, evaluations, converged: false, message: 'the starting point has no finite likelihood', inverseHessian: H0(n) };
  }
  let H = options.initialInverseHessian ? options.initialInverseHessian.map((row) => Float64Array.from(row)) : identity(n);
  let firstStep = !options.initialInverseHessian;
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  // Creeping along the bound of a flat likelihood can take all the iterations: stop when 20 of them
  // gained less than a billionth.
  const history: number[] = [];
  for (let iter = 0; iter < options.maxIterations; iter++) {
    history.push(f);
    if (history.length > STALL_WINDOW && (history[history.length - 1 - STALL_WINDOW] - f) <= 1e-9 * Math.max(1, Math.abs(f))) {
      const converged = maxAbs(g) <= Math.sqrt(options.gradientTolerance);
      return { x, value: f, gradient: g, iterations: iter, evaluations, converged, message: 'no progress in 20 iterations', inverseHessian: H };
    }
    if (maxAbs(g) <= options.gradientTolerance) {
      return { x, value: f, gradient: g, iterations: iter, evaluations, converged: true, message: 'gradient below tolerance', inverseHessian: H };
    }
    multiply(H, g, d);
    for (let i = 0; i < n; i++) d[i] = -d[i];
    let slope = dot(g, d);
    if (!(slope < 0)) {
      H = identity(n);
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = dot(g, d);
    }
    // The first step has no curvature information: cap its length so it stays in a sane region.
    let step = firstStep ? Math.min(1, 1 / Math.max(maxAbs(d), 1e-12)) : 1;
    let fNew = Infinity;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = evaluate(xNew, gNew);
      if (fNew <= f + ARMIJO * step * slope) break;
      // Quadratic interpolation of the step, kept within [0.1, 0.5] of the current one.
      const denominator = 2 * (fNew - f - slope * step);
      const candidate = Number.isFinite(fNew) && denominator > 0 ? (-slope * step * step) / denominator : step / 2;
      step = Math.min(Math.max(candidate, step * 0.1), step * 0.5);
      fNew = Infinity;
    }
    if (!Number.isFinite(fNew)) {
      const converged = maxAbs(g) <= Math.sqrt(options.gradientTolerance);
      return { x, value: f, gradient: g, iterations: iter, evaluations, converged, message: 'line search found no decrease', inverseHessian: H };
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (firstStep) H = scaledIdentity(n, sy / dot(y, y));
      updateInverseHessian(H, s, y, sy);
      firstStep = false;
    }
    const previous = f;
    x = Float64Array.from(xNew);
    g = Float64Array.from(gNew);
    f = fNew;
    if (Math.abs(previous - f) <= 1e-15 * Math.max(1, Math.abs(f)) && maxAbs(g) <= Math.sqrt(options.gradientTolerance)) {
      return { x, value: f, gradient: g, iterations: iter + 1, evaluations, converged: true, message: 'no further decrease', inverseHessian: H };
    }
  }
  return { x, value: f, gradient: g, iterations: options.maxIterations, evaluations, converged: false, message: 'iteration limit reached', inverseHessian: H };
}

/** Hessian by central differences of the analytic gradient, symmetrised. */
export function numericHessian(fn: Objective, at: ArrayLike<number>, step = 1e-5): number[][] {
  const n = at.length;
  const rows: number[][] = [];
  const plus = new Float64Array(n);
  const minus = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const xp = Float64Array.from(at);
    const xm = Float64Array.from(at);
    xp[j] = xp[j] + step;
    xm[j] = xm[j] - step;
    fn(xp, plus);
    fn(xm, minus);
    rows.push(Array.from(plus, (p, i) => (p - minus[i]) / (2 * step)));
  }
  return rows.map((row, i) => row.map((v, j) => (v + rows[j][i]) / 2));
}

/** Inverse of a small symmetric positive-definite matrix by Gauss-Jordan; null when singular. */
export function invert(matrix: number[][]): number[][] | null {
  const n = matrix.length;
  const a = matrix.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    if (!(Math.abs(a[pivot][col]) > 1e-300)) return null;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    const p = a[col][col];
    for (let k = 0; k < 2 * n; k++) a[col][k] /= p;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = a[r][col];
      if (factor !== 0) for (let k = 0; k < 2 * n; k++) a[r][k] -= factor * a[col][k];
    }
  }
  return a.map((row) => row.slice(n));
}

const H0 = (n: number): Float64Array[] => identity(n);

function identity(n: number): Float64Array[] {
  return scaledIdentity(n, 1);
}

function scaledIdentity(n: number, scale: number): Float64Array[] {
  return Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(n);
    row[i] = scale;
    return row;
  });
}

function updateInverseHessian(H: Float64Array[], s: Float64Array, y: Float64Array, sy: number): void {
  const n = s.length;
  const Hy = new Float64Array(n);
  multiply(H, y, Hy);
  const yHy = dot(y, Hy);
  const factor = (sy + yHy) / (sy * sy);
  for (let i = 0; i < n; i++) {
    const row = H[i];
    for (let j = 0; j < n; j++) {
      row[j] =
        row[j] +
        factor * s[i] * s[j] -
        (Hy[i] * s[j] + s[i] * Hy[j]) / sy;
    }
  }
}

function multiply(M: Float64Array[], v: Float64Array, out: Float64Array): void {
  for (let i = 0; i < M.length; i++) out[i] = dot(M[i], v);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}
