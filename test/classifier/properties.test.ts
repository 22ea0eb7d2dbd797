/** Property-based tests over random histories and parameters, and the extreme inputs the issue names. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allCustomerScores, classify, type ClassificationResult } from '../../src/classifier/classify.ts';
import { TRANSACTION_MODEL_REGISTRY } from '../../src/classifier/models/index.ts';
import { STAGE_RULE_ORDER, TRANSACTION_MODELS, type CustomerInput } from '../../src/classifier/types.ts';
import { features, settings } from '../helpers.ts';

const AS_OF = 20_000;

const customerArb = (id: number) =>
  fc.record({
    purchases: fc.array(fc.record({ day: fc.integer({ min: AS_OF - 1500, max: AS_OF + 30 }), amount: fc.double({ min: -50, max: 5000, noNaN: true }) }), { maxLength: 12 }),
    openDeals: fc.nat(3),
    lastEngagementDay: fc.option(fc.integer({ min: AS_OF - 400, max: AS_OF }), { nil: null }),
    nps: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
    referrals: fc.option(fc.nat(3), { nil: null }),
    churnFlag: fc.boolean().map((b) => b && Math.random() < 0.2),
    churnReason: fc.constantFrom(null, 'moved', 'too expensive'),
  }).map((c): CustomerInput => ({ id: `c${id}`, ...c }));

const baseArb = fc.integer({ min: 1, max: 70 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => customerArb(i))));

function expectSane(result: ClassificationResult): void {
  const enabled = new Set(STAGE_RULE_ORDER);
  for (const c of allCustomerScores(result)) {
    expect(enabled.has(c.stage)).toBe(true);
    expect(c.reason.length).toBeGreaterThan(0);
    expect(Number.isFinite(c.ltv)).toBe(true);
    if (c.purchases === 0) {
      expect(c.pAlive).toBeNull();
      expect(c.valueTier).toBeNull();
      continue;
    }
    for (const v of [c.pAlive, c.churnRisk, c.expectedPurchases, c.clv, c.expectedAverageValue, c.frequency, c.recency, c.T]) {
      expect(Number.isFinite(v)).toBe(true);
    }
    expect(c.pAlive).toBeGreaterThanOrEqual(0);
    expect(c.pAlive).toBeLessThanOrEqual(1);
    expect(c.churnRisk).toBeGreaterThanOrEqual(0);
    expect(c.churnRisk).toBeLessThanOrEqual(100);
    expect(c.expectedPurchases).toBeGreaterThanOrEqual(0);
    expect(c.valueTier).not.toBeNull();
  }
}

describe('classifier properties over random customer bases', () => {
  it.each(TRANSACTION_MODELS)('%s: outputs are finite, P(alive) in [0, 1], every stage a configured one', (model) => {
    const s = settings({ model, fit: { minCustomers: 10, minRepeatBuyers: 3, maxIterations: 300, subsampleAbove: 200000 } });
    fc.assert(
      fc.property(baseArb, (base) => {
        const result = classify(
          base.map((c) => features(c, AS_OF)),
          { asOfDay: AS_OF, settings: s },
        );
        expectSane(result);
        const counted = Object.values(result.summary.stages).reduce((a, b) => a + b, 0);
        expect(counted).toBe(base.length);
      }),
      { numRuns: 40 },
    );
  });

  it('stages never include a disabled one', () => {
    const stages = { ...settings().stages, loyalty: { ...settings().stages.loyalty, enabled: false }, at_risk: { ...settings().stages.at_risk, enabled: false } };
    const s = settings({ stages });
    fc.assert(
      fc.property(baseArb, (base) => {
        const result = classify(base.map((c) => features(c, AS_OF)), { asOfDay: AS_OF, settings: s });
        expect(allCustomerScores(result).every((c) => c.stage !== 'loyalty' && c.stage !== 'at_risk')).toBe(true);
      }),
      { numRuns: 20 },
    );
  });
});

describe('model properties over random parameters and histories', () => {
  const params = fc.tuple(
    fc.double({ min: 0.01, max: 50, noNaN: true }),
    fc.double({ min: 0.01, max: 500, noNaN: true }),
    fc.double({ min: 0.01, max: 50, noNaN: true }),
    fc.double({ min: 0.01, max: 500, noNaN: true }),
  );
  const history = fc
    .tuple(fc.integer({ min: 0, max: 500 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 2000, noNaN: true }))
    .map(([x, share, T]) => ({ x, tx: x === 0 ? 0 : share * T, T }));

  it.each(TRANSACTION_MODELS)('%s: log-likelihood, P(alive) and expectations are finite and in range', (name) => {
    const model = TRANSACTION_MODEL_REGISTRY[name];
    fc.assert(
      fc.property(params, history, fc.double({ min: 0, max: 200, noNaN: true }), (p, h, t) => {
        const c = { pAlive: 0, scale: 0 };
        model.conditionalFor(p)(h.x, h.tx, h.T, c);
        expect(c.pAlive).toBeGreaterThanOrEqual(0);
        expect(c.pAlive).toBeLessThanOrEqual(1);
        const expected = c.scale * model.timeProfile(p, h.x, h.T, t);
        expect(Number.isFinite(expected)).toBe(true);
        expect(expected).toBeGreaterThanOrEqual(-1e-9);
        expect(Number.isFinite(model.logLikelihood(p, h.x, h.tx, h.T))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("pareto_nbd (the default): a one-time buyer's churn risk rises as time passes", () => {
    const model = TRANSACTION_MODEL_REGISTRY.pareto_nbd;
    fc.assert(
      fc.property(params, fc.double({ min: 0, max: 1000, noNaN: true }), fc.double({ min: 0.1, max: 1000, noNaN: true }), (p, T, later) => {
        const before = { pAlive: 0, scale: 0 };
        const after = { pAlive: 0, scale: 0 };
        model.conditionalFor(p)(0, 0, T, before);
        model.conditionalFor(p)(0, 0, T + later, after);
        expect(100 * (1 - after.pAlive)).toBeGreaterThanOrEqual(100 * (1 - before.pAlive) - 1e-9);
      }),
      { numRuns: 300 },
    );
  });
});

describe('extreme inputs stay finite, with labelled fallbacks', () => {
  const s = settings();
  const base = (n: number, make: (i: number) => CustomerInput) => Array.from({ length: n }, (_, i) => features(make(i), AS_OF));

  it('a customer with 500 repeat purchases, and one whose first purchase is today', () => {
    const customers = [
      ...base(60, (i) => ({ id: `r${i}`, purchases: [{ day: AS_OF - 300 - i, amount: 10 }, { day: AS_OF - 100 + i, amount: 20 }] })),
      features({ id: 'heavy', purchases: Array.from({ length: 501 }, (_, k) => ({ day: AS_OF - 500 + k, amount: 5 })) }, AS_OF),
      features({ id: 'today', purchases: [{ day: AS_OF, amount: 50 }] }, AS_OF),
    ];
    for (const model of TRANSACTION_MODELS) {
      const result = classify(customers, { asOfDay: AS_OF, settings: { ...s, model } });
      expectSane(result);
      const heavy = allCustomerScores(result).find((c) => c.customerId === 'heavy');
      expect(heavy?.frequency).toBe(500);
      expect(heavy?.stage).toBe('loyalty');
      const today = allCustomerScores(result).find((c) => c.customerId === 'today');
      expect(today?.T).toBe(0);
      expect(today?.pAlive).toBe(1);
      expect(today?.stage).toBe('purchase');
    }
  });

  it('everybody a one-time buyer: the recency heuristic, labelled in the model and in every reason', () => {
    const customers = base(200, (i) => ({ id: `o${i}`, purchases: [{ day: AS_OF - i * 5, amount: 30 }] }));
    const result = classify(customers, { asOfDay: AS_OF, settings: s });
    expectSane(result);
    expect(result.model.name).toBe('recency_heuristic');
    expect(result.model.fallbackReason).toMatch(/0 repeat buyers/);
    expect(allCustomerScores(result).every((c) => c.reason.includes('(recency heuristic)'))).toBe(true);
    expect(result.spendModel).toBeNull();
    // Older one-time buyers are less likely to be active.
    const risk = (id: string) => allCustomerScores(result).find((c) => c.customerId === id)?.churnRisk ?? NaN;
    expect(risk('o150')).toBeGreaterThan(risk('o10'));
  });

  it('all amounts zero or negative: no spend model, zero CLV, nothing NaN', () => {
    const customers = base(80, (i) => ({
      id: `z${i}`,
      purchases: [
        { day: AS_OF - 400 + i, amount: i % 2 === 0 ? 0 : -20 },
        { day: AS_OF - 100 + i, amount: -5 },
      ],
    }));
    const result = classify(customers, { asOfDay: AS_OF, settings: s });
    expectSane(result);
    expect(result.spendModel).toBeNull();
    expect(result.spendFallbackReason).toMatch(/positive purchase value/);
    const scores = allCustomerScores(result);
    // Refunds are not purchases: the customers with only refunds are prospects; the zero-amount buyers have zero CLV.
    expect(scores.filter((c) => c.purchases === 0).map((c) => c.customerId)).toEqual(scores.filter((_, i) => i % 2 === 1).map((c) => c.customerId));
    expect(scores.filter((c) => c.purchases > 0).every((c) => c.clv === 0 && c.ltv === 0)).toBe(true);
  });

  it('an empty base and a base of prospects only', () => {
    expect(classify([], { asOfDay: AS_OF, settings: s }).summary.customers).toBe(0);
    const prospects = base(5, (i) => ({ id: `p${i}`, purchases: [], openDeals: i % 2 }));
    const result = classify(prospects, { asOfDay: AS_OF, settings: s });
    expectSane(result);
    expect(result.summary.stages.consideration + result.summary.stages.awareness).toBe(5);
  });
});
