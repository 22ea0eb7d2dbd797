/** The stage rules of the product brief, one by one, with the reason a CRM user reads. */
import { describe, expect, it } from 'vitest';
import { decideStage } from '../../src/classifier/stages.ts';
import type { CustomerInput } from '../../src/classifier/types.ts';
import { features, settings } from '../helpers.ts';

const AS_OF = 20_000;
const s = settings();

function stageOf(customer: Partial<CustomerInput>, pAlive: number | null, overrides = s) {
  return decideStage(features(customer, AS_OF), { asOfDay: AS_OF, pAlive, heuristic: false, settings: overrides });
}

const buys = (...daysAgo: number[]) => daysAgo.map((d) => ({ day: AS_OF - d, amount: 50 }));

describe('stage rules (first match wins)', () => {
  it('the reason names dates, not "days ago": it stays true on a record the next run does not rewrite', () => {
    const a = decideStage(features({ purchases: buys(50, 41) }, AS_OF), { asOfDay: AS_OF, pAlive: 0.9, heuristic: false, settings: s });
    const b = decideStage(features({ purchases: buys(50, 41) }, AS_OF + 7), { asOfDay: AS_OF + 7, pAlive: 0.9, heuristic: false, settings: s });
    expect(a.reason).toBe('2 purchases, last on 2024-08-24; 90 % likely still active → Retention');
    expect(b.reason).toBe(a.reason);
    expect(a.reason).not.toMatch(/ago|today/);
  });

  it('explicit churn flag → churned, natural or preventable by the configured reasons', () => {
    expect(stageOf({ purchases: buys(10), churnFlag: true, churnReason: 'moved' }, 0.99)).toMatchObject({
      stage: 'churned',
      churnType: 'natural',
      reason: 'Marked as churned in the CRM (reason: moved) → Churned (natural churn)',
    });
    expect(stageOf({ purchases: buys(10), churnFlag: true, churnReason: 'Too expensive' }, 0.99)).toMatchObject({ stage: 'churned', churnType: 'preventable' });
    expect(stageOf({ purchases: [], churnFlag: true }, null).stage).toBe('churned');
  });

  it('P(alive) below 0.2 with no purchase for the minimum days → churned (preventable)', () => {
    expect(stageOf({ purchases: buys(400, 300) }, 0.12)).toMatchObject({
      stage: 'churned',
      churnType: 'preventable',
      reason: '2 purchases, last on 2023-12-09; 12 % likely still active → Churned (preventable churn)',
    });
    // Too recent a purchase for churned: the at-risk rule catches it.
    expect(stageOf({ purchases: buys(100, 30) }, 0.12).stage).toBe('at_risk');
  });

  it('P(alive) below 0.5 → at risk', () => {
    expect(stageOf({ purchases: buys(300, 200, 150, 120) }, 0.38)).toMatchObject({
      stage: 'at_risk',
      reason: '4 purchases, last on 2024-06-06; 38 % likely still active → At risk',
    });
  });

  it('an alive customer with NPS 9+, a referral or the advocate flag → advocacy', () => {
    expect(stageOf({ purchases: buys(50), nps: 10 }, 0.9).reason).toBe('1 purchase on 2024-08-15; 90 % likely still active; NPS 10 → Advocacy');
    expect(stageOf({ purchases: buys(50), referrals: 2 }, 0.9).stage).toBe('advocacy');
    expect(stageOf({ purchases: buys(50), advocate: true }, 0.9).stage).toBe('advocacy');
    expect(stageOf({ purchases: buys(50), nps: 8 }, 0.9).stage).not.toBe('advocacy');
    // Not a customer yet: no advocacy stage, whatever the NPS.
    expect(stageOf({ purchases: [], nps: 10 }, null).stage).not.toBe('advocacy');
  });

  it('≥ 2 repeat purchases → loyalty, with the example sentence of the product brief', () => {
    expect(stageOf({ purchases: buys(200, 100, 41) }, 0.86)).toMatchObject({
      stage: 'loyalty',
      reason: '3 purchases, last on 2024-08-24; 86 % likely still active → Loyalty',
    });
  });

  it('a repeat purchase, or a first purchase older than 90 days → retention', () => {
    expect(stageOf({ purchases: buys(60, 20) }, 0.9).stage).toBe('retention');
    expect(stageOf({ purchases: buys(120) }, 0.7)).toMatchObject({ stage: 'retention', reason: '1 purchase on 2024-06-06; 70 % likely still active → Retention' });
  });

  it('exactly one purchase within 90 days → purchase', () => {
    expect(stageOf({ purchases: buys(12) }, 0.95).reason).toBe('1 purchase on 2024-09-22; 95 % likely still active → First purchase');
    expect(stageOf({ purchases: buys(0) }, 1).reason).toBe('1 purchase on 2024-10-04; 100 % likely still active → First purchase');
    // Several items on one day are one purchase.
    expect(stageOf({ purchases: [...buys(5), ...buys(5)] }, 0.95).stage).toBe('purchase');
  });

  it('no purchase but an open deal or recent engagement → consideration; else awareness', () => {
    expect(stageOf({ purchases: [], openDeals: 1 }, null).reason).toBe('No purchase yet; 1 open deal → Consideration');
    expect(stageOf({ purchases: [], lastEngagementDay: AS_OF - 5 }, null).reason).toBe('No purchase yet; last engagement on 2024-09-29 → Consideration');
    expect(stageOf({ purchases: [], openDeals: 2, lastEngagementDay: AS_OF }, null).reason).toBe(
      'No purchase yet; 2 open deals and last engagement on 2024-10-04 → Consideration',
    );
    expect(stageOf({ purchases: [], lastEngagementDay: AS_OF - 200 }, null)).toMatchObject({
      stage: 'awareness',
      reason: 'No purchase, no open deal and no engagement in the last 90 days → Awareness',
    });
  });

  it('the cycle moves backwards: the same loyal history becomes at risk when P(alive) drops', () => {
    const history = { purchases: buys(200, 100, 41) };
    expect(stageOf(history, 0.86).stage).toBe('loyalty');
    expect(stageOf(history, 0.3).stage).toBe('at_risk');
  });

  it('thresholds come from config', () => {
    const strict = settings({ rules: { ...s.rules, atRiskMaxPAlive: 0.9, loyaltyMinRepeatPurchases: 5 } });
    expect(stageOf({ purchases: buys(200, 100, 41) }, 0.86, strict).stage).toBe('at_risk');
    expect(stageOf({ purchases: buys(200, 100, 41) }, 0.95, strict).stage).toBe('retention');
  });

  it('a disabled stage is skipped and the next rule applies', () => {
    const noLoyalty = settings({ stages: { ...s.stages, loyalty: { ...s.stages.loyalty, enabled: false } } });
    expect(stageOf({ purchases: buys(200, 100, 41) }, 0.86, noLoyalty).stage).toBe('retention');
  });

  it('labels the recency heuristic in the reason', () => {
    const d = decideStage(features({ purchases: buys(200, 100, 41) }, AS_OF), { asOfDay: AS_OF, pAlive: 0.86, heuristic: true, settings: s });
    expect(d.reason).toBe('3 purchases, last on 2024-08-24; 86 % likely still active (recency heuristic) → Loyalty');
  });
});
