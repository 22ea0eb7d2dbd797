/** The change policy: rounding, minimum changes, companion fields. */
import { describe, expect, it } from 'vitest';
import type { ProspectScore } from '../../src/classifier/conversion/index.ts';
import type { CustomerScore } from '../../src/classifier/scoreColumns.ts';
import { churnBand } from '../../src/classifier/segments.ts';
import { loadConfig } from '../../src/config/load.ts';
import { desiredValues, diffValues } from '../../src/sync/values.ts';

const config = loadConfig();
const sync = config.sync;
const scoredAt = Date.UTC(2026, 10, 22);

const score = (over: Partial<CustomerScore> = {}): CustomerScore => ({
  customerId: 'c1',
  stage: 'loyalty',
  churnType: null,
  reason: '3 purchases, last on 2026-09-21; 86 % likely still active → Loyalty',
  reasonDetail: '3 purchases, last on 2026-09-21; 86 % likely still active',
  nextAction: config.classifier.stages.loyalty.nextAction,
  purchases: 3,
  frequency: 2,
  recency: 10,
  T: 20,
  daysSinceLastPurchase: 41,
  pAlive: 0.8643,
  churnRisk: 13.57,
  churnRiskBand: 'low',
  expectedPurchases: 0.4349,
  expectedAverageValue: 40,
  clv: 123.456,
  ltv: 300.49,
  valueTier: 'top',
  ...over,
});

describe('desired values', () => {
  it('a non-finite score is an error naming the customer and the field, never a value to write (issue 8)', () => {
    expect(() => desiredValues(score({ customerId: 'c9', clv: Infinity }), config.classifier, sync, scoredAt)).toThrow('customer "c9": clv is Infinity, not a finite number; it is not written');
    expect(() => desiredValues(score({ churnRisk: NaN }), config.classifier, sync, scoredAt)).toThrow('customer "c1": churnRisk is NaN');
  });

  it('rounds churn risk to a whole percent and money to the currency unit', () => {
    expect(desiredValues(score(), config.classifier, sync, scoredAt)).toEqual({
      stage: 'loyalty',
      stageReason: '3 purchases, last on 2026-09-21; 86 % likely still active → Loyalty',
      ltv: '300',
      predictedClv: '123',
      churnRisk: '14',
      churnRiskBand: 'low',
      valueTier: 'top',
      expectedPurchases: '0.43',
      nextAction: config.classifier.stages.loyalty.nextAction,
      scoredAt: '2026-11-22T00:00:00.000Z',
      conversionLikelihood: null,
    });
  });
  it('leaves model fields empty for people without a purchase', () => {
    const v = desiredValues(score({ stage: 'consideration', pAlive: null, churnRisk: null, churnRiskBand: null, clv: null, expectedPurchases: null, valueTier: null, ltv: 0 }), config.classifier, sync, scoredAt);
    expect(v).toMatchObject({ stage: 'consideration', churnRisk: null, predictedClv: null, valueTier: null, ltv: '0' });
  });
});

describe('conversion likelihood', () => {
  const prospect = score({ stage: 'consideration', reason: 'No purchase yet; 1 open deal → Consideration', purchases: 0, pAlive: null, churnRisk: null, churnRiskBand: null, clv: null, expectedPurchases: null, valueTier: null, ltv: 0 });
  const scored: ProspectScore = { id: 'c1', likelihood: 37.6, basis: 'fitted', strongestFactor: { factor: 'winProbability', contribution: 0.8, description: 'open deal at 72 % win probability' } };

  it('a prospect gets it as a whole percent, and the consideration reason names the strongest factor', () => {
    const v = desiredValues(prospect, config.classifier, sync, scoredAt, scored);
    expect(v.conversionLikelihood).toBe('38');
    expect(v.stageReason).toBe('No purchase yet; 1 open deal → Consideration; strongest factor: open deal at 72 % win probability');
    // Awareness says nothing of it; a customer has none.
    expect(desiredValues({ ...prospect, stage: 'awareness', reason: 'No purchase yet → Awareness' }, config.classifier, sync, scoredAt, scored).stageReason).toBe('No purchase yet → Awareness');
    expect(desiredValues(score(), config.classifier, sync, scoredAt).conversionLikelihood).toBeNull();
  });

  it('keeps the reason within its length', () => {
    const short = { ...sync, maxReasonLength: 60 };
    const reason = desiredValues(prospect, config.classifier, short, scoredAt, scored).stageReason ?? '';
    expect(reason).toHaveLength(60);
    expect(reason.endsWith('…')).toBe(true);
  });

  it('is cleared once the customer has bought, and moves only by the minimum change', () => {
    const buyer = desiredValues(score(), config.classifier, sync, scoredAt);
    expect(diffValues(buyer, { ...buyer, conversionLikelihood: '40' }, sync)).toMatchObject({ conversionLikelihood: null });
    const now = desiredValues(prospect, config.classifier, sync, scoredAt, scored);
    const near = String(38 + sync.minChange.churnRisk - 1);
    expect(diffValues(now, { ...now, conversionLikelihood: near }, sync)).toEqual({});
    expect(diffValues(now, { ...now, conversionLikelihood: String(38 + sync.minChange.churnRisk) }, sync)).toMatchObject({ conversionLikelihood: '38' });
  });
});

describe('diff against what the CRM holds', () => {
  const desired = desiredValues(score(), config.classifier, sync, scoredAt);
  const inCrm = { ...desired, stageChangedAt: '2026-10-01T00:00:00.000Z', scoredAt: '2026-11-21T00:00:00.000Z' };

  it('writes everything the first time, with the stage change time', () => {
    const changes = diffValues(desired, {}, sync);
    expect(Object.keys(changes).sort()).toEqual(
      ['stage', 'stageReason', 'stageChangedAt', 'ltv', 'predictedClv', 'churnRisk', 'churnRiskBand', 'valueTier', 'expectedPurchases', 'nextAction', 'scoredAt'].sort(),
    );
    expect(changes.stageChangedAt).toBe('2026-11-22T00:00:00.000Z');
  });

  it('writes nothing when only the reason text and the scoring time moved (daily drift)', () => {
    expect(diffValues({ ...desired, stageReason: '3 purchases, last on 2026-09-21; 85 % likely still active → Loyalty' }, inCrm, sync)).toEqual({});
  });

  it('ignores changes below the minimum and writes those above it, with the companions', () => {
    expect(diffValues({ ...desired, churnRisk: '14' }, { ...inCrm, churnRisk: '14' }, sync)).toEqual({});
    expect(diffValues(desired, { ...inCrm, predictedClv: '122' }, sync)).toEqual({}); // 1 < 2 % of 122
    expect(diffValues(desired, { ...inCrm, expectedPurchases: '0.4' }, sync)).toEqual({});
    // The reason text moved too (it always does); it rides along with the real change.
    const newReason = '3 purchases, last on 2026-09-21; 85 % likely still active → Loyalty';
    const changes = diffValues({ ...desired, stageReason: newReason }, { ...inCrm, churnRisk: '20' }, sync);
    expect(changes).toEqual({ churnRisk: '14', stageReason: newReason, scoredAt: desired.scoredAt });
    expect(diffValues(desired, { ...inCrm, ltv: '250' }, sync)).toMatchObject({ ltv: '300' });
  });

  it('a stage move sets the stage change time; an unchanged stage keeps it', () => {
    expect(diffValues(desired, { ...inCrm, stage: 'retention' }, sync)).toMatchObject({ stage: 'loyalty', stageChangedAt: desired.scoredAt });
    expect(diffValues(desired, { ...inCrm, churnRisk: '50' }, sync)).not.toHaveProperty('stageChangedAt');
  });

  it('restores a companion field the CRM lost, even without another change', () => {
    expect(diffValues(desired, { ...inCrm, stageReason: null }, sync)).toEqual({ stageReason: desired.stageReason, scoredAt: desired.scoredAt });
  });

  it('clears a value the plugin no longer has (null), and writes a value where the CRM has none', () => {
    const prospect = { ...desired, churnRisk: null, valueTier: null };
    expect(diffValues(prospect, inCrm, sync)).toMatchObject({ churnRisk: null, valueTier: null });
  });
});

describe('churn risk and its band, as written', () => {
  const bands = config.classifier.churnRiskBands;
  const written = (risk: number) => {
    const v = desiredValues(score({ churnRisk: risk, churnRiskBand: churnBand(risk, bands) }), config.classifier, sync, scoredAt);
    return `${v.churnRisk ?? ''} ${v.churnRiskBand ?? ''}`;
  };

  it('the band follows the rounded percent written beside it, on both sides of each threshold', () => {
    expect(bands).toMatchObject({ mediumFrom: 30, highFrom: 50 });
    expect(written(49.6)).toBe('50 high');
    expect(written(49.4)).toBe('49 medium');
    expect(written(29.5)).toBe('30 medium');
    expect(written(29.4)).toBe('29 low');
  });

  it('a band that changes writes the churn risk with it, even below the minimum change', () => {
    const desired = desiredValues(score({ churnRisk: 50.2, churnRiskBand: 'high' }), config.classifier, sync, scoredAt);
    const inCrm = { ...desired, churnRisk: '49.6', churnRiskBand: 'medium' };
    expect(diffValues(desired, inCrm, { ...sync, minChange: { ...sync.minChange, churnRisk: 5 } })).toMatchObject({ churnRisk: '50', churnRiskBand: 'high' });
  });
});
