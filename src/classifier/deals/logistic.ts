/**
 * Logistic regression with a Gaussian prior on the coefficients (ridge towards a prior mean, le Cessie
 * & van Houwelingen 1992), fitted by BFGS with the analytic gradient. Minimises
 *
 *   −Σᵢ [yᵢ ηᵢ − log(1 + e^ηᵢ)] + (1 / 2τ²) Σⱼ (βⱼ − μⱼ)²,   ηᵢ = β₀ + Σⱼ βⱼ xᵢⱼ,
 *
 * the negative log posterior under βⱼ ~ N(μⱼ, τ²); the intercept β₀ is not penalised. The penalty is
 * fixed while the likelihood grows with the deals, so a small base stays near μ and a large one reaches
 * the maximum-likelihood fit.
 */
import { sigmoid } from '../math.ts';
import { minimizeBfgs, type Objective } from '../optimize.ts';

export interface LogisticProblem {
  /** Standardised rows, one per deal. */
  rows: readonly Float64Array[];
  outcomes: readonly boolean[];
  /** Prior mean of each coefficient (not the intercept). */
  prior: Float64Array;
  /** 1 / τ². */
  precision: number;
}

export interface LogisticFit {
  intercept: number;
  coefficients: Float64Array;
  converged: boolean;
  iterations: number;
  message: string;
}

/** log(1 + e^η) without overflow. */
function softplus(eta: number): number {
  return eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
}

export function logisticObjective(problem: LogisticProblem): Objective {
  const { rows, outcomes, prior, precision } = problem;
  const p = prior.length;
  return (beta, grad) => {
    grad.fill(0);
    let value = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      let eta = beta[0];
      for (let j = 0; j < p; j++) eta += beta[j + 1] * row[j];
      const y = outcomes[i] ? 1 : 0;
      value += softplus(eta) - y * eta;
      const residual = sigmoid(eta) - y;
      grad[0] += residual;
      for (let j = 0; j < p; j++) grad[j + 1] += residual * row[j];
    }
    for (let j = 0; j < p; j++) {
      const d = beta[j + 1] - prior[j];
      value += 0.5 * precision * d * d;
      grad[j + 1] += precision * d;
    }
    return value;
  };
}

export function fitLogistic(problem: LogisticProblem, maxIterations: number): LogisticFit {
  const won = problem.outcomes.filter(Boolean).length;
  const rate = (won + 0.5) / (problem.outcomes.length + 1);
  // Start at the prior with the base rate's log-odds: the optimum is near it on a small base.
  const start = [Math.log(rate / (1 - rate)), ...problem.prior];
  // Divided by the number of deals (the same optimum) so the tolerance does not depend on the base's size.
  const full = logisticObjective(problem);
  const n = Math.max(1, problem.rows.length);
  const mean: Objective = (beta, grad) => {
    const value = full(beta, grad);
    for (let j = 0; j < grad.length; j++) grad[j] /= n;
    return value / n;
  };
  const result = minimizeBfgs(mean, start, { maxIterations, gradientTolerance: 1e-7, bound: 50 });
  return {
    intercept: result.x[0],
    coefficients: result.x.slice(1),
    converged: result.converged,
    iterations: result.iterations,
    message: result.message,
  };
}

/** P(win) of one standardised row. */
export function logisticProbability(intercept: number, coefficients: ArrayLike<number>, row: ArrayLike<number>): number {
  let eta = intercept;
  for (let j = 0; j < coefficients.length; j++) eta += coefficients[j] * row[j];
  return sigmoid(eta);
}
