/**
 * A few customers scored with what their base's classification left (scoreFew.ts) get exactly the scores
 * the whole base's classification gave them: the model's predictions, the spend model's value, the CLV,
 * the value tier at the cut-offs, the stage and its reason. And a new purchase moves only that customer.
 */
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/classifier/classify.ts';
import { scoreFew } from '../../src/classifier/scoreFew.ts';
import type { CustomerFeatures } from '../../src/classifier/types.ts';
import { cdnowFeatures, day, features, settings } from '../helpers.ts';

function expectSameScores(base: CustomerFeatures[], options: { asOfDay: number; settings: ReturnType<typeof settings> }) {
  const result = classify(base, options);
  const again = scoreFew(base, result.basis, options);
  for (let i = 0; i < base.length; i++) expect(again[i], base[i].id).toEqual(result.customer(i));
  return result;
}

describe('scoring a few customers with the stored basis', () => {
  it('gives every CDNOW customer the score the whole base gave them (Pareto/NBD, Gamma-Gamma, tiers at the cut-offs)', async () => {
    const asOf = '1997-09-30';
    const base = await cdnowFeatures(asOf);
    const result = expectSameScores(base, { asOfDay: day(asOf), settings: settings({ timeUnit: 'week' }) });
    expect(result.model.name).toBe('pareto_nbd');
    expect(result.spendModel).not.toBeNull();
    // Ties at a cut-off are common (same pattern, same spend): the keys break them as the ranking did.
    expect(result.basis.tiers.top).not.toBeNull();
    expect(result.basis.tiers.middle).not.toBeNull();
  });

  it('agrees under the recency heuristic and the spend fallback (a base too small to fit)', () => {
    const asOfDay = day('2026-06-01');
    const base = [
      features({ id: 'a', purchases: [{ day: asOfDay - 30, amount: 50 }] }, asOfDay),
      features({ id: 'b', purchases: [{ day: asOfDay - 300, amount: 20 }, { day: asOfDay - 100, amount: 40 }] }, asOfDay),
      features({ id: 'c', purchases: [] , openDeals: 1 }, asOfDay),
      features({ id: 'd', purchases: [{ day: asOfDay - 10, amount: 0 }] }, asOfDay),
    ];
    const result = expectSameScores(base, { asOfDay, settings: settings() });
    expect(result.model.name).toBe('recency_heuristic');
    expect(result.spendModel).toBeNull();
  });

  it('a new purchase of one customer changes that customer only, as the next classification sees them', async () => {
    const asOf = '1997-09-30';
    const asOfDay = day(asOf);
    const s = settings({ timeUnit: 'week' });
    const base = await cdnowFeatures(asOf);
    const result = classify(base, { asOfDay, settings: s });
    const i = base.findIndex((f) => f.purchaseDays === 1 && asOfDay - (f.lastPurchaseDay ?? 0) > 200);
    const before = result.customer(i);
    const bought = features({ id: base[i].id, purchases: [{ day: base[i].firstPurchaseDay ?? 0, amount: base[i].ltv }, { day: asOfDay - 1, amount: 500 }] }, asOfDay);
    const [after] = scoreFew([bought], result.basis, { asOfDay, settings: s });
    expect(after.purchases).toBe(2);
    expect(after.ltv).toBeCloseTo(before.ltv + 500, 6);
    expect(after.churnRisk ?? 100).toBeLessThan(before.churnRisk ?? 0);
    expect(after.clv ?? 0).toBeGreaterThan(before.clv ?? 0);
    // The next run (the same fit reused) scores the changed base: the customer's score is the one above.
    const next = classify(base.map((f, k) => (k === i ? bought : f)), { asOfDay, settings: s, reuse: { model: result.model, spendModel: result.spendModel, timeUnit: s.timeUnit } });
    const nextScore = next.customer(i);
    expect({ ...nextScore, valueTier: null }).toEqual({ ...after, valueTier: null });
    expect(nextScore.valueTier).toBe(after.valueTier);
  });
});
