/**
 * Recovery: closed deals simulated from a known logistic model, the win model fitted on them, and its
 * ranking of a fresh simulated test set compared with the generating model's own ranking of it.
 */
import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../../src/classifier/backtestMetrics.ts';
import { meddicScore } from '../../../src/classifier/deals/meddic.ts';
import { simulateClosedDeals } from '../../../src/classifier/deals/simulate.ts';
import { aucStandardError } from '../../../src/classifier/deals/validation.ts';
import { fitWinModel, winProbability } from '../../../src/classifier/deals/winModel.ts';
import { settings } from '../../helpers.ts';
import { TRUE_MODEL } from './generating.ts';

const deals = settings().deals;

describe('win model recovery on simulated deals', () => {
  for (const seed of [11, 12]) {
    it(`ranks a fresh test set as well as the generating model, within 3 Hanley-McNeil SE (seed ${seed})`, () => {
      const train = simulateClosedDeals({ model: TRUE_MODEL, deals: 1000, seed, missingShare: 0.1 });
      const test = simulateClosedDeals({ model: TRUE_MODEL, deals: 2000, seed: seed + 1000, missingShare: 0.1 });
      const report = fitWinModel(train.map((d) => d.deal), deals);
      expect(report.model.basis).toBe('fitted');
      if (report.model.basis !== 'fitted') return;
      expect(report.model.converged).toBe(true);

      const outcomes = test.map((d) => d.deal.won);
      const won = outcomes.filter(Boolean).length;
      const trueAuc = rocAuc(test.map((d) => d.trueProbability), outcomes);
      const fittedAuc = rocAuc(test.map((d) => winProbability(report.model, d.deal, deals)), outcomes);
      if (trueAuc === null || fittedAuc === null) throw new Error('the test set needs both outcomes');
      const se = aucStandardError(trueAuc, won, outcomes.length - won);
      // The generating model ranks well, so recovering it is not trivial.
      expect(trueAuc).toBeGreaterThan(0.75);
      expect(Math.abs(fittedAuc - trueAuc)).toBeLessThan(3 * se);

      // The check has power: the MEDDIC score alone ignores the activity and age effects and falls outside it.
      const meddicAuc = rocAuc(test.map((d) => meddicScore(d.deal.meddic, deals.meddic)), outcomes);
      expect(meddicAuc).not.toBeNull();
      expect(trueAuc - (meddicAuc ?? 0)).toBeGreaterThan(3 * se);

      // The model card's cross-validated AUC estimates the same thing from the training deals alone.
      const cv = report.validation;
      expect(cv?.method).toBe('cross_validation');
      expect(Math.abs((cv?.auc ?? 0) - trueAuc)).toBeLessThan(3 * (cv?.aucStandardError ?? 0) + 3 * se);
    });
  }

  it('reports calibration bins whose observed win rates match the predicted ones within binomial error', () => {
    const train = simulateClosedDeals({ model: TRUE_MODEL, deals: 3000, seed: 21 });
    const report = fitWinModel(train.map((d) => d.deal), deals);
    const bins = report.validation?.calibration ?? [];
    expect(bins.length).toBeGreaterThanOrEqual(4);
    expect(bins.reduce((sum, b) => sum + b.deals, 0)).toBe(3000);
    for (const b of bins) {
      expect(b.meanPredicted).toBeGreaterThanOrEqual(b.from);
      expect(b.meanPredicted).toBeLessThanOrEqual(b.to);
      if (b.deals < 50) continue;
      const se = Math.sqrt((b.meanPredicted * (1 - b.meanPredicted)) / b.deals);
      expect(Math.abs(b.observedWinRate - b.meanPredicted)).toBeLessThan(4 * se + 0.02);
    }
  });

  it('has a Hanley-McNeil standard error close to the AUC spread over repeated test sets', () => {
    const aucs: number[] = [];
    let won = 0;
    for (let k = 0; k < 200; k++) {
      const set = simulateClosedDeals({ model: TRUE_MODEL, deals: 200, seed: 5000 + k });
      const outcomes = set.map((d) => d.deal.won);
      won += outcomes.filter(Boolean).length;
      aucs.push(rocAuc(set.map((d) => d.trueProbability), outcomes) ?? NaN);
    }
    const mean = aucs.reduce((a, b) => a + b, 0) / aucs.length;
    const sd = Math.sqrt(aucs.reduce((a, b) => a + (b - mean) ** 2, 0) / (aucs.length - 1));
    const meanWon = won / 200;
    const se = aucStandardError(mean, Math.round(meanWon), 200 - Math.round(meanWon));
    expect(se / sd).toBeGreaterThan(0.8);
    expect(se / sd).toBeLessThan(1.25);
  });
});
