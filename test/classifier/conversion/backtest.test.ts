/**
 * The conversion backtest: fitted up to a calibration end, judged on who bought in the holdout after it.
 */
import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../../src/classifier/backtestMetrics.ts';
import { backtestConversion, isProspectAt, type ProspectRecord } from '../../../src/classifier/conversion/index.ts';
import { simulateProspects } from '../../../src/classifier/conversion/simulate.ts';
import { aucStandardError } from '../../../src/classifier/deals/validation.ts';
import { isoDateOfDay } from '../../../src/classifier/features.ts';
import { settings } from '../../helpers.ts';
import { TRUE_MODEL } from './generating.ts';

const conversion = settings().conversion;
const END = 720;
const CALIBRATION_END = END - conversion.horizonDays;
const simulated = simulateProspects({ model: TRUE_MODEL, people: 2500, endDay: END, horizonDays: conversion.horizonDays, seed: 31, datedEngagements: true });
const history = simulated.map((p) => p.person);

/** The history as it stood at the end of `day`: nothing later. */
function asItStood(people: readonly ProspectRecord[], day: number): ProspectRecord[] {
  return people
    .filter((p) => (p.createdDay ?? 0) <= day)
    .map((p) => ({
      ...p,
      firstPurchaseDay: p.firstPurchaseDay !== null && p.firstPurchaseDay <= day ? p.firstPurchaseDay : null,
      engagementDays: p.engagementDays?.filter((d) => d <= day),
      engagementReadings: [],
      deals: (p.deals ?? []).filter((d) => d.createdDay <= day).map((d) => ({ ...d, closedDay: d.closedDay !== null && d.closedDay !== undefined && d.closedDay <= day ? d.closedDay : null })),
    }));
}

describe('conversion backtest', () => {
  const result = backtestConversion(history, conversion, CALIBRATION_END);

  it('reports the holdout as who, among the prospects at the calibration end, bought within the horizon', () => {
    const prospects = history.filter((p) => isProspectAt(p, CALIBRATION_END));
    const converted = prospects.filter((p) => p.firstPurchaseDay !== null && p.firstPurchaseDay <= CALIBRATION_END + conversion.horizonDays).length;
    expect(result.calibrationEnd).toBe(isoDateOfDay(CALIBRATION_END));
    expect(result.holdoutEnd).toBe(isoDateOfDay(END));
    expect(result.prospects).toBe(prospects.length);
    expect(result.converted).toBe(converted);
    expect(result.holdoutRate).toBeCloseTo(converted / prospects.length, 12);
    expect(result.holdout?.method).toBe('holdout');
    expect(result.holdout?.calibration.reduce((s, b) => s + b.deals, 0)).toBe(prospects.length);
  });

  it('ranks the holdout about as well as the generating model', () => {
    const prospects = simulated.filter((p) => isProspectAt(p.person, CALIBRATION_END));
    const outcomes = prospects.map((p) => p.person.firstPurchaseDay !== null && p.person.firstPurchaseDay <= END);
    const trueAuc = rocAuc(prospects.map((p) => p.trueProbability), outcomes);
    const auc = result.holdout?.auc ?? null;
    if (trueAuc === null || auc === null) throw new Error('the holdout needs both outcomes');
    const se = aucStandardError(trueAuc, result.converted, result.prospects - result.converted);
    expect(Math.abs(auc - trueAuc)).toBeLessThan(3 * se);
    expect(result.holdout?.aucStandardError).toBeCloseTo(aucStandardError(auc, result.converted, result.prospects - result.converted), 12);
    // Base rate and mean prediction near the holdout's rate (the process is stationary).
    const rate = result.holdoutRate ?? 0;
    const band = 3 * Math.sqrt((rate * (1 - rate)) / result.prospects);
    expect(Math.abs((result.meanPredicted ?? 0) - rate)).toBeLessThan(band);
    expect(result.trainingRate).not.toBeNull();
  });

  it('is the same whatever happened after the calibration end', () => {
    const blind = backtestConversion(asItStood(history, CALIBRATION_END), conversion, CALIBRATION_END);
    expect(blind.fit.model).toEqual(result.fit.model);
    expect(blind.fit.validation).toEqual(result.fit.validation);
    expect(blind.meanPredicted).toBeCloseTo(result.meanPredicted ?? NaN, 12);
  });
});
