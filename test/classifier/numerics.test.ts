/** The hand-written series against stdlib's hyp2f1, and every model's analytic gradient against finite differences. */
import hyp2f1 from '@stdlib/math-base-special-hyp2f1';
import { describe, expect, it } from 'vitest';
import { buildFitData } from '../../src/classifier/models/fitData.ts';
import { TRANSACTION_MODEL_REGISTRY } from '../../src/classifier/models/index.ts';
import { gammaGammaTotalLogLikelihood, spendData } from '../../src/classifier/models/gammaGamma.ts';
import { gauss1, gauss1Series, hyp2f1 as guardedHyp2f1, type SeriesWithDerivatives } from '../../src/classifier/special.ts';
import { simulateCustomers } from '../../src/classifier/simulate.ts';
import { features } from '../helpers.ts';

const cases: [number, number, number][] = [
  [0.5534, 2.16, 0.05],
  [26.6, 27.8, 0.3],
  [1.6, 503, 0.9],
  [0.2, 1.7, 0.999],
  [500.5, 502, 0.95],
  [3, 4, 0],
];

describe('G(b, c, z) = 2F1(1, b; c; z) with derivatives', () => {
  const out: SeriesWithDerivatives = { value: 0, dB: 0, dC: 0, dZ: 0 };
  it.each(cases)('matches stdlib hyp2f1 at b=%f c=%f z=%f', (b, c, z) => {
    expect(gauss1(b, c, z, out)).toBe(true);
    expect(out.value).toBeCloseTo(hyp2f1(1, b, c, z), 10);
  });
  it.each(cases)('has derivatives matching central differences at b=%f c=%f z=%f', (b, c, z) => {
    gauss1(b, c, z, out);
    const { dB, dC, dZ } = out;
    const h = 1e-6;
    const at = (bb: number, cc: number, zz: number) => (gauss1(bb, cc, zz, out), out.value);
    const scale = (v: number) => Math.max(1, Math.abs(v));
    expect(dB / scale(dB)).toBeCloseTo((at(b + h, c, z) - at(b - h, c, z)) / (2 * h) / scale(dB), 4);
    expect(dC / scale(dC)).toBeCloseTo((at(b, c + h, z) - at(b, c - h, z)) / (2 * h) / scale(dC), 4);
    if (z > h) expect(dZ / scale(dZ)).toBeCloseTo((at(b, c, z + h) - at(b, c, z - h)) / (2 * h) / scale(dZ), 4);
  });
  it('series and the stdlib route agree where they meet (z = 0.9)', () => {
    const viaSeries = { ...out };
    gauss1Series(2.5, 4, 0.9, viaSeries);
    gauss1(2.5, 4, 0.9 + 1e-12, out);
    expect(out.value).toBeCloseTo(viaSeries.value, 8);
    expect(out.dB).toBeCloseTo(viaSeries.dB, 5);
    expect(out.dC).toBeCloseTo(viaSeries.dC, 5);
  });
  it.each([
    [305.01, 305.02, 0.99998, 47775.88004688012],
    [0.55, 1.55, 0.99999, 6.969453834966849],
    [1.5, 3.5, 0.99999, 2.4996162691008235],
    [0.55, 1.55, 0.9, 1.9900750466749988],
  ])('is accurate near z = 1, including integer c - 1 - b: G(%f, %f, %f) = %f (mpmath)', (b, c, z, expected) => {
    expect(gauss1(b, c, z, out)).toBe(true);
    expect(Math.abs(out.value - expected) / expected).toBeLessThan(1e-8);
  });
  it('reports failure instead of returning garbage when z is 1', () => {
    expect(gauss1(0.5, 1.5, 1, out)).toBe(false);
  });
});

describe('hyp2f1 near z = 1 and at integer c - a - b, where stdlib 0.1 fails (references: mpmath, 40 digits)', () => {
  it.each([
    [79, -0.95, 379.05, 0.9999, 0.8008957333143263],
    [1.4, -0.5, 1.9, 0.999, 0.4392982670713611],
    [1, 0.5534, 2.1595, 0.99, 1.78535997064274],
    [2.4, -0.2, 3.2, 0.92, 0.7664410090740339],
    [171.6, -0.99, 171.61, 0.99975, 0.00033305905377699005],
    [0.5, -0.5, 3.9, 0.9999999, 0.9293490834795203],
    [12.3, 0.4, 40.2, 0.99999, 1.1609303110549416],
  ])('2F1(%f, %f; %f; %f) = %f', (a, b, c, z, expected) => {
    expect(Math.abs(guardedHyp2f1(a, b, c, z) - expected) / expected).toBeLessThan(1e-8);
  });
});

describe('likelihood gradients', () => {
  const customers = [...simulateCustomers({ model: 'pareto_nbd', params: [0.7, 5, 0.5, 8], customers: 400, seed: 3, unitDays: 7, firstDay: 0, cohortDays: 200, endDay: 400 })].map(
    (c) => features(c, 400),
  );
  const data = buildFitData(
    customers.map((c) => c.frequency),
    customers.map((c) => c.recencyDays),
    customers.map((c) => c.ageDays),
    7,
  );
  const points: [keyof typeof TRANSACTION_MODEL_REGISTRY, number[]][] = [
    ['pareto_nbd', [0.7, 3, 0.4, 20]],
    ['pareto_nbd', [0.7, 30, 0.4, 2]],
    ['bg_nbd', [0.4, 5, 0.6, 3]],
    ['mbg_nbd', [0.4, 5, 1.6, 3]],
  ];
  /** d f / d(log p_k) by central differences, for every k. */
  const logGradient = (f: (p: number[]) => number, p: number[]) =>
    p.map((_, k) => {
      const h = 1e-6;
      const up = p.map((v, i) => (i === k ? v * Math.exp(h) : v));
      const down = p.map((v, i) => (i === k ? v * Math.exp(-h) : v));
      return (f(up) - f(down)) / (2 * h);
    });
  it.each(points)('%s analytic gradient equals central differences at %j', (name, p) => {
    const model = TRANSACTION_MODEL_REGISTRY[name];
    const grad = new Float64Array(4);
    model.totalLogLikelihood(p, data, grad);
    logGradient((q) => model.totalLogLikelihood(q, data), p).forEach((numeric, k) => expect(grad[k]).toBeCloseTo(numeric, 3));
  });
  it.each(points)('%s compressed total equals the sum of per-customer log-likelihoods', (name, p) => {
    const model = TRANSACTION_MODEL_REGISTRY[name];
    const sum = customers.reduce((s, c) => s + model.logLikelihood(p, c.frequency, c.recencyDays / 7, c.ageDays / 7), 0);
    expect(model.totalLogLikelihood(p, data)).toBeCloseTo(sum, 6);
  });
  it('Gamma-Gamma analytic gradient equals central differences', () => {
    const spend = spendData(Float64Array.from([1, 2, 5, 1, 3]), Float64Array.from([20, 35.5, 12, 80, 41]));
    const p = [6, 3.7, 15];
    const grad = new Float64Array(3);
    gammaGammaTotalLogLikelihood(p, spend, grad);
    logGradient((q) => gammaGammaTotalLogLikelihood(q, spend), p).forEach((numeric, k) => expect(grad[k]).toBeCloseTo(numeric, 5));
  });
});
