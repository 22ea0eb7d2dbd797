/**
 * The conversion model in the backtest (issue #14): on an installation whose history follows a known
 * story (people buy, if at all, within a month of their record's creation; referrals far more often),
 * the backtest reports the model's holdout AUC with the number of prospects and conversions, on both
 * stores; on a file of purchases, and where no one was a prospect, it says why it cannot.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../sandboxes/shared/seededRandom.ts';
import { backtestInstallation } from '../../src/service/backtestInstallation.ts';
import { conversionBacktestText } from '../../src/service/conversionBacktest.ts';
import type { CustomerCore, StoredDeal } from '../../src/store/types.ts';
import { CDNOW_CSV, day, settings } from '../helpers.ts';
import { STORE_KINDS, storePlaces } from '../stores.ts';
import { runCli } from './run.ts';

const TODAY = day('2026-11-01');

function story(n: number): { customers: CustomerCore[]; deals: StoredDeal[] } {
  const random = seededRandom(1401);
  const customers: CustomerCore[] = [];
  const deals: StoredDeal[] = [];
  for (let i = 0; i < n; i++) {
    const id = `p${String(i).padStart(4, '0')}`;
    const createdDay = TODAY - 1 - Math.floor(random() * 700);
    const referral = random() < 0.4;
    customers.push({ recordId: id, modifiedAt: 0, signals: { createdDay, leadSource: referral ? 'referral' : 'ads' }, crmValues: {} });
    if (random() < (referral ? 0.7 : 0.08)) {
      const closeDay = createdDay + 5 + Math.floor(random() * 25);
      if (closeDay <= TODAY) deals.push({ recordId: `w${id}`, customerIds: [id], status: 'won', amount: 100, closeDay, modifiedAt: 0 });
    }
  }
  return { customers, deals };
}

describe.each(STORE_KINDS)("the conversion model in an installation's backtest (%s store)", (kind) => {
  const place = storePlaces(kind);

  it('reports its holdout AUC with the prospects and conversions of its own holdout', async () => {
    const store = await (await place()).open();
    try {
      const { customers, deals } = story(600);
      await store.upsertInstallation({ id: 'story', crm: 'hubspot', name: 'Story' });
      await store.upsertCustomers('story', customers);
      await store.upsertDeals('story', deals);
      const result = await backtestInstallation(store, 'story', settings(), { holdoutDays: 120, today: TODAY });
      const c = result.conversion;
      if (!c.available) throw new Error(`not backtested: ${c.reason}`);
      // Prospects on the calibration end: created by then, no purchase by then; converted: bought in the 90 days after.
      const end = TODAY - 90;
      const first = new Map(deals.map((d) => [d.customerIds[0], d.closeDay ?? Infinity]));
      const prospects = customers.filter((p) => (p.signals.createdDay ?? 0) <= end && !((first.get(p.recordId) ?? Infinity) <= end));
      expect(c).toMatchObject({ calibrationEnd: '2026-08-03', holdoutEnd: '2026-11-01', horizonDays: 90, prospects: prospects.length, converted: prospects.filter((p) => (first.get(p.recordId) ?? Infinity) <= TODAY).length });
      expect(c.converted).toBeGreaterThan(5);
      // The story's record age tells who buys: well above chance.
      expect(c.auc).toBeGreaterThan(0.75);
      expect(c.aucStandardError).toBeGreaterThan(0);
      expect(conversionBacktestText(c)).toMatch(new RegExp(`^Conversion likelihood \\(first purchase within 90 days\\): ${c.prospects} prospects on 2026-08-03, ${c.converted} converted by 2026-11-01; holdout AUC [01]\\.\\d\\d ± 0\\.\\d\\d\\.`));
      // The transaction models' figures are there beside it.
      expect(result.models.map((m) => m.model)).toContain('recency_heuristic');
    } finally {
      await store.close();
    }
  });

  it('says why when no one was a prospect on the calibration end', async () => {
    const store = await (await place()).open();
    try {
      await store.upsertInstallation({ id: 'buyers', crm: 'hubspot', name: 'Buyers' });
      const customers: CustomerCore[] = ['a', 'b', 'c'].map((id) => ({ recordId: id, modifiedAt: 0, signals: {}, crmValues: {} }));
      await store.upsertCustomers('buyers', customers);
      await store.upsertDeals('buyers', customers.flatMap((c, k) => [0, 1].map((j) => ({ recordId: `${c.recordId}${j}`, customerIds: [c.recordId], status: 'won' as const, amount: 50, closeDay: TODAY - 400 + 30 * k + 200 * j, modifiedAt: 0 }))));
      const result = await backtestInstallation(store, 'buyers', settings(), { holdoutDays: 120, today: TODAY });
      expect(result.conversion).toEqual({ available: false, reason: 'no prospect on 2026-08-03 (everyone had bought, or no one was in the CRM yet)' });
    } finally {
      await store.close();
    }
  });
});

describe('lifecycle-sync backtest --transactions and the conversion model', () => {
  it('says it cannot backtest it from a file of purchases, and why', async () => {
    const args = ['backtest', '--transactions', CDNOW_CSV, '--calibration-end', '1997-09-30', '--holdout-end', '1998-06-30'];
    const json = await runCli([...args, '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as { conversion: unknown }).conversion).toEqual({ available: false, reason: expect.stringMatching(/^a file of purchases holds only people who bought/) as string });
    const table = await runCli(args);
    expect(table.stdout).toMatch(/^Conversion likelihood \(prospects\): not backtested: a file of purchases holds only people who bought, none who had not: the conversion model needs the prospects too \(backtest an installation\)\.$/m);
  }, 60_000);
});
