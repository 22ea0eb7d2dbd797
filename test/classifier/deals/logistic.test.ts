/**
 * The penalised logistic fit against independent computations: the analytic gradient against finite
 * differences, and the fitted probabilities against Newton-Raphson (IRLS) written here from the
 * documented design, unpenalised and penalised; the prior's pull against the base's size.
 */
import { describe, expect, it } from 'vitest';
import { logisticObjective } from '../../../src/classifier/deals/logistic.ts';
import { simulateClosedDeals } from '../../../src/classifier/deals/simulate.ts';
import { MEDDIC_ELEMENTS, type ClosedDeal, type DealFigure } from '../../../src/classifier/deals/types.ts';
import { fitWinModel, winProbability, type FittedWinModel } from '../../../src/classifier/deals/winModel.ts';
import { settings } from '../../helpers.ts';
import { TRUE_MODEL } from './generating.ts';

const base = settings().deals;
const FIGURES: DealFigure[] = ['ageDays', 'daysSinceActivity', 'contacts'];
const withFigures = (priorScale: number) => ({ ...base, winModel: { ...base.winModel, figures: FIGURES, priorScale } });

/** The design as docs/model.md §10 states it: cumulative MEDDIC indicators, log(1 + figure); no missing values here. */
function designRow(deal: ClosedDeal): number[] {
  const row: number[] = [];
  for (const e of MEDDIC_ELEMENTS) {
    const level = deal.meddic[e] ?? 'unknown';
    row.push(level === 'unknown' ? 0 : 1, level === 'confirmed' ? 1 : 0);
  }
  for (const f of FIGURES) row.push(Math.log1p(deal[f] ?? 0));
  return row;
}

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/** Newton-Raphson on −loglik + (precision/2) Σ (β − μ)² over columns 1.. (column 0 the intercept). */
function newton(x: number[][], y: boolean[], prior: number[], precision: number): number[] {
  const p = x[0].length;
  let beta = new Array<number>(p).fill(0);
  for (let iter = 0; iter < 100; iter++) {
    const grad = new Array<number>(p).fill(0);
    const hess = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    x.forEach((row, i) => {
      const pr = 1 / (1 + Math.exp(-row.reduce((s, v, j) => s + v * beta[j], 0)));
      const w = pr * (1 - pr);
      for (let j = 0; j < p; j++) {
        grad[j] += (pr - (y[i] ? 1 : 0)) * row[j];
        for (let k = 0; k < p; k++) hess[j][k] += w * row[j] * row[k];
      }
    });
    for (let j = 1; j < p; j++) {
      grad[j] += precision * (beta[j] - prior[j]);
      hess[j][j] += precision;
    }
    const step = solve(hess, grad);
    beta = beta.map((b, j) => b - step[j]);
    if (Math.max(...step.map(Math.abs)) < 1e-12) break;
  }
  return beta;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const train = simulateClosedDeals({ model: TRUE_MODEL, deals: 1500, seed: 31 }).map((d) => d.deal);

describe('penalised logistic fit', () => {
  it('has an analytic gradient that matches central differences', () => {
    const rows = train.slice(0, 50).map((d) => Float64Array.from(designRow(d)));
    const prior = Float64Array.from(rows[0], (_, j) => 0.1 * j - 0.5);
    const f = logisticObjective({ rows, outcomes: train.slice(0, 50).map((d) => d.won), prior, precision: 0.7 });
    const at = Float64Array.from({ length: prior.length + 1 }, (_, j) => 0.3 * Math.sin(j + 1));
    const grad = new Float64Array(at.length);
    f(at, grad);
    const scratch = new Float64Array(at.length);
    for (let j = 0; j < at.length; j++) {
      const plus = Float64Array.from(at);
      const minus = Float64Array.from(at);
      plus[j] += 1e-6;
      minus[j] -= 1e-6;
      const numeric = (f(plus, scratch) - f(minus, scratch)) / 2e-6;
      expect(grad[j]).toBeCloseTo(numeric, 4);
    }
  });

  it('matches unpenalised Newton-Raphson on the raw design (prior scale 10⁶)', () => {
    const s = withFigures(1e6);
    const report = fitWinModel(train, s);
    const x = train.map((d) => [1, ...designRow(d)]);
    const beta = newton(x, train.map((d) => d.won), new Array<number>(x[0].length).fill(0), 0);
    let worst = 0;
    train.forEach((d, i) => {
      const expected = sigmoid(x[i].reduce((sum, v, j) => sum + v * beta[j], 0));
      worst = Math.max(worst, Math.abs(winProbability(report.model, d, s) - expected));
    });
    expect(worst).toBeLessThan(1e-4);
  });

  it('matches penalised Newton-Raphson with the documented standardisation and prior', () => {
    const s = withFigures(0.5);
    const report = fitWinModel(train, s);
    const raw = train.map(designRow);
    const p = raw[0].length;
    const mean = Array.from({ length: p }, (_, j) => raw.reduce((sum, r) => sum + r[j], 0) / raw.length);
    const sd = Array.from({ length: p }, (_, j) => Math.sqrt(raw.reduce((sum, r) => sum + (r[j] - mean[j]) ** 2, 0) / raw.length));
    // Prior: logit = c + s × MEDDIC score / 100 with equal weights and credit ½, per standard deviation.
    const perStep = (s.winModel.priorMeddicLogOdds * 0.5) / 6;
    const priorRaw = [...MEDDIC_ELEMENTS.flatMap(() => [perStep, perStep]), ...FIGURES.map(() => 0)];
    const x = raw.map((r) => [1, ...r.map((v, j) => (v - mean[j]) / sd[j])]);
    const beta = newton(x, train.map((d) => d.won), [0, ...priorRaw.map((m, j) => m * sd[j])], 1 / 0.5 ** 2);
    let worst = 0;
    train.forEach((d, i) => {
      const expected = sigmoid(x[i].reduce((sum, v, j) => sum + v * beta[j], 0));
      worst = Math.max(worst, Math.abs(winProbability(report.model, d, s) - expected));
    });
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('shrinkage towards the prior', () => {
  // Distances in standardised units, where the prior N(μ, τ²) lives: root mean square over the columns.
  const rms = (a: readonly number[], b: readonly number[]) => Math.sqrt(a.reduce((sum, v, j) => sum + (v - b[j]) ** 2, 0) / a.length);
  const fit = (closed: ClosedDeal[], priorScale: number): FittedWinModel => {
    const { model } = fitWinModel(closed, withFigures(priorScale));
    if (model.basis !== 'fitted') throw new Error('expected a fit');
    return model;
  };
  const coefficients = (m: FittedWinModel) => m.columns.map((c) => c.coefficient);
  const prior = (m: FittedWinModel) => m.columns.map((c) => c.prior);
  const tau = 0.5;

  for (const seed of [41, 42, 43]) {
    it(`holds few deals near the prior and lets many reach the maximum-likelihood fit (seed ${seed})`, () => {
      const few = simulateClosedDeals({ model: TRUE_MODEL, deals: 25, seed }).map((d) => d.deal);
      const shrunk = fit(few, tau);
      const loose = fit(few, 1e6);
      // Within about one prior standard deviation of the prior, where the same deals unpenalised wander far.
      expect(rms(coefficients(shrunk), prior(shrunk))).toBeLessThan(tau);
      expect(rms(coefficients(loose), prior(loose))).toBeGreaterThan(3 * rms(coefficients(shrunk), prior(shrunk)));

      const many = simulateClosedDeals({ model: TRUE_MODEL, deals: 5000, seed }).map((d) => d.deal);
      const map = fit(many, tau);
      const mle = fit(many, 1e6);
      expect(rms(coefficients(map), coefficients(mle))).toBeLessThan(0.05 * rms(coefficients(mle), prior(mle)));
      // And the maximum-likelihood fit is the generating model's coefficients (per raw unit).
      const trueRaw = [...MEDDIC_ELEMENTS.flatMap((e) => TRUE_MODEL.meddic[e]), ...FIGURES.flatMap((f) => [TRUE_MODEL.figures[f] ?? 0, 0])];
      mle.columns.forEach((c, j) => expect(Math.abs(c.rawCoefficient - trueRaw[j])).toBeLessThan(c.varies ? 0.35 : 1e-9));
    });
  }
});
