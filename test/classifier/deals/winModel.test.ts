import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { meddicScore } from '../../../src/classifier/deals/meddic.ts';
import { scoreOpenDeal } from '../../../src/classifier/deals/scoreDeal.ts';
import { simulateClosedDeals } from '../../../src/classifier/deals/simulate.ts';
import { stratifiedFolds } from '../../../src/classifier/deals/validation.ts';
import { fitWinModel, winProbability, type WinModel } from '../../../src/classifier/deals/winModel.ts';
import { winModelSchema } from '../../../src/classifier/deals/modelSchema.ts';
import { MEDDIC_ELEMENTS, MEDDIC_LEVELS, type DealInput, type MeddicElement, type MeddicLevel } from '../../../src/classifier/deals/types.ts';
import { settings } from '../../helpers.ts';
import { TRUE_MODEL } from './generating.ts';

const deals = settings().deals;
const all = (level: MeddicLevel) => Object.fromEntries(MEDDIC_ELEMENTS.map((e) => [e, level])) as Record<MeddicElement, MeddicLevel>;
const levelsArb = fc.record(Object.fromEntries(MEDDIC_ELEMENTS.map((e) => [e, fc.constantFrom(...MEDDIC_LEVELS)])) as Record<MeddicElement, fc.Arbitrary<MeddicLevel>>);
const figureArb = fc.option(fc.integer({ min: 0, max: 5000 }), { nil: null });
const dealArb: fc.Arbitrary<DealInput> = fc.record({
  meddic: levelsArb,
  ageDays: figureArb,
  amount: figureArb,
  daysInStage: figureArb,
  daysSinceActivity: figureArb,
  contacts: figureArb,
  ownerChanges: figureArb,
});

const fitted = fitWinModel(simulateClosedDeals({ model: TRUE_MODEL, deals: 400, seed: 3, missingShare: 0.2 }).map((d) => d.deal), deals);
const fallback = fitWinModel(simulateClosedDeals({ model: TRUE_MODEL, deals: 12, seed: 4 }).map((d) => d.deal), deals);

describe('win model fallback', () => {
  it('uses the MEDDIC score as the win probability below minClosedDeals, and says so', () => {
    expect(fallback.model.basis).toBe('meddic_fallback');
    if (fallback.model.basis !== 'meddic_fallback') return;
    expect(fallback.model.reason).toContain('12 closed deals');
    expect(fallback.model.reason).toContain('classifier.deals.winModel.minClosedDeals (20)');
    const deal: DealInput = { meddic: { champion: 'confirmed', metrics: 'identified' }, amount: 5000 };
    const score = scoreOpenDeal(fallback.model, deal, deals);
    expect(score.winProbability).toBeCloseTo(meddicScore(deal.meddic, deals.meddic), 10);
    expect(score.label).toContain('fallback');
    expect(score.label).toContain('minClosedDeals');
    // The model card still reports how the MEDDIC score ranked the closed deals, without pretending it was cross-validated.
    if (fallback.validation) expect(fallback.validation.method).toBe('meddic_score');
  });

  it('falls back when one outcome is too rare, naming minPerOutcome', () => {
    const closed = simulateClosedDeals({ model: TRUE_MODEL, deals: 40, seed: 5 }).map((d, i) => ({ ...d.deal, won: i >= 3 }));
    const report = fitWinModel(closed, deals);
    expect(report.model.basis).toBe('meddic_fallback');
    if (report.model.basis === 'meddic_fallback') expect(report.model.reason).toContain('37 won and 3 lost');
  });

  it('fits once the minimums are met', () => {
    expect(fitted.model.basis).toBe('fitted');
    expect(fitted.validation?.method).toBe('cross_validation');
    expect(fitted.validation?.folds).toBe(deals.winModel.crossValidationFolds);
    expect(scoreOpenDeal(fitted.model, { meddic: {} }, deals).label).toContain('fitted on 400 closed deals');
  });
});

describe('scoring an open deal', () => {
  it('scores a deal with all six elements confirmed above the same deal with none (any figures)', () => {
    fc.assert(
      fc.property(dealArb, (deal) => {
        const confirmed = scoreOpenDeal(fitted.model, { ...deal, meddic: all('confirmed') }, deals);
        const none = scoreOpenDeal(fitted.model, { ...deal, meddic: all('unknown') }, deals);
        expect(confirmed.winProbability).toBeGreaterThan(none.winProbability);
        expect(confirmed.meddicScore).toBe(100);
        expect(none.meddicScore).toBe(0);
      }),
    );
  });

  for (const [name, report] of [['fitted', fitted], ['fallback', fallback]] as const) {
    it(`names a biggest gap that is never a confirmed element, with the gain it claims (${name})`, () => {
      const model: WinModel = report.model;
      fc.assert(
        fc.property(dealArb, (deal) => {
          const score = scoreOpenDeal(model, deal, deals);
          expect(score.winProbability).toBeGreaterThanOrEqual(0);
          expect(score.winProbability).toBeLessThanOrEqual(100);
          if (score.biggestGap === null) {
            expect(MEDDIC_ELEMENTS.every((e) => deal.meddic[e] === 'confirmed')).toBe(true);
            expect(score.nextAction).toBe(deals.nextActions.allConfirmed);
            return;
          }
          expect(deal.meddic[score.biggestGap]).not.toBe('confirmed');
          expect(score.nextAction).toBe(deals.nextActions[score.biggestGap]);
          // No other open element would raise the win probability more.
          const gains = MEDDIC_ELEMENTS.filter((e) => deal.meddic[e] !== 'confirmed').map(
            (e) => 100 * winProbability(model, { ...deal, meddic: { ...deal.meddic, [e]: 'confirmed' } }, deals) - score.winProbability,
          );
          if (score.gapBasis === 'win_model') {
            expect(score.gapGain).toBeCloseTo(Math.max(...gains), 9);
          } else {
            expect(Math.max(...gains)).toBeLessThanOrEqual(1e-12 + (model.basis === 'meddic_fallback' ? score.gapGain : 0));
          }
        }),
      );
    });
  }

  it('under the fallback the weights decide the gap: a heavier element wins', () => {
    const heavy = { ...deals, meddic: { ...deals.meddic, weights: { ...deals.meddic.weights, decisionProcess: 3 } } };
    const score = scoreOpenDeal(fallback.model, { meddic: { metrics: 'identified' } }, heavy);
    expect(score.biggestGap).toBe('decisionProcess');
    expect(score.nextAction).toBe(deals.nextActions.decisionProcess);
    expect(score.gapBasis).toBe('meddic_weights');
  });

  it('reads negative and non-finite figures as missing', () => {
    const base: DealInput = { meddic: { champion: 'identified' } };
    const p = winProbability(fitted.model, base, deals);
    expect(winProbability(fitted.model, { ...base, amount: -5, daysSinceActivity: Number.NaN, ageDays: Infinity }, deals)).toBeCloseTo(
      winProbability(fitted.model, { ...base, amount: null, daysSinceActivity: null, ageDays: null }, deals),
      12,
    );
    expect(Number.isFinite(p)).toBe(true);
  });
});

describe('stratified folds', () => {
  it('give every fold its share of won and lost deals, repeatably for a seed', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 10, maxLength: 200 }), fc.integer({ min: 2, max: 10 }), fc.integer({ min: 1, max: 1e6 }), (outcomes, k, seed) => {
        const folds = stratifiedFolds(outcomes, k, seed);
        expect(stratifiedFolds(outcomes, k, seed)).toEqual(folds);
        for (const outcome of [true, false]) {
          const total = outcomes.filter((o) => o === outcome).length;
          for (let f = 0; f < k; f++) {
            const inFold = outcomes.filter((o, i) => o === outcome && folds[i] === f).length;
            expect(Math.abs(inFold - total / k)).toBeLessThanOrEqual(1);
          }
        }
      }),
    );
  });
});

describe('the model as stored JSON', () => {
  it('round-trips through JSON and the schema, scoring the same', () => {
    for (const report of [fitted, fallback]) {
      const stored = winModelSchema.parse(JSON.parse(JSON.stringify(report.model)));
      fc.assert(
        fc.property(dealArb, (deal) => {
          expect(scoreOpenDeal(stored, deal, deals)).toEqual(scoreOpenDeal(report.model, deal, deals));
        }),
        { numRuns: 30 },
      );
    }
  });

  it('refuses a stored model whose columns do not match its figures, or with a non-finite coefficient', () => {
    if (fitted.model.basis !== 'fitted') throw new Error('expected a fit');
    expect(winModelSchema.safeParse({ ...fitted.model, figures: ['amount'] }).success).toBe(false);
    const columns = fitted.model.columns.map((c, j) => (j === 0 ? { ...c, coefficient: Number.NaN } : c));
    expect(winModelSchema.safeParse({ ...fitted.model, columns }).success).toBe(false);
  });

  it('fits on MEDDIC alone when no CRM figure is used', () => {
    const s = { ...deals, winModel: { ...deals.winModel, figures: [] } };
    const closed = simulateClosedDeals({ model: TRUE_MODEL, deals: 300, seed: 8 }).map((d) => d.deal);
    const { model } = fitWinModel(closed, s);
    expect(model.basis).toBe('fitted');
    if (model.basis !== 'fitted') return;
    expect(model.columns).toHaveLength(12);
    const deal: DealInput = { meddic: { champion: 'identified' } };
    expect(winProbability(model, { ...deal, amount: 1e6, daysSinceActivity: 400 }, s)).toBe(winProbability(model, deal, s));
  });
});
