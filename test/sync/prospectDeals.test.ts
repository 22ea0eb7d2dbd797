/**
 * Pulled deals as the conversion model sees them (sync/prospectDeals.ts): dated by their creation and
 * close; an open deal carries this run's win probability as of the scoring day, a closed one the last
 * probability written while it was open, known from its "deal scored at"; a deal of unknown creation
 * is left out.
 */
import { describe, expect, it } from 'vitest';
import type { DealFieldValues, PulledDealRecord } from '../../connectors/contract/index.ts';
import { prospectDeal } from '../../src/sync/prospectDeals.ts';

const DAY = 86_400_000;
const none = { metrics: null, economicBuyer: null, decisionCriteria: null, decisionProcess: null, identifyPain: null, champion: null };

function deal(status: PulledDealRecord['status'], createdAt: number | null, closeDay: number | null, fieldValues: DealFieldValues = {}): PulledDealRecord {
  return { recordId: 'd1', status, modifiedAt: 0, meddic: none, features: { createdAt, amount: 100, stageEnteredAt: null, lastActivityAt: null, contactCount: 1, ownerId: null, closeDay }, fieldValues };
}

describe('a pulled deal for the conversion model', () => {
  it("an open deal: created day, still open, this run's win probability as of the scoring day", () => {
    expect(prospectDeal(deal('open', 20_000 * DAY + 5000, 20_100), 72, 20_050)).toEqual({ createdDay: 20_000, closedDay: null, winProbability: 0.72, scoredDay: 20_050 });
    // Not scored: its probability unknown.
    expect(prospectDeal(deal('open', 20_000 * DAY, null), null, 20_050)).toEqual({ createdDay: 20_000, closedDay: null, winProbability: null, scoredDay: null });
  });

  it('a closed deal keeps the last probability written while it was open, known from the day it was scored', () => {
    const written = { winProbability: '64', dealScoredAt: new Date(20_030 * DAY + 3_600_000).toISOString() };
    expect(prospectDeal(deal('won', 20_000 * DAY, 20_040, written), null, 20_050)).toEqual({ createdDay: 20_000, closedDay: 20_040, winProbability: 0.64, scoredDay: 20_030 });
    // Never scored (or not a percentage): unknown.
    expect(prospectDeal(deal('lost', 20_000 * DAY, 20_040), null, 20_050)).toEqual({ createdDay: 20_000, closedDay: 20_040, winProbability: null, scoredDay: null });
    expect(prospectDeal(deal('lost', 20_000 * DAY, 20_040, { winProbability: '140', dealScoredAt: written.dealScoredAt }), null, 20_050)?.winProbability).toBeNull();
  });

  it('a deal of unknown creation is left out: it cannot be placed before or after a cut-off', () => {
    expect(prospectDeal(deal('open', null, null), 50, 20_050)).toBeNull();
  });
});
