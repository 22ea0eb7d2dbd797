/**
 * Recovery: histories simulated from a known model of the time to first purchase, the conversion model
 * fitted on one as of its end, and its ranking of a fresh population's prospects compared with the
 * generating model's own ranking of them.
 */
import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../../src/classifier/backtestMetrics.ts';
import { conversionProbability, convertedWithin, featuresAt, fitConversionModel, isProspectAt } from '../../../src/classifier/conversion/index.ts';
import { simulateProspects } from '../../../src/classifier/conversion/simulate.ts';
import { aucStandardError } from '../../../src/classifier/deals/validation.ts';
import { settings } from '../../helpers.ts';
import { TRUE_MODEL } from './generating.ts';

const conversion = settings().conversion;
const END = 720;

describe('conversion model recovery on simulated histories', () => {
  for (const seed of [1, 2]) {
    it(`ranks a fresh population's prospects as well as the generating model, within 3 Hanley-McNeil SE (seed ${seed})`, () => {
      const train = simulateProspects({ model: TRUE_MODEL, people: 2000, endDay: END, horizonDays: conversion.horizonDays, seed, datedEngagements: true });
      const report = fitConversionModel(train.map((p) => p.person), conversion, END);
      expect(report.model.basis).toBe('fitted');
      if (report.model.basis !== 'fitted') return;
      expect(report.model.converged).toBe(true);

      const fresh = simulateProspects({ model: TRUE_MODEL, people: 4000, endDay: END, horizonDays: conversion.horizonDays, seed: seed + 1000, datedEngagements: true });
      const cutoff = END - conversion.horizonDays;
      const prospects = fresh.filter((p) => isProspectAt(p.person, cutoff));
      const outcomes = prospects.map((p) => convertedWithin(p.person, cutoff, conversion.horizonDays));
      const converted = outcomes.filter(Boolean).length;
      const trueAuc = rocAuc(prospects.map((p) => p.trueProbability), outcomes);
      const fittedAuc = rocAuc(prospects.map((p) => conversionProbability(report.model, featuresAt(p.person, cutoff))), outcomes);
      if (trueAuc === null || fittedAuc === null) throw new Error('the fresh prospects need both outcomes');
      const se = aucStandardError(trueAuc, converted, outcomes.length - converted);
      expect(trueAuc).toBeGreaterThan(0.65);
      expect(Math.abs(fittedAuc - trueAuc)).toBeLessThan(3 * se);
      // The check has power: the lead source alone (what a rule of thumb would use) falls outside it.
      const sourceOnly = fitConversionModel(train.map((p) => p.person), { ...conversion, factors: ['leadSource'] }, END).model;
      const sourceAuc = rocAuc(prospects.map((p) => conversionProbability(sourceOnly, featuresAt(p.person, cutoff))), outcomes);
      expect(trueAuc - (sourceAuc ?? 0)).toBeGreaterThan(3 * se);

      // The model card's cross-validated AUC tells the same story as the fresh data.
      const cv = report.validation;
      expect(cv?.method).toBe('cross_validation');
      expect(Math.abs((cv?.auc ?? 0) - fittedAuc)).toBeLessThan(3 * se);
      // Calibrated on the whole: the mean likelihood is near the fresh prospects' conversion rate.
      const meanPredicted = prospects.reduce((s, p) => s + conversionProbability(report.model, featuresAt(p.person, cutoff)), 0) / prospects.length;
      const rate = converted / prospects.length;
      expect(Math.abs(meanPredicted - rate)).toBeLessThan(3 * Math.sqrt((rate * (1 - rate)) / prospects.length));
    });
  }
});
