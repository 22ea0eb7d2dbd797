/** Features from purchases: the refund policy (negative amounts) and zero-amount purchases. */
import { describe, expect, it } from 'vitest';
import { day, features } from '../helpers.ts';

const AS_OF = day('2024-06-30');
const on = (iso: string, amount: number) => ({ day: day(iso), amount });

describe('refunds and zero amounts', () => {
  it('a refund is netted against the customer: LTV and period revenue fall, purchase days do not count it', () => {
    const f = features({ purchases: [on('2024-01-01', 100), on('2024-03-01', 40), on('2024-03-10', -30)] }, AS_OF);
    expect(f).toMatchObject({ purchaseDays: 2, frequency: 1, ltv: 110, revenueInPeriod: 110, purchaseDaysInPeriod: 2, lastPurchaseDay: day('2024-03-01') });
    // A later refund comes off the repeat purchases' mean value (the spend model's input).
    expect(f.monetary).toBe(10);
  });

  it('refunds never make a value negative: LTV, period revenue and mean repeat value are floored at 0', () => {
    const f = features({ purchases: [on('2024-01-01', 10), on('2024-02-01', 5), on('2024-02-02', -50)] }, AS_OF);
    expect(f).toMatchObject({ ltv: 0, revenueInPeriod: 0, monetary: 0, frequency: 1 });
  });

  it('a refund on the first purchase day comes off the first purchase, not the repeat ones', () => {
    const f = features({ purchases: [on('2024-01-01', 100), on('2024-01-01', -100), on('2024-02-01', 20)] }, AS_OF);
    expect(f).toMatchObject({ ltv: 20, monetary: 20, frequency: 1 });
  });

  it('a customer with only refunds is a prospect, with no value', () => {
    const f = features({ purchases: [on('2024-01-01', -20)] }, AS_OF);
    expect(f).toMatchObject({ purchaseDays: 0, firstPurchaseDay: null, ltv: 0, revenueInPeriod: 0 });
  });

  it('a zero-amount purchase counts as a purchase day but adds no spend', () => {
    const f = features({ purchases: [on('2024-01-01', 30), on('2024-02-01', 0)] }, AS_OF);
    expect(f).toMatchObject({ purchaseDays: 2, frequency: 1, ltv: 30, monetary: 0 });
  });
});
