/**
 * The open-deal pipeline on both stores: each real sync's set replaces the installation's last one, the
 * list sorts and pages as the page asks, the grid counts deals and sums amounts by MEDDIC score band ×
 * win probability band, and one installation never sees another's; removing an installation removes its set.
 */
import { describe, expect, it } from 'vitest';
import type { OpenDealQuery, OpenDealScore } from '../../src/store/openDeals.ts';
import type { Store } from '../../src/store/types.ts';
import { STORE_KINDS, storePlaces } from '../stores.ts';

function deal(dealId: string, o: Partial<OpenDealScore> = {}): OpenDealScore {
  return { dealId, name: `Deal ${dealId}`, stage: 'Qualified to buy', amount: 1000, meddicScore: 50, winProbability: 50, biggestGap: 'champion', nextAction: 'Find a champion', basis: 'fitted', scoredAt: 1_700_000_000_000, ...o };
}

const DEALS: OpenDealScore[] = [
  deal('d1', { meddicScore: 100, winProbability: 91, amount: 5000, biggestGap: null, nextAction: 'Close it' }),
  deal('d2', { meddicScore: 17, winProbability: 12, amount: 250.5 }),
  deal('d3', { meddicScore: 20, winProbability: 19, amount: null, name: null, stage: null }),
  deal('d4', { meddicScore: 83, winProbability: 64, amount: 1200 }),
  deal('d5', { meddicScore: 90, winProbability: 70, amount: 800 }),
];

const query = (o: Partial<OpenDealQuery> = {}): OpenDealQuery => ({ sort: 'winProbability', order: 'desc', offset: 0, limit: 50, ...o });

describe.each(STORE_KINDS)('open deals on the %s store', (kind) => {
  const place = storePlaces(kind);
  const withStore = async (fn: (store: Store) => Promise<void>) => {
    const store = await (await place()).open();
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  };

  it('keeps what was stored and reads it back in each sort, deals without an amount last', () =>
    withStore(async (store) => {
      await store.replaceOpenDeals('i', 'run1', DEALS);
      const page = await store.openDeals('i', query());
      expect(page.total).toBe(5);
      expect(page.rows.map((r) => r.dealId)).toEqual(['d1', 'd5', 'd4', 'd3', 'd2']);
      expect(page.rows[0]).toEqual({ ...DEALS[0], runId: 'run1' });
      expect(page.rows[3]).toEqual({ ...DEALS[2], runId: 'run1' });
      expect((await store.openDeals('i', query({ sort: 'meddicScore', order: 'asc' }))).rows.map((r) => r.dealId)).toEqual(['d2', 'd3', 'd4', 'd5', 'd1']);
      expect((await store.openDeals('i', query({ sort: 'amount' }))).rows.map((r) => r.dealId)).toEqual(['d1', 'd4', 'd5', 'd2', 'd3']);
      expect((await store.openDeals('i', query({ sort: 'amount', order: 'asc' }))).rows.map((r) => r.dealId)).toEqual(['d2', 'd5', 'd4', 'd1', 'd3']);
      const second = await store.openDeals('i', query({ offset: 2, limit: 2 }));
      expect(second).toMatchObject({ total: 5 });
      expect(second.rows.map((r) => r.dealId)).toEqual(['d4', 'd3']);
    }));

  it('counts and sums the pipeline by MEDDIC score band and win probability band', () =>
    withStore(async (store) => {
      expect(await store.openDealPipeline('i')).toEqual({ deals: 0, amount: 0, runId: null, scoredAt: null, cells: [] });
      await store.replaceOpenDeals('i', 'run1', DEALS);
      const pipeline = await store.openDealPipeline('i');
      expect(pipeline).toMatchObject({ deals: 5, runId: 'run1', scoredAt: 1_700_000_000_000 });
      expect(pipeline.amount).toBeCloseTo(7250.5, 6);
      // 20 is the second band's first value; 100 is in the top band.
      expect(pipeline.cells).toEqual([
        { meddicBand: 0, winBand: 0, deals: 1, amount: 250.5 },
        { meddicBand: 1, winBand: 0, deals: 1, amount: 0 },
        { meddicBand: 4, winBand: 3, deals: 2, amount: 2000 },
        { meddicBand: 4, winBand: 4, deals: 1, amount: 5000 },
      ]);
    }));

  it('replaces the whole set with the next run\u2019s; an empty set empties it', () =>
    withStore(async (store) => {
      await store.replaceOpenDeals('i', 'run1', DEALS);
      await store.replaceOpenDeals('i', 'run2', [deal('d4', { winProbability: 30 }), deal('d9')]);
      const page = await store.openDeals('i', query());
      expect(page.rows.map((r) => [r.dealId, r.winProbability, r.runId])).toEqual([['d9', 50, 'run2'], ['d4', 30, 'run2']]);
      await store.replaceOpenDeals('i', 'run3', []);
      expect(await store.openDeals('i', query())).toEqual({ total: 0, rows: [] });
    }));

  it('keeps installations apart, and removing one removes its open deals', () =>
    withStore(async (store) => {
      await store.upsertInstallation({ id: 'a', crm: 'hubspot', name: 'A' });
      await store.upsertInstallation({ id: 'b', crm: 'hubspot', name: 'B' });
      await store.replaceOpenDeals('a', 'runA', DEALS);
      await store.replaceOpenDeals('b', 'runB', [deal('d1', { name: 'B\u2019s deal' })]);
      expect((await store.openDeals('b', query())).rows.map((r) => r.name)).toEqual(['B\u2019s deal']);
      expect((await store.openDealPipeline('b')).deals).toBe(1);
      // Replacing one installation's set leaves the other's.
      await store.replaceOpenDeals('b', 'runB2', []);
      expect((await store.openDeals('a', query())).total).toBe(5);
      expect(await store.removeInstallation('a')).toBe(true);
      expect((await store.openDeals('a', query())).total).toBe(0);
      expect((await store.openDealPipeline('a')).deals).toBe(0);
    }));

  it('replaces the set inside an explicit transaction, or not at all when it fails', () =>
    withStore(async (store) => {
      await store.replaceOpenDeals('i', 'run1', DEALS);
      await expect(
        store.transaction(async (tx) => {
          await tx.replaceOpenDeals('i', 'run2', []);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect((await store.openDeals('i', query())).total).toBe(5);
    }));
});
