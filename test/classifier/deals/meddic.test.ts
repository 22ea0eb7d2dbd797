import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { meddicScore } from '../../../src/classifier/deals/meddic.ts';
import { dealModelSettingsSchema } from '../../../src/classifier/deals/settings.ts';
import { MEDDIC_ELEMENTS, MEDDIC_LEVELS, type MeddicElement, type MeddicLevel } from '../../../src/classifier/deals/types.ts';
import { settings } from '../../helpers.ts';

const deals = settings().deals;
const all = (level: MeddicLevel) => Object.fromEntries(MEDDIC_ELEMENTS.map((e) => [e, level])) as Record<MeddicElement, MeddicLevel>;
const levelsArb = fc.record(Object.fromEntries(MEDDIC_ELEMENTS.map((e) => [e, fc.constantFrom(...MEDDIC_LEVELS)])) as Record<MeddicElement, fc.Arbitrary<MeddicLevel>>);
const weightsArb = fc
  .record(Object.fromEntries(MEDDIC_ELEMENTS.map((e) => [e, fc.integer({ min: 0, max: 1000 }).map((w) => w / 10)])) as Record<MeddicElement, fc.Arbitrary<number>>)
  .filter((w) => Object.values(w).some((v) => v > 0));
const rank = (l: MeddicLevel) => MEDDIC_LEVELS.indexOf(l);

describe('MEDDIC score', () => {
  it('is 100 with every element confirmed, 0 with none known, 50 with all identified at the default credit', () => {
    expect(meddicScore(all('confirmed'), deals.meddic)).toBeCloseTo(100, 10);
    expect(meddicScore(all('unknown'), deals.meddic)).toBe(0);
    expect(meddicScore({}, deals.meddic)).toBe(0);
    expect(meddicScore(all('identified'), deals.meddic)).toBeCloseTo(100 * deals.meddic.identifiedCredit, 10);
  });

  it('weights the elements equally by default: one confirmed element is a sixth', () => {
    for (const e of MEDDIC_ELEMENTS) expect(meddicScore({ [e]: 'confirmed' }, deals.meddic)).toBeCloseTo(100 / 6, 10);
  });

  it('never falls when any element moves up a level, whatever the weights and credit (property)', () => {
    fc.assert(
      fc.property(levelsArb, weightsArb, fc.integer({ min: 0, max: 100 }).map((c) => c / 100), fc.constantFrom(...MEDDIC_ELEMENTS), (levels, weights, identifiedCredit, e) => {
        const meddic = { identifiedCredit, weights };
        const score = meddicScore(levels, meddic);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(100 + 1e-9);
        if (rank(levels[e]) < 2) {
          const up = { ...levels, [e]: MEDDIC_LEVELS[rank(levels[e]) + 1] };
          expect(meddicScore(up, meddic)).toBeGreaterThanOrEqual(score - 1e-9);
          if (weights[e] > 0 && identifiedCredit > 0 && identifiedCredit < 1) expect(meddicScore(up, meddic)).toBeGreaterThan(score);
        }
      }),
    );
  });

  it('moves with the weights: a heavier champion counts for more', () => {
    const heavy = { ...deals.meddic, weights: { ...deals.meddic.weights, champion: 5 } };
    expect(meddicScore({ champion: 'confirmed' }, heavy)).toBeCloseTo(50, 10);
    expect(meddicScore({ metrics: 'confirmed' }, heavy)).toBeCloseTo(10, 10);
  });

  it('refuses weights that are all zero or negative, and a credit above 1', () => {
    const zero = { ...deals, meddic: { ...deals.meddic, weights: Object.fromEntries(MEDDIC_ELEMENTS.map((e) => [e, 0])) } };
    expect(dealModelSettingsSchema.safeParse(zero).success).toBe(false);
    const negative = { ...deals, meddic: { ...deals.meddic, weights: { ...deals.meddic.weights, champion: -1 } } };
    expect(dealModelSettingsSchema.safeParse(negative).success).toBe(false);
    expect(dealModelSettingsSchema.safeParse({ ...deals, meddic: { ...deals.meddic, identifiedCredit: 1.5 } }).success).toBe(false);
    expect(dealModelSettingsSchema.safeParse(deals).success).toBe(true);
  });
});
