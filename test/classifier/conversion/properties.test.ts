/**
 * Properties of features and scores over arbitrary people: nothing after the day matters, and any input
 * (missing, negative, not a number) gives a finite likelihood.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { featuresAt, fitConversionModel, scoreProspects, type ProspectDeal, type ProspectRecord } from '../../../src/classifier/conversion/index.ts';
import { simulateProspects } from '../../../src/classifier/conversion/simulate.ts';
import { settings } from '../../helpers.ts';
import { TRUE_MODEL } from './generating.ts';

const conversion = settings().conversion;
const day = fc.integer({ min: 0, max: 400 });
const odd = fc.oneof(day, fc.constant(Number.NaN), fc.constant(-5), fc.constant(Number.POSITIVE_INFINITY));
const deal: fc.Arbitrary<ProspectDeal> = fc.record(
  { createdDay: day, closedDay: fc.option(day), winProbability: fc.option(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(1.5), fc.constant(Number.NaN))), scoredDay: fc.option(day) },
  { requiredKeys: ['createdDay'] },
);
const person: fc.Arbitrary<ProspectRecord> = fc.record(
  {
    id: fc.constant('x'),
    firstPurchaseDay: fc.option(day),
    createdDay: fc.option(odd),
    engagementReadings: fc.option(fc.array(fc.record({ seenDay: day, lastEngagementDay: fc.option(day) }), { maxLength: 3 })),
    engagementDays: fc.option(fc.array(odd, { maxLength: 6 })),
    leadSource: fc.option(fc.constantFrom('referral', 'webinar', 'paid', ' ', 'unheard-of')),
    deals: fc.option(fc.array(deal, { maxLength: 4 })),
  },
  { requiredKeys: ['id', 'firstPurchaseDay'] },
);

/** The person as a CRM read at the end of `at` would have shown them, up to `at`: everything later removed. */
function asOf(p: ProspectRecord, at: number): ProspectRecord {
  return {
    ...p,
    firstPurchaseDay: p.firstPurchaseDay !== null && p.firstPurchaseDay <= at ? p.firstPurchaseDay : null,
    engagementReadings: p.engagementReadings?.filter((r) => r.seenDay <= at),
    engagementDays: p.engagementDays?.filter((d) => !(d > at)),
    deals: p.deals
      ?.filter((d) => d.createdDay <= at)
      .map((d) => ({
        ...d,
        closedDay: d.closedDay !== null && d.closedDay !== undefined && d.closedDay <= at ? d.closedDay : null,
        winProbability: d.scoredDay !== null && d.scoredDay !== undefined && d.scoredDay > at ? null : d.winProbability,
      })),
  };
}

describe('conversion properties', () => {
  it('features as of a day are the same with everything after the day removed', () => {
    fc.assert(
      fc.property(person, day, (p, at) => {
        expect(featuresAt(p, at)).toEqual(featuresAt(asOf(p, at), at));
      }),
      { numRuns: 500 },
    );
  });

  const history = simulateProspects({ model: TRUE_MODEL, people: 800, endDay: 400, horizonDays: conversion.horizonDays, seed: 3, datedEngagements: true }).map((p) => p.person);
  const model = fitConversionModel(history, conversion, 400).model;

  it('gives any prospect a finite likelihood in 0–100', () => {
    expect(model.basis).toBe('fitted');
    fc.assert(
      fc.property(fc.array(person, { maxLength: 10 }), day, (people, at) => {
        for (const s of scoreProspects(model, people, at)) {
          expect(s.likelihood).toBeGreaterThanOrEqual(0);
          expect(s.likelihood).toBeLessThanOrEqual(100);
          expect(Number.isFinite(s.strongestFactor?.contribution ?? 0)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
