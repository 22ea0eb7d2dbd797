/** Published point values of the models at published parameters (weeks). */
import { describe, expect, it } from 'vitest';
import { TRANSACTION_MODEL_REGISTRY } from '../../src/classifier/models/index.ts';

const { bg_nbd: bg, pareto_nbd: pnbd, mbg_nbd: mbg } = TRANSACTION_MODEL_REGISTRY;

function expectation(model: typeof bg, params: number[], t: number, x: number, tx: number, T: number) {
  const c = { pAlive: 0, scale: 0 };
  model.conditionalFor(params)(x, tx, T, c);
  return { pAlive: c.pAlive, expected: c.scale * model.timeProfile(params, x, T, t) };
}

describe('published point values', () => {
  it('BG/NBD at the CDNOW parameters: P(alive)(2, 30.43, 38.86) = 0.7266 and E[X(39)] = 1.2260', () => {
    const v = expectation(bg, [0.243, 4.414, 0.793, 2.426], 39, 2, 30.43, 38.86);
    expect(v.pAlive).toBeCloseTo(0.7266, 4);
    expect(v.expected).toBeCloseTo(1.226, 4);
  });

  it('Pareto/NBD at (0.5534, 10.5802, 0.6061, 11.6562): P(alive)(26, 30.86, 31) = 0.9979 and E[X(52)] = 25.4549', () => {
    const v = expectation(pnbd, [0.5534, 10.5802, 0.6061, 11.6562], 52, 26, 30.86, 31);
    expect(v.pAlive).toBeCloseTo(0.9979, 4);
    expect(v.expected).toBeCloseTo(25.4549, 4);
  });

  it('BG/NBD log-likelihood of one customer at r=0.25, alpha=4, a=0.8, b=2.5, T=40', () => {
    const p = [0.25, 4, 0.8, 2.5];
    expect(bg.logLikelihood(p, 0, 0, 40)).toBeCloseTo(-0.59947382, 8);
    expect(bg.logLikelihood(p, 200, 38, 40)).toBeCloseTo(100.7957, 4);
  });

  it('BG/NBD keeps every one-time buyer alive; Pareto/NBD and MBG/NBD do not', () => {
    expect(expectation(bg, [0.243, 4.414, 0.793, 2.426], 1, 0, 0, 500).pAlive).toBe(1);
    expect(expectation(pnbd, [0.553, 10.578, 0.606, 11.669], 1, 0, 0, 500).pAlive).toBeLessThan(0.2);
    expect(expectation(mbg, [0.525, 6.183, 0.891, 1.614], 1, 0, 0, 500).pAlive).toBeLessThan(0.5);
  });

  it('expectations add up: E[X(t1 + t2)] >= E[X(t1)] and E[X(0)] = 0', () => {
    for (const [model, p] of [
      [bg, [0.243, 4.414, 0.793, 2.426]],
      [pnbd, [0.553, 10.578, 0.606, 11.669]],
      [mbg, [0.525, 6.183, 0.891, 1.614]],
    ] as const) {
      expect(expectation(model, [...p], 0, 3, 20, 30).expected).toBeCloseTo(0, 12);
      expect(expectation(model, [...p], 20, 3, 20, 30).expected).toBeGreaterThan(expectation(model, [...p], 10, 3, 20, 30).expected);
    }
  });
});
