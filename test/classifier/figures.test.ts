/** Value tiers, churn bands and the installation-level LTV figures on small hand-checked bases. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allCustomerScores, classify } from '../../src/classifier/classify.ts';
import { LtvFiguresAccumulator } from '../../src/classifier/figures.ts';
import { assignValueTiers, churnBand, valueTierLabels } from '../../src/classifier/segments.ts';
import { VALUE_TIERS } from '../../src/classifier/types.ts';
import { day, features, settings } from '../helpers.ts';

describe('value tiers', () => {
  it('splits customers 20 / 30 / 50 % by predicted CLV, ties broken by value to date then id', () => {
    const clv = Float64Array.from([5, 100, 50, 50, 1, 0, 0, 0, 0, 10]);
    const ltv = Float64Array.from([1, 1, 2, 1, 1, 1, 1, 1, 1, 1]);
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    const tiers = Array.from(assignValueTiers(clv, ltv, (j) => ids[j], settings().valueTiers), (t) => VALUE_TIERS[t]);
    expect(tiers.filter((t) => t === 'top')).toHaveLength(2);
    expect(tiers.filter((t) => t === 'middle')).toHaveLength(3);
    expect(tiers.filter((t) => t === 'bottom')).toHaveLength(5);
    expect(tiers[1]).toBe('top'); // 100
    expect(tiers[2]).toBe('top'); // 50 with the higher value to date
    expect(tiers[3]).toBe('middle'); // 50
    expect(tiers[9]).toBe('middle'); // 10
    expect(tiers[0]).toBe('middle'); // 5
  });
  it('matches a full sort by (CLV, value to date, id) on random bases full of ties', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 2 })), { maxLength: 60 }), (rows) => {
        const clv = Float64Array.from(rows, (r) => r[0]);
        const ltv = Float64Array.from(rows, (r) => r[1]);
        const ids = rows.map((_, i) => `id${i}`);
        const order = rows.map((_, i) => i).sort((a, b) => clv[b] - clv[a] || ltv[b] - ltv[a] || (ids[a] < ids[b] ? -1 : 1));
        const top = Math.round(rows.length * 0.2);
        const upper = Math.round(rows.length * 0.5);
        const expected = new Array<string>(rows.length);
        order.forEach((index, rank) => (expected[index] = rank < top ? 'top' : rank < upper ? 'middle' : 'bottom'));
        expect(Array.from(assignValueTiers(clv, ltv, (j) => ids[j], settings().valueTiers), (t) => VALUE_TIERS[t])).toEqual(expected);
      }),
    );
  });
  it('labels follow the configured shares', () => {
    expect(valueTierLabels({ topShare: 0.2, nextShare: 0.3 })).toEqual({ top: 'Top 20 %', middle: 'Next 30 %', bottom: 'Bottom 50 %' });
  });
});

describe('churn risk bands', () => {
  it('low below 30, medium from 30, high from 50 (configurable), of the whole percent written', () => {
    const bands = settings().churnRiskBands;
    expect(churnBand(29.4, bands)).toBe('low');
    // Written as 30, so medium: the band never disagrees with the number beside it.
    expect(churnBand(29.9, bands)).toBe('medium');
    expect(churnBand(49.5, bands)).toBe('high');
    expect(churnBand(30, bands)).toBe('medium');
    expect(churnBand(50, bands)).toBe('high');
    expect(churnBand(99, { mediumFrom: 60, highFrom: 90 })).toBe('high');
  });
});

describe('installation LTV figures', () => {
  const asOf = day('2025-12-31');
  const buy = (iso: string, amount: number) => ({ day: day(iso), amount });
  const base = [
    // bought in both years: retained
    features({ id: 'a', purchases: [buy('2024-06-01', 100), buy('2025-03-01', 200), buy('2025-09-01', 100)] }, asOf),
    // bought only last year: lost
    features({ id: 'b', purchases: [buy('2024-05-01', 50)] }, asOf),
    // new this year
    features({ id: 'c', purchases: [buy('2025-11-01', 300)] }, asOf),
    // a prospect
    features({ id: 'd', purchases: [], openDeals: 1 }, asOf),
  ];

  it('simple LTV = revenue ÷ customers in the period; retention LTV = 1/(1 - retention) × profit per customer', () => {
    const acc = new LtvFiguresAccumulator(asOf, { periodDays: 365, acquisitionSpend: 150, currency: 'EUR' }, 0.5);
    base.forEach((f) => acc.add(f));
    const fig = acc.result();
    expect(fig.revenueInPeriod).toBe(600);
    expect(fig.customersInPeriod).toBe(2);
    expect(fig.simpleLtv).toBe(300);
    expect(fig.purchasesInPeriod).toBe(3);
    expect(fig.averageOrderValue).toBe(200);
    expect(fig.retentionRate).toBe(0.5); // of a and b, only a bought again
    expect(fig.averageRetentionPeriods).toBe(2);
    expect(fig.profitPerCustomer).toBe(150); // margin 50 %
    expect(fig.retentionLtv).toBe(300);
    expect(fig.newCustomersInPeriod).toBe(1);
    expect(fig.cac).toBe(150);
    expect(fig.ltvToCac).toBe(2);
  });

  it('appear in the classification summary, with no LTV:CAC unless acquisition spend is configured', () => {
    const result = classify(base, { asOfDay: asOf, settings: settings() });
    expect(result.summary.ltvFigures.simpleLtv).toBe(300);
    expect(result.summary.ltvFigures.ltvToCac).toBeNull();
    expect(result.summary.prospects).toBe(1);
    expect(allCustomerScores(result).find((c) => c.customerId === 'd')?.stage).toBe('consideration');
  });
});
