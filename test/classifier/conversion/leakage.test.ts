/**
 * The leakage rule: nothing dated or read after a cut-off shapes a row at that cut-off, not even by
 * being unknown. The CRM keeps only the latest engagement day, read today; at a past cut-off it is
 * unknown for everyone, whatever its date.
 */
import { describe, expect, it } from 'vitest';
import { featuresAt, fitConversionModel, isProspectAt, trainingRows, type ProspectRecord } from '../../../src/classifier/conversion/index.ts';
import { simulateProspects } from '../../../src/classifier/conversion/simulate.ts';
import { aucStandardError } from '../../../src/classifier/deals/validation.ts';
import { settings } from '../../helpers.ts';
import { TRUE_MODEL } from './generating.ts';

const conversion = settings().conversion;
const END = 720;

describe('features as of a day', () => {
  it('uses a reading of the latest engagement day only from the day it was read', () => {
    const person: ProspectRecord = { id: 'a', firstPurchaseDay: null, createdDay: 0, engagementReadings: [{ seenDay: 200, lastEngagementDay: 50 }] };
    // Engaged on day 50, but at day 100 nobody could know that nothing followed until day 200.
    expect(featuresAt(person, 100).daysSinceEngagement).toBeNull();
    expect(featuresAt(person, 200).daysSinceEngagement).toBe(150);
    const withEarlier: ProspectRecord = { ...person, engagementReadings: [{ seenDay: 80, lastEngagementDay: 50 }, { seenDay: 200, lastEngagementDay: 190 }] };
    expect(featuresAt(withEarlier, 100).daysSinceEngagement).toBe(50);
    expect(featuresAt(withEarlier, 250).daysSinceEngagement).toBe(60);
  });

  it('counts dated engagements and deals only up to the day', () => {
    const person: ProspectRecord = {
      id: 'b',
      firstPurchaseDay: 300,
      createdDay: 10,
      engagementDays: [20, 90, 150, 290],
      leadSource: ' webinar ',
      deals: [
        { createdDay: 50, closedDay: 80, winProbability: 0.9 },
        { createdDay: 60, closedDay: 300, winProbability: 0.4 },
        { createdDay: 60, winProbability: 0.8, scoredDay: 140 },
        { createdDay: 120, closedDay: 300, winProbability: 0.99 },
      ],
    };
    const at = featuresAt(person, 100);
    expect(at.engagements).toBe(2);
    expect(at.daysSinceEngagement).toBe(10);
    expect(at.recordAgeDays).toBe(90);
    expect(at.leadSource).toBe('webinar');
    // Open at 100: the second and third; the third's probability was scored later, so only 0.4 is known.
    expect(at.openDeals).toBe(2);
    expect(at.bestWinProbability).toBe(0.4);
    const later = featuresAt(person, 150);
    expect(later.openDeals).toBe(3);
    expect(later.bestWinProbability).toBe(0.99);
    expect(later.meanWinProbability).toBeCloseTo((0.4 + 0.8 + 0.99) / 3, 12);
  });

  it('makes nobody a prospect after their first purchase or before their record existed', () => {
    const person: ProspectRecord = { id: 'c', firstPurchaseDay: 100, createdDay: 40 };
    expect(isProspectAt(person, 39)).toBe(false);
    expect(isProspectAt(person, 40)).toBe(true);
    expect(isProspectAt(person, 99)).toBe(true);
    expect(isProspectAt(person, 100)).toBe(false);
  });
});

describe('the model never learns from the future', () => {
  // Engagement predicts nothing here, but every converter's latest engagement is their purchase day: an
  // engagement day known at a past cut-off by its date alone, rather than by when it was read, would
  // separate converters from the others (their engagement is always after the cut-off).
  const people = simulateProspects({ model: { ...TRUE_MODEL, engagementEffect: 0 }, people: 1500, endDay: END, horizonDays: conversion.horizonDays, seed: 7, datedEngagements: false }).map(({ person }, i): ProspectRecord => {
    const last = person.firstPurchaseDay ?? Math.min(END, (person.createdDay ?? 0) + ((i * 37) % 400));
    return { id: person.id, firstPurchaseDay: person.firstPurchaseDay, createdDay: person.createdDay, engagementReadings: [{ seenDay: END, lastEngagementDay: last }] };
  });
  const onlyEngagement = { ...conversion, factors: ['daysSinceEngagement' as const] };

  it('leaves the latest engagement day read today unknown at every past cut-off', () => {
    for (const row of trainingRows(people, END, conversion)) expect(row.features.daysSinceEngagement).toBeNull();
    const report = fitConversionModel(people, onlyEngagement, END);
    const cv = report.validation;
    if (cv === null || cv.auc === null) throw new Error('expected a cross-validated fit');
    expect(Math.abs(cv.auc - 0.5)).toBeLessThan(3 * aucStandardError(0.5, cv.won, cv.deals - cv.won));
  });

  it('would separate the converters if the engagement day were taken as known from its own date', () => {
    const leaky = people.map((p) => ({ ...p, engagementReadings: (p.engagementReadings ?? []).map((r) => ({ ...r, seenDay: r.lastEngagementDay ?? END })) }));
    const cv = fitConversionModel(leaky, onlyEngagement, END).validation;
    if (cv === null || cv.auc === null) throw new Error('expected a cross-validated fit');
    expect(cv.auc).toBeGreaterThan(0.5 + 5 * aucStandardError(0.5, cv.won, cv.deals - cv.won));
  });
});
