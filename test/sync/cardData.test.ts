/**
 * What the HubSpot contact card shows (sync/cardData.ts), from an explanation as explainCustomer gives it:
 * the CRM's rounded values in words, a prospect's missing figures as nulls, and a timeline of only the
 * stage values actually written (failed writes and other fields left out, rolled-back ones marked);
 * nothing of who the person is.
 */
import { describe, expect, it } from 'vitest';
import { parseCardData } from '../../hubspot-app/src/app/cards/cardData.ts';
import type { CustomerScore } from '../../src/classifier/scoreColumns.ts';
import type { ProspectScore } from '../../src/classifier/conversion/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import { CARD_HISTORY_LIMIT, cardData } from '../../src/sync/cardData.ts';
import { describeOptions } from '../../src/sync/describe.ts';
import type { Explanation, HistoryEntry } from '../../src/sync/explain.ts';
import { desiredValues } from '../../src/sync/values.ts';

const config = loadConfig();
const options = describeOptions(config, 'HubSpot');
const scoredAt = Date.UTC(2026, 10, 19, 2);

const score = (over: Partial<CustomerScore> = {}): CustomerScore => ({
  customerId: '1001',
  stage: 'at_risk',
  churnType: null,
  reason: '3 purchases, last on 2026-08-14; 38 % likely still active → At risk',
  reasonDetail: '3 purchases, last on 2026-08-14; 38 % likely still active',
  nextAction: config.classifier.stages.at_risk.nextAction,
  purchases: 3,
  frequency: 2,
  recency: 10,
  T: 60,
  daysSinceLastPurchase: 97,
  pAlive: 0.3848,
  churnRisk: 61.52,
  churnRiskBand: 'high',
  expectedPurchases: 0.4349,
  expectedAverageValue: 40,
  clv: 1234.567,
  ltv: 1300.49,
  valueTier: 'top',
  ...over,
});

function explanation(s: CustomerScore | null, history: HistoryEntry[] = [], prospect: ProspectScore | null = null): Explanation {
  const values = s ? { ...desiredValues(s, config.classifier, config.sync, scoredAt, prospect), stageChangedAt: '2026-10-02T00:00:00.000Z' } : {};
  return {
    recordId: '1001',
    display: { name: 'Noah Adams', email: 'noah@example.com', company: 'Acme' },
    deleted: false,
    signals: {},
    purchases: [{ dealId: 'd1', day: '2026-08-14', amount: 400.14 }],
    openDeals: 0,
    scores: s && { asOf: '2026-11-19', values, features: { reason: s.reason } },
    model: null,
    inCrm: values,
    history,
  };
}

let id = 0;
const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({
  id: ++id,
  runId: 'run_1',
  recordId: '1001',
  field: 'stage',
  previous: null,
  next: 'purchase',
  state: 'applied',
  at: Date.UTC(2026, 8, 1, 2),
  runKind: 'sync',
  rollbackOf: null,
  rolledBackBy: null,
  ...over,
});

describe('the card’s data', () => {
  it('is the scores in words: stage and reason, churn risk and band, money, tier, expected purchases, next action', () => {
    const data = cardData(explanation(score()), '1001', 'contacts', options);
    expect(data).toEqual({
      recordId: '1001',
      object: 'contacts',
      scored: true,
      stage: { value: 'at_risk', label: 'At risk', reason: '3 purchases, last on 2026-08-14; 38 % likely still active → At risk', since: '2026-10-02' },
      churnRisk: { percent: 62, band: 'high', bandLabel: 'High' },
      // Money as the CRM holds it: rounded to sync.rounding.moneyDecimals (whole units by default).
      predictedClv: { amount: 1235, text: '$1,235', horizonMonths: config.classifier.clv.horizonMonths },
      ltv: { amount: 1300, text: '$1,300' },
      valueTier: { value: 'top', label: expect.stringMatching(/20/) as unknown },
      expectedPurchases: { count: 0.43, days: config.classifier.expectedDays },
      conversionLikelihood: null,
      nextAction: config.classifier.stages.at_risk.nextAction,
      scoredAt: '2026-11-19 02:00 UTC',
      asOf: '2026-11-19',
      history: [],
    });
    // The card's own parser accepts it, and nothing says who the person is.
    expect(parseCardData(JSON.parse(JSON.stringify(data)))).toEqual(data);
    expect(JSON.stringify(data)).not.toMatch(/Noah|noah@|Acme/);
  });

  it('leaves a prospect’s churn risk, CLV and expected purchases empty, and shows its conversion likelihood', () => {
    const prospect = score({ stage: 'consideration', purchases: 0, pAlive: null, churnRisk: null, churnRiskBand: null, expectedPurchases: null, clv: null, ltv: 0, valueTier: null, reason: 'no purchase; an open deal → Consideration' });
    const likely: ProspectScore = { id: '1001', likelihood: 36.6, strongestFactor: null, basis: 'fitted' };
    const data = cardData(explanation(prospect, [], likely), '1001', 'contacts', options);
    expect(data).toMatchObject({ scored: true, stage: { value: 'consideration' }, churnRisk: null, predictedClv: null, expectedPurchases: null, valueTier: null });
    // As the CRM field holds it: whole points, over the configured horizon.
    expect(data).toMatchObject({ conversionLikelihood: { percent: 37, days: config.classifier.conversion.horizonDays } });
    expect(parseCardData(JSON.parse(JSON.stringify(data)))).toEqual(data);
  });

  it('says "not scored yet", differently for a contact never seen and one seen but not scored', () => {
    expect(cardData(null, '42', 'contacts', options)).toEqual({ recordId: '42', object: 'contacts', scored: false, elsewhere: false, message: expect.stringMatching(/has not seen this contact/) as unknown });
    expect(cardData(explanation(null), '1001', 'contacts', options)).toEqual({ recordId: '1001', object: 'contacts', scored: false, elsewhere: false, message: 'Not scored yet: the next sync scores this contact.' });
    // A company's card, where companies are the customers: the same in the company's words.
    expect(cardData(explanation(null), '7', 'companies', options)).toEqual({ recordId: '7', object: 'companies', scored: false, elsewhere: false, message: 'Not scored yet: the next sync scores this company.' });
  });

  it('times only the stage values written: not other fields, failed or interrupted writes, or dry runs; rollbacks named, undone writes marked', () => {
    const history = [
      entry({ runId: 'run_3', runKind: 'rollback', rollbackOf: 'run_2', previous: 'loyalty', next: 'retention', at: Date.UTC(2026, 10, 20, 9, 30) }),
      entry({ runId: 'run_2', field: 'churnRisk', previous: '20', next: '10' }),
      entry({ runId: 'run_2', previous: 'retention', next: 'loyalty', at: Date.UTC(2026, 10, 19, 2), rolledBackBy: 'run_3' }),
      entry({ runId: 'run_x', previous: 'retention', next: 'churned', state: 'failed' }),
      entry({ runId: 'run_y', previous: 'retention', next: 'churned', state: 'superseded' }),
      entry({ runId: 'run_z', previous: 'retention', next: 'churned', runKind: 'dry_run' }),
      entry({ runId: 'run_1', previous: null, next: 'retention', at: Date.UTC(2026, 8, 1) }),
    ];
    const data = cardData(explanation(score(), history), '1001', 'contacts', options);
    if (!data.scored) throw new Error('expected scores');
    expect(data.history).toEqual([
      { at: '2026-11-20T09:30:00.000Z', when: '2026-11-20 09:30 UTC', from: 'Loyalty', to: 'Retention', run: 'Rollback of run_2', rolledBack: false },
      { at: '2026-11-19T02:00:00.000Z', when: '2026-11-19 02:00 UTC', from: 'Retention', to: 'Loyalty', run: 'Sync', rolledBack: true },
      { at: '2026-09-01T00:00:00.000Z', when: '2026-09-01', from: 'empty', to: 'Retention', run: 'Sync', rolledBack: false },
    ]);
  });

  it(`keeps the newest ${CARD_HISTORY_LIMIT} stage writes`, () => {
    const history = Array.from({ length: CARD_HISTORY_LIMIT + 5 }, (_, i) => entry({ runId: `run_${100 - i}`, at: Date.UTC(2026, 10, 19) - i * 86_400_000 }));
    const data = cardData(explanation(score(), history), '1001', 'contacts', options);
    expect(data.scored && data.history.map((h) => h.when)).toEqual(history.slice(0, CARD_HISTORY_LIMIT).map((h) => new Date(h.at).toISOString().slice(0, 10)));
  });
});
