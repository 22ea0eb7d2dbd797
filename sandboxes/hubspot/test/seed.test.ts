// The demo and benchmark datasets, and the sandbox's speed at benchmark scale.
import { describe, expect, it } from 'vitest';
import { createHubSpotSandbox, seedDemoDataset, seedSyntheticDataset } from '../index.ts';

const CDNOW_CUSTOMERS = 2357;
const CDNOW_ROWS = 6919;
const TODAY = new Date('2026-06-10T08:00:00Z');
const DAY = 86_400_000;

describe('demo dataset', () => {
  it('has one contact per CDNOW customer and one closed-won deal per purchase row, plus prospects', () => {
    const sandbox = createHubSpotSandbox({ clock: () => TODAY.getTime() });
    const counts = seedDemoDataset(sandbox.data, { today: TODAY });
    const { data } = sandbox;
    const contacts = data.contactIds().map((id) => data.getContact(id)).filter((c) => c !== undefined);
    const customers = contacts.filter((c) => /^customer\d{4}@example\.com$/.test(c.properties.email ?? ''));
    expect(customers).toHaveLength(CDNOW_CUSTOMERS);
    expect(counts.contacts).toBe(CDNOW_CUSTOMERS + 300);
    expect(contacts).toHaveLength(counts.contacts);
    expect(customers[0].properties.email).toBe('customer0001@example.com');

    const deals = data.dealIds().map((id) => data.getDeal(id)).filter((d) => d !== undefined);
    expect(deals).toHaveLength(counts.deals);
    const won = deals.filter((d) => d.properties.dealstage === 'closedwon');
    expect(won).toHaveLength(CDNOW_ROWS);
    expect(won.every((d) => d.properties.pipeline === 'default' && d.properties.hs_is_closed_won === 'true')).toBe(true);
    // The sample's last day (1998-06-30) is two days before today.
    const lastClose = Math.max(...won.map((d) => Date.parse(d.properties.closedate ?? '')));
    expect(Math.floor(lastClose / DAY)).toBe(Math.floor(TODAY.getTime() / DAY) - 2);
    // Every won deal belongs to a customer; customer 0001 made 4 purchases.
    expect(data.dealIdsOf(customers[0].id)).toHaveLength(4);
    const wonOwners = new Set(customers.flatMap((c) => data.dealIdsOf(c.id)));
    expect(won.every((d) => wonOwners.has(d.id))).toBe(true);

    const prospects = contacts.filter((c) => c.properties.email?.startsWith('prospect'));
    const active = prospects.filter((p) => {
      const openDeal = data.dealIdsOf(p.id).some((d) => data.getDeal(d)?.properties.hs_is_closed === 'false');
      const engaged = p.properties.notes_last_updated !== undefined && Date.parse(p.properties.notes_last_updated ?? '') >= TODAY.getTime() - 60 * DAY;
      return openDeal || engaged;
    });
    expect(active.length / prospects.length).toBeGreaterThan(0.4);
    expect(active.length / prospects.length).toBeLessThan(0.6);
    expect(deals.filter((d) => d.properties.dealstage === 'closedlost').length).toBeGreaterThan(3);
    expect(prospects.some((p) => data.dealIdsOf(p.id).some((d) => data.getDeal(d)?.properties.dealstage === 'closedwon'))).toBe(false);

    const promoters = customers.filter((c) => Number(c.properties.hs_feedback_last_nps_rating) >= 9);
    expect(promoters.length / CDNOW_CUSTOMERS).toBeGreaterThan(0.02);
    expect(promoters.length / CDNOW_CUSTOMERS).toBeLessThan(0.04);
    expect(customers.some((c) => c.properties.hs_feedback_last_nps_rating !== undefined && Number(c.properties.hs_feedback_last_nps_rating) < 9)).toBe(true);
  });

  it('gives everyone a documented Original source and a created date before anything else of theirs', () => {
    const sandbox = createHubSpotSandbox({ clock: () => TODAY.getTime() });
    seedDemoDataset(sandbox.data, { today: TODAY });
    const { data } = sandbox;
    const options = new Set(data.getProperty('contacts', 'hs_analytics_source')?.options?.map((o) => o.value));
    const bySource = new Map<string, number>();
    for (const id of data.contactIds()) {
      const p = data.getContact(id)?.properties ?? {};
      const created = Date.parse(p.createdate ?? '');
      expect(options.has(p.hs_analytics_source ?? ''), `contact ${id}`).toBe(true);
      bySource.set(p.hs_analytics_source ?? '', (bySource.get(p.hs_analytics_source ?? '') ?? 0) + 1);
      const engaged = p.notes_last_updated ?? null;
      if (engaged !== null) expect(created).toBeLessThanOrEqual(Date.parse(engaged));
      for (const d of data.dealIdsOf(id)) {
        const deal = data.getDeal(d)?.properties ?? {};
        expect(created, `contact ${id}, deal ${d}`).toBeLessThanOrEqual(Date.parse(deal.createdate ?? ''));
        expect(created).toBeLessThanOrEqual(Date.parse(deal.closedate ?? ''));
      }
    }
    // A mix, not one source for everybody.
    expect(bySource.size).toBeGreaterThanOrEqual(5);
    expect(Math.max(...bySource.values()) / data.contactIds().length).toBeLessThan(0.5);
  });

  it('is deterministic for a seed', () => {
    const snapshot = (seed: number) => {
      const sandbox = createHubSpotSandbox({ clock: () => TODAY.getTime() });
      seedDemoDataset(sandbox.data, { today: TODAY, seed, prospects: 50 });
      const { data } = sandbox;
      return [...data.contactIds().map((id) => data.getContact(id)?.properties), ...data.dealIds().map((id) => data.getDeal(id)?.properties)];
    };
    expect(snapshot(7)).toEqual(snapshot(7));
    expect(snapshot(7)).not.toEqual(snapshot(8));
  });
});

describe('benchmark scale', () => {
  it('seeds 100,000 contacts and about 300,000 deals quickly, then serves O(page) requests', async () => {
    const sandbox = createHubSpotSandbox({ limits: { tenSecondly: 100_000, searchPerSecond: 100_000 } });
    const started = performance.now();
    const counts = seedSyntheticDataset(sandbox.data, { contacts: 100_000, seed: 1, today: TODAY });
    const seedMs = performance.now() - started;
    expect(counts.contacts).toBe(100_000);
    expect(counts.deals).toBeGreaterThan(200_000);
    expect(counts.deals).toBeLessThan(400_000);
    expect(seedMs).toBeLessThan(30_000);

    const url = await sandbox.listen();
    const headers = { Authorization: 'Bearer sandbox-private-app-token', 'Content-Type': 'application/json' };
    const timed = async (path: string, body?: unknown): Promise<{ ms: number; json: Record<string, unknown> }> => {
      const t = performance.now();
      const res = await fetch(url + path, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const json = (await res.json()) as Record<string, unknown>;
      expect(res.status).toBe(200);
      return { ms: performance.now() - t, json };
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    try {
      const window = (after?: string) => ({
        filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: '0' }] }],
        sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
        properties: ['email'],
        limit: 200,
        ...(after === undefined ? {} : { after }),
      });
      let after: string | undefined;
      const searchTimes: number[] = [];
      for (let i = 0; i < 15; i++) {
        const { ms, json } = await timed('/crm/v3/objects/contacts/search', window(after));
        expect(json.total).toBe(100_000);
        after = (json.paging as { next: { after: string } }).next.after;
        if (i > 0) searchTimes.push(ms); // the first builds the sorted index once
      }
      const listTimes: number[] = [];
      for (const start of ['1001', '51001', '100900']) {
        listTimes.push((await timed(`/crm/v3/objects/contacts?limit=100&after=${start}&associations=deals`)).ms);
        listTimes.push((await timed(`/crm/v3/objects/deals?limit=100&after=${5_000_001 + 250_000}`)).ms);
      }
      const inputs = sandbox.data.dealIds().slice(-1000).map((id) => ({ id }));
      const assoc = await timed('/crm/v4/associations/deals/contacts/batch/read', { inputs });
      expect((assoc.json.results as unknown[]).length).toBe(1000);
      // Generous bounds for slow CI machines; locally these are a few milliseconds.
      expect(median(searchTimes)).toBeLessThan(50);
      expect(median(listTimes)).toBeLessThan(50);
      expect(assoc.ms).toBeLessThan(500);
    } finally {
      await sandbox.close();
    }
  });
});
