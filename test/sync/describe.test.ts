/**
 * One customer in words (sync/describe.ts), as the page and `explain` show it: the CRM's rounded values,
 * singular and plural, dates, money in the installation's currency, and the cases a person meets: a
 * prospect, a customer never scored or deleted from the CRM, many purchases, a rolled-back write.
 */
import { describe, expect, it } from 'vitest';
import type { CustomerScore } from '../../src/classifier/scoreColumns.ts';
import { loadConfig } from '../../src/config/load.ts';
import { explainText } from '../../src/cli/explainText.ts';
import { dateTimeText, describeCustomer, describeOptions, moneyText, plural, spanText } from '../../src/sync/describe.ts';
import type { Explanation, HistoryEntry } from '../../src/sync/explain.ts';
import { desiredValues } from '../../src/sync/values.ts';

const config = loadConfig();
const options = describeOptions(config, 'HubSpot');
const scoredAt = Date.UTC(2026, 10, 19);

const score = (over: Partial<CustomerScore> = {}): CustomerScore => ({
  customerId: 'c1',
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

/** An explanation as explainCustomer returns it, with the values the CRM got for `s` (rounded by values.ts). */
function explanation(over: Partial<Explanation> = {}, s: CustomerScore | null = score()): Explanation {
  const values = s ? { ...desiredValues(s, config.classifier, config.sync, scoredAt), stageChangedAt: '2026-10-02T00:00:00.000Z' } : {};
  return {
    recordId: '1001',
    display: { name: 'Noah Adams', email: 'noah@example.com', company: 'Acme' },
    deleted: false,
    signals: {},
    purchases: [
      { dealId: 'd1', day: '2025-06-04', amount: 500.25 },
      { dealId: 'd2', day: '2026-01-03', amount: 400.1 },
      { dealId: 'd3', day: '2026-08-14', amount: 400.14 },
    ],
    openDeals: 1,
    scores: s && { asOf: '2026-11-19', values, features: { purchases: s.purchases, pAlive: s.pAlive, reason: s.reason } },
    model: s && { runId: 'run_a', name: 'pareto_nbd', spend: 'gamma_gamma', reused: false },
    inCrm: values,
    history: [],
    ...over,
  };
}

const entry = (id: number, runId: string, field: HistoryEntry['field'], previous: string | null, next: string | null, over: Partial<HistoryEntry> = {}): HistoryEntry => ({
  id,
  runId,
  recordId: '1001',
  field,
  previous,
  next,
  state: 'applied',
  at: Date.UTC(2026, 10, 19, 2, 5),
  runKind: 'sync',
  rollbackOf: null,
  rolledBackBy: null,
  ...over,
});

describe('describing a customer', () => {
  it('says the scores in sentences with the rounded values the CRM gets, in the currency, with the model', () => {
    const d = describeCustomer(explanation(), options);
    expect(d.title).toBe('Noah Adams (noah@example.com, Acme), HubSpot record 1001');
    expect(d.stage).toBe('At risk');
    expect(d.scores).toEqual([
      'Churn risk 62 % (high): no purchase since 2026-08-14 (97 days), 3 purchases over 14 months, 38 % likely still active.',
      'Predicted CLV $1,235 over the next 12 months (value tier Top 20 %); LTV to date $1,300.',
      'Expected purchases in the next 90 days: 0.43.',
      `Next action: ${config.classifier.stages.at_risk.nextAction}`,
      'Stage At risk since 2026-10-02.',
      'Scored as of 2026-11-19 with the Pareto/NBD model and the gamma-gamma spend model.',
    ]);
    expect(d.reason).toBe('3 purchases, last on 2026-08-14; 38 % likely still active → At risk');
    // The deals' own amounts, added in cents: 500.25 + 400.10 + 400.14.
    expect(d.purchases).toBe('3 purchases from 2025-06-04 to 2026-08-14, $1,300.49 in all; 1 open deal.');
  });

  it('in another currency, the installation’s; a reused fit and the heuristic say so', () => {
    const euros = describeCustomer(explanation({ model: { runId: 'run_b', name: 'recency_heuristic', spend: null, reused: true } }), { ...options, currency: 'EUR' });
    expect(euros.scores[1]).toBe('Predicted CLV €1,235 over the next 12 months (value tier Top 20 %); LTV to date €1,300.');
    expect(euros.scores.at(-1)).toBe("Scored as of 2026-11-19 with the recency heuristic (too little data to fit a model) and each customer's mean spend (fitted by an earlier run, reused).");
  });

  it('one purchase, one day, one referral: singular; a purchase on the scoring day; no model when none is known', () => {
    const one = explanation({ purchases: [{ dealId: 'd1', day: '2026-11-19', amount: 30 }], openDeals: 0, model: null, signals: { referrals: 1 } }, score({ purchases: 1, pAlive: 1 }));
    const d = describeCustomer(one, options);
    expect(d.scores[0]).toBe('Churn risk 62 % (high): a purchase on 2026-11-19, 1 purchase, 100 % likely still active.');
    expect(d.scores.at(-1)).toBe('Scored as of 2026-11-19.');
    expect(d.purchases).toBe('1 purchase, on 2026-11-19, $30; no open deal.');
    expect(d.signals).toEqual(['1 referral']);
    expect(plural(2, 'day')).toBe('2 days');
    expect(plural(1_000, 'purchase')).toBe('1,000 purchases');
    expect(spanText('2026-11-01', '2026-11-02')).toBe('over 1 day');
    expect(spanText('2026-01-01', '2026-01-31')).toBe('over 30 days');
    expect(spanText('2025-09-13', '2026-11-14')).toBe('over 14 months');
  });

  it('rounds money to the stored value’s decimals and dates to the day unless they have a time', () => {
    expect(moneyText('101', 'USD')).toBe('$101');
    expect(moneyText('1234.5', 'USD')).toBe('$1,234.50');
    expect(moneyText('0.125', 'USD')).toBe('$0.125');
    expect(moneyText(29.33, 'USD')).toBe('$29.33');
    expect(moneyText(-12, 'GBP')).toBe('-£12');
    expect(dateTimeText('2026-11-19T00:00:00.000Z')).toBe('2026-11-19');
    expect(dateTimeText(Date.UTC(2026, 10, 19, 2, 5, 30))).toBe('2026-11-19 02:05 UTC');
  });

  it('a prospect: no purchase, so no churn risk or CLV, and no purchases table', () => {
    const prospect = score({ stage: 'awareness', purchases: 0, pAlive: null, churnRisk: null, churnRiskBand: null, clv: null, expectedPurchases: null, valueTier: null, ltv: 0, reason: 'No purchase → Awareness' });
    const d = describeCustomer(explanation({ purchases: [], openDeals: 0 }, prospect), options);
    expect(d.scores.slice(0, 2)).toEqual(['No purchase yet, so no churn risk, CLV or expected purchases.', 'LTV to date $0.']);
    expect(d.purchases).toBe('No purchase yet; no open deal.');
  });

  it('never scored, and deleted from the CRM: says so first', () => {
    expect(describeCustomer(explanation({}, null), options)).toMatchObject({ stage: null, reason: null, scores: ['Not scored yet: the next sync or dry run scores it.'] });
    const gone = describeCustomer(explanation({ deleted: true }), options);
    expect(gone.scores[0]).toBe('No longer in the CRM: these are its last scores, from before it was deleted, and nothing more is written to it.');
    expect(describeCustomer(explanation({ deleted: true }, null), options).scores).toEqual(['No longer in the CRM: nothing more is written to it.', 'It was never scored.']);
  });

  it('many purchases on fewer days: counts both; the CLI lists the last ten and counts the rest', () => {
    const purchases = Array.from({ length: 300 }, (_, i) => ({ dealId: `d${i}`, day: new Date(Date.UTC(2025, 0, 1 + Math.floor(i / 2))).toISOString().slice(0, 10), amount: 10.1 }));
    const e = explanation({ purchases }, score({ purchases: 150 }));
    const d = describeCustomer(e, options);
    expect(d.purchases).toBe('300 purchases (on 150 distinct days, as the models count them) from 2025-01-01 to 2025-05-30, $3,030 in all; 1 open deal.');
    const text = explainText(e, d, 'USD');
    expect(text.match(/^ {2}\d{4}-\d\d-\d\d +\$10\.10 {2}deal d\d+$/gm)).toHaveLength(10);
    expect(text).toContain('  2025-05-30        $10.10  deal d299\n');
    expect(text).toContain('  (the last 10 of 300; --json lists them all)');
  });

  it('the signals the CRM gives, in words', () => {
    const signals = { lastEngagementDay: Date.UTC(2026, 9, 1) / 86_400_000, nps: 9, referrals: 3, advocate: true, churnFlag: true, churnReason: 'moved to a competitor' };
    expect(describeCustomer(explanation({ signals }), options).signals).toEqual(['last engagement on 2026-10-01', 'NPS 9', '3 referrals', 'marked as an advocate', 'marked as churned in the CRM (moved to a competitor)']);
    expect(describeCustomer(explanation({ signals: { nps: null } }), options).signals).toEqual([]);
  });

  it('the values written per run, newest run first, fields in the CRM’s order, labelled and rounded; rolled-back writes marked', () => {
    const history = [
      entry(14, 'run_r', 'churnRisk', '62', null, { runKind: 'rollback', rollbackOf: 'run_s' }),
      entry(13, 'run_r', 'stage', 'at_risk', null, { runKind: 'rollback', rollbackOf: 'run_s' }),
      entry(12, 'run_s', 'scoredAt', null, '2026-11-19T02:05:00.000Z'),
      entry(11, 'run_s', 'predictedClv', null, '1235', { state: 'failed' }),
      entry(10, 'run_s', 'churnRisk', null, '62', { rolledBackBy: 'run_r' }),
      entry(9, 'run_s', 'stage', null, 'at_risk', { rolledBackBy: 'run_r' }),
    ];
    const d = describeCustomer(explanation({ history }), options);
    expect(d.history.map((h) => [h.run, h.label, `${h.from} → ${h.to}`, h.outcome])).toEqual([
      ['Rollback of run_s', 'Lifecycle stage', 'At risk → empty', 'written'],
      ['Rollback of run_s', 'Churn risk (%)', '62 % → empty', 'written'],
      ['Sync', 'Lifecycle stage', 'empty → At risk', 'written, rolled back by run_r'],
      ['Sync', 'Predicted CLV (12 months)', 'empty → $1,235', 'refused by the CRM'],
      ['Sync', 'Churn risk (%)', 'empty → 62 %', 'written, rolled back by run_r'],
      ['Sync', 'Lifecycle scored at', 'empty → 2026-11-19 02:05 UTC', 'written'],
    ]);
    expect(d.history[0].when).toBe('2026-11-19 02:05 UTC');
    const text = explainText(explanation({ history }), d, 'USD');
    expect(text).toContain('Values written, newest first:\n  2026-11-19 02:05 UTC  Rollback of run_s run_r\n    Lifecycle stage: At risk → empty\n');
    expect(text).toContain('  2026-11-19 02:05 UTC  Sync run_s\n    Lifecycle stage: empty → At risk (written, rolled back by run_r)\n');
  });
});
