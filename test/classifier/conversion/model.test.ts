/**
 * The conversion model's training set, fallback, lead-source design, strongest factor and label.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  conversionModelSchema,
  conversionProbability,
  cutoffDays,
  factorContributions,
  featuresAt,
  fitConversionModel,
  scoreProspects,
  strongestFactor,
  trainingRows,
  type ProspectFeatures,
  type ProspectRecord,
} from '../../../src/classifier/conversion/index.ts';
import { designColumnNames, designRow, factorOfColumn } from '../../../src/classifier/conversion/design.ts';
import { simulateProspects } from '../../../src/classifier/conversion/simulate.ts';
import { standardise } from '../../../src/classifier/deals/design.ts';
import { settings } from '../../helpers.ts';
import { TRUE_MODEL } from './generating.ts';

const conversion = settings().conversion;
const END = 720;
const simulated = simulateProspects({ model: TRUE_MODEL, people: 1500, endDay: END, horizonDays: conversion.horizonDays, seed: 5, datedEngagements: true });
const history = simulated.map((p) => p.person);

describe('training set', () => {
  it('takes the prospects at cut-offs spaced back from the horizon before the as-of day, labelled by a first purchase within the horizon', () => {
    const cutoffs = cutoffDays(END, conversion);
    expect(cutoffs[0]).toBe(END - conversion.horizonDays);
    expect(cutoffs.every((c, i) => i === 0 || cutoffs[i - 1] - c === conversion.cutoffSpacingDays)).toBe(true);
    expect(cutoffs[cutoffs.length - 1]).toBeGreaterThanOrEqual(END - conversion.horizonDays - conversion.trainingWindowDays);
    const rows = trainingRows(history, END, conversion);
    for (const c of cutoffs) {
      const at = rows.filter((r) => r.cutoffDay === c);
      const expected = history.filter((p) => (p.createdDay ?? 0) <= c && (p.firstPurchaseDay === null || p.firstPurchaseDay > c));
      expect(at.length).toBe(expected.length);
      const converted = expected.filter((p) => p.firstPurchaseDay !== null && p.firstPurchaseDay <= c + conversion.horizonDays).length;
      expect(at.filter((r) => r.converted).length).toBe(converted);
    }
  });
});

describe('fallback below the minimums', () => {
  it('gives every prospect the share of past prospects who converted, labelled, when too few converted', () => {
    const few = history.slice(0, 60);
    const rows = trainingRows(few, END, conversion);
    const converted = rows.filter((r) => r.converted).length;
    const strict = { ...conversion, minPositives: converted + 1 };
    const report = fitConversionModel(few, strict, END);
    expect(report.model.basis).toBe('base_rate');
    if (report.model.basis === 'fitted') return;
    expect(report.model.rate).toBeCloseTo(converted / rows.length, 12);
    expect(report.model.reason).toContain('classifier.conversion.minPositives');
    expect(report.label).toContain('fallback');
    expect(report.validation).toBeNull();
    const scores = scoreProspects(report.model, few, END);
    expect(scores.length).toBeGreaterThan(0);
    for (const s of scores) {
      expect(s.likelihood).toBeCloseTo(100 * (converted / rows.length), 9);
      expect(s.strongestFactor).toBeNull();
      expect(s.basis).toBe('base_rate');
    }
  });

  it('names minNegatives when too few did not convert', () => {
    const rows = trainingRows(history, END, conversion);
    const negatives = rows.filter((r) => !r.converted).length;
    const report = fitConversionModel(history, { ...conversion, minNegatives: negatives + 1 }, END);
    expect(report.model.basis).toBe('base_rate');
    if (report.model.basis !== 'fitted') expect(report.model.reason).toContain('classifier.conversion.minNegatives');
  });

  it('falls back to the prior rate with no past prospect at all (a history shorter than the horizon)', () => {
    const report = fitConversionModel(history, conversion, conversion.horizonDays - 1 - conversion.trainingWindowDays);
    expect(report.model.basis).toBe('prior');
    if (report.model.basis !== 'fitted') expect(report.model.rate).toBe(conversion.priorRate);
    expect(report.label).toContain('classifier.conversion.priorRate');
  });
});

describe('lead source', () => {
  it('gets a column for each of the K most frequent sources and one for the rest', () => {
    const rows = trainingRows(history, END, conversion);
    const counts = new Map<string, number>();
    for (const r of rows) if (r.features.leadSource) counts.set(r.features.leadSource, (counts.get(r.features.leadSource) ?? 0) + 1);
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 2).map(([s]) => s);
    const report = fitConversionModel(history, { ...conversion, leadSourceTopK: 2 }, END);
    if (report.model.basis !== 'fitted') throw new Error('expected a fit');
    expect(report.model.design.leadSources).toEqual(top);
    const sourceColumns = report.model.columns.filter((c) => factorOfColumn(c.name) === 'leadSource').map((c) => c.name);
    expect(sourceColumns).toEqual([...top.map((s) => `leadSource:${s}`), 'leadSource:other']);
  });
});

describe('strongest factor', () => {
  const report = fitConversionModel(history, conversion, END);
  if (report.model.basis !== 'fitted') throw new Error('expected a fit');
  const model = report.model;
  const logit = (p: number): number => Math.log(p / (1 - p));

  it("is the factor, among those the person has a value for, whose columns put back at the training average move the log-odds most", () => {
    const scores = scoreProspects(model, history, END);
    expect(scores.length).toBeGreaterThan(100);
    const names = designColumnNames(model.design);
    for (const person of history.filter((p) => p.firstPurchaseDay === null || p.firstPurchaseDay > END).slice(0, 200)) {
      const features = featuresAt(person, END);
      const raw = designRow(features, model.design);
      const eta = logit(conversionProbability(model, features));
      const moves = new Map<string, number>();
      for (const factor of new Set(names.map(factorOfColumn))) {
        const averaged = raw.map((v, j) => (factorOfColumn(names[j]) === factor ? model.columns[j].mean : v));
        const row = standardise(averaged, model.columns);
        const etaAveraged = model.intercept + model.columns.reduce((s, c, j) => s + c.coefficient * row[j], 0);
        moves.set(factor, eta - etaAveraged);
      }
      // Only factors the person has a value for are named (a missing value tells a rep nothing to act on).
      const value: Record<string, unknown> = { winProbability: features.bestWinProbability, openDeals: features.openDeals, daysSinceEngagement: features.daysSinceEngagement, engagements: features.engagements, recordAgeDays: features.recordAgeDays, leadSource: features.leadSource };
      const known = [...moves].filter(([factor]) => value[factor] !== null);
      const strongest = strongestFactor(model, features);
      if (known.length === 0) {
        expect(strongest).toBeNull();
        continue;
      }
      const largest = Math.max(...known.map(([, m]) => Math.abs(m)));
      expect(strongest).not.toBeNull();
      if (strongest === null) continue;
      expect(value[strongest.factor]).not.toBeNull();
      expect(Math.abs(moves.get(strongest.factor) ?? 0)).toBeCloseTo(largest, 9);
      expect(strongest.contribution).toBeCloseTo(moves.get(strongest.factor) ?? NaN, 9);
    }
  });

  it('names an open deal with a high win probability, in words, for an otherwise average prospect', () => {
    const rows = trainingRows(history, END, conversion);
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const known = (f: keyof ProspectFeatures) => rows.map((r) => r.features[f]).filter((v): v is number => typeof v === 'number');
    const average: ProspectFeatures = {
      bestWinProbability: null,
      meanWinProbability: null,
      openDeals: 0,
      daysSinceEngagement: median(known('daysSinceEngagement')),
      engagements: median(known('engagements')),
      recordAgeDays: median(known('recordAgeDays')),
      leadSource: 'organic',
    };
    const withDeal = { ...average, openDeals: 1, bestWinProbability: 0.97, meanWinProbability: 0.97 };
    const strongest = strongestFactor(model, withDeal);
    expect(strongest?.factor).toBe('winProbability');
    expect(strongest?.description).toBe('open deal at 97 % win probability');
    expect(strongest?.contribution ?? 0).toBeGreaterThan(0);
    expect(conversionProbability(model, withDeal)).toBeGreaterThan(conversionProbability(model, average));
  });

  it('sums to the log-odds above the average prospect', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: history.length - 1 }), fc.integer({ min: 300, max: END }), (i, day) => {
        const features = featuresAt(history[i], day);
        const total = [...factorContributions(model, features).values()].reduce((s, c) => s + c, 0);
        expect(model.intercept + total).toBeCloseTo(logit(conversionProbability(model, features)), 9);
      }),
      { numRuns: 100 },
    );
  });
});

describe('scoring', () => {
  it('scores exactly the people without a purchase by the day, within 0–100', () => {
    const report = fitConversionModel(history, conversion, END);
    const day = 500;
    const scores = scoreProspects(report.model, history, day);
    const expected = history.filter((p) => (p.createdDay ?? 0) <= day && (p.firstPurchaseDay === null || p.firstPurchaseDay > day)).map((p) => p.id);
    expect(scores.map((s) => s.id)).toEqual(expected);
    for (const s of scores) {
      expect(s.likelihood).toBeGreaterThanOrEqual(0);
      expect(s.likelihood).toBeLessThanOrEqual(100);
    }
    expect(report.label).toMatch(/cross-validated AUC 0\.\d\d ± 0\.\d\d/);
  });

  it('accepts people with nothing but an id and a first purchase day (every factor missing)', () => {
    const bare: ProspectRecord[] = history.map((p) => ({ id: p.id, firstPurchaseDay: p.firstPurchaseDay }));
    const report = fitConversionModel(bare, conversion, END);
    for (const s of scoreProspects(report.model, bare, END)) expect(Number.isFinite(s.likelihood)).toBe(true);
  });
});

describe('stored model', () => {
  it('reads back from JSON and scores the same; a model whose columns do not match its design is refused', () => {
    const fitted = fitConversionModel(history, conversion, END).model;
    const fallback = fitConversionModel(history.slice(0, 5), conversion, END).model;
    for (const model of [fitted, fallback]) {
      const back = conversionModelSchema.parse(JSON.parse(JSON.stringify(model)));
      expect(scoreProspects(back, history, END)).toEqual(scoreProspects(model, history, END));
    }
    if (fitted.basis !== 'fitted') throw new Error('expected a fit');
    const tampered = { ...fitted, columns: fitted.columns.slice(1) };
    expect(conversionModelSchema.safeParse(JSON.parse(JSON.stringify(tampered))).success).toBe(false);
  });
});
