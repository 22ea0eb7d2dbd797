/**
 * The published results on the CDNOW sample (Fader, Hardie & Lee 2005 and companions), reproduced
 * through the product's own CSV reader and fitting: calibration to 1997-09-30, weeks as the unit.
 */
import { describe, expect, it } from 'vitest';
import { allCustomerScores, classify } from '../../src/classifier/classify.ts';
import { fitSpendModel, fitTransactionModel } from '../../src/classifier/fit.ts';
import { conditionalExpectedValue, spendData } from '../../src/classifier/models/gammaGamma.ts';
import { TRANSACTION_MODEL_REGISTRY } from '../../src/classifier/models/index.ts';
import { modelScorer } from '../../src/classifier/scoring.ts';
import { cdnowFeatures, day, relativeError, settings } from '../helpers.ts';

const published = {
  bg_nbd: { params: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, logLikelihood: -9582.4 },
  pareto_nbd: { params: { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 }, logLikelihood: -9595.0 },
  mbg_nbd: { params: { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 }, logLikelihood: null },
} as const;

describe('CDNOW sample, 39-week calibration', async () => {
  const customers = await cdnowFeatures('1997-09-30');
  const arrays = {
    frequency: customers.map((c) => c.frequency),
    recencyDays: customers.map((c) => c.recencyDays),
    ageDays: customers.map((c) => c.ageDays),
  };
  const fitSettings = settings().fit;

  it('has the 2,357 customers and 946 repeat buyers of the published sample', () => {
    expect(customers).toHaveLength(2357);
    expect(customers.filter((c) => c.frequency > 0)).toHaveLength(946);
    const first = customers.find((c) => c.id === '0001');
    expect(first).toMatchObject({ frequency: 2, recencyDays: 213, ageDays: 272 });
    expect(first?.monetary).toBeCloseTo(22.345, 6);
  });

  for (const [name, expected] of Object.entries(published) as [keyof typeof published, (typeof published)[keyof typeof published]][]) {
    it(`fits ${name} to the published parameters within 0.5 %`, () => {
      const outcome = fitTransactionModel(TRANSACTION_MODEL_REGISTRY[name], arrays, 7, fitSettings);
      if (!outcome.ok) throw new Error(outcome.reason);
      expect(outcome.fit.converged).toBe(true);
      for (const [param, value] of Object.entries(expected.params)) {
        expect(relativeError(outcome.fit.params[param], value), `${name}.${param} = ${outcome.fit.params[param]}`).toBeLessThan(0.005);
      }
      if (expected.logLikelihood !== null) expect(outcome.fit.logLikelihood).toBeCloseTo(expected.logLikelihood, 0);
    });
  }

  it('fits Gamma-Gamma on the 946 repeat buyers to p=6.25 q=3.74 gamma=15.44 (LL -4055.9)', () => {
    const repeat = customers.filter((c) => c.frequency > 0);
    const outcome = fitSpendModel(
      spendData(Float64Array.from(repeat, (c) => c.frequency), Float64Array.from(repeat, (c) => c.monetary)),
      fitSettings,
    );
    if (!outcome.ok) throw new Error(outcome.reason);
    expect(outcome.fit.customers).toBe(946);
    expect(relativeError(outcome.fit.params.p, 6.25)).toBeLessThan(0.005);
    expect(relativeError(outcome.fit.params.q, 3.74)).toBeLessThan(0.005);
    expect(relativeError(outcome.fit.params.gamma, 15.44)).toBeLessThan(0.005);
    expect(outcome.fit.logLikelihood).toBeCloseTo(-4055.9, 0);
  });

  it('gives the first sample customer a conditional expected average value of about 24.66', () => {
    const first = customers.find((c) => c.id === '0001');
    if (!first) throw new Error('customer 0001 missing');
    // At the published parameters, and through the whole pipeline with the fitted ones.
    expect(conditionalExpectedValue([6.25, 3.74, 15.44], first.frequency, first.monetary)).toBeCloseTo(24.66, 2);
    const result = classify(customers, { asOfDay: day('1997-09-30'), settings: settings({ timeUnit: 'week' }) });
    const scored = allCustomerScores(result).find((c) => c.customerId === '0001');
    expect(relativeError(scored?.expectedAverageValue ?? NaN, 24.66)).toBeLessThan(0.001);
  });

  it("reproduces lifetimes' documented CLV example (BG/NBD + Gamma-Gamma, 12 steps of 30 units, 1 % discount)", () => {
    // lifetimes' customer_lifetime_value defaults to freq='D' (30 units a month) even on weekly data; its
    // documentation prints 140.096218, 18.943466, 38.180575 for the first customers of this sample.
    const result = classify(customers, { asOfDay: day('1997-09-30'), settings: settings({ model: 'bg_nbd', timeUnit: 'week' }) });
    const model = TRANSACTION_MODEL_REGISTRY.bg_nbd;
    const scorer = modelScorer(model, model.paramNames.map((p) => result.model.params[p]), 7, {
      expectedDays: 90,
      monthDays: 30 * 7,
      months: 12,
      monthlyDiscountRate: 0.01,
    });
    const out = { pAlive: 0, expectedPurchases: 0, discountedPurchases: 0 };
    const clvOf = (id: string) => {
      const c = customers.find((f) => f.id === id);
      const scored = allCustomerScores(result).find((s) => s.customerId === id);
      if (!c || !scored?.expectedAverageValue) throw new Error(`no customer ${id}`);
      scorer.predict(c.frequency, c.recencyDays, c.ageDays, out);
      return out.discountedPurchases * scored.expectedAverageValue;
    };
    expect(relativeError(clvOf('0001'), 140.096218)).toBeLessThan(0.002);
    expect(relativeError(clvOf('0002'), 18.943466)).toBeLessThan(0.002);
    expect(relativeError(clvOf('0003'), 38.180575)).toBeLessThan(0.002);
  });
});
