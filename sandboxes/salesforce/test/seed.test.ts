// The demo and benchmark datasets (the same people and deals as the HubSpot sandbox's), and the
// sandbox's speed at benchmark scale: a sanity bound, not a benchmark.
import { describe, expect, it } from 'vitest';
import { createHubSpotSandbox, seedDemoDataset as seedHubSpotDemo } from '../../hubspot/index.ts';
import { createSalesforceSandbox, seedDemoDataset, seedSyntheticDataset, type SandboxData } from '../index.ts';
import { asQuery, call, soql, start } from './helpers.ts';

const CDNOW_CUSTOMERS = 2357;
const CDNOW_ROWS = 6919;
const TODAY = new Date('2026-06-10T08:00:00Z');
const DAY = 86_400_000;

function records(data: SandboxData, object: string) {
  return data.ids(object).map((id) => data.get(object, id)).filter((r) => r !== undefined);
}

describe('demo dataset', () => {
  it('has the CDNOW customers with one won opportunity per purchase, and prospects', () => {
    const sandbox = createSalesforceSandbox({ clock: () => TODAY.getTime() });
    const counts = seedDemoDataset(sandbox.data, { today: TODAY });
    const { data } = sandbox;
    const contacts = records(data, 'Contact');
    const customers = contacts.filter((c) => /^customer\d{4}@example\.com$/.test(String(c.Email)));
    expect(customers).toHaveLength(CDNOW_CUSTOMERS);
    expect(contacts).toHaveLength(counts.contacts);
    expect(counts.contacts).toBe(CDNOW_CUSTOMERS + 300);
    expect(records(data, 'Account')).toHaveLength(counts.contacts);

    const opportunities = records(data, 'Opportunity');
    expect(opportunities).toHaveLength(counts.deals);
    const won = opportunities.filter((o) => o.StageName === 'Closed Won');
    expect(won).toHaveLength(CDNOW_ROWS);
    expect(won.every((o) => o.IsWon === true && o.IsClosed === true)).toBe(true);
    // The sample's last day (1998-06-30) is two days before today.
    const lastClose = won.map((o) => String(o.CloseDate)).sort().at(-1);
    expect(lastClose).toBe(new Date(TODAY.getTime() - 2 * DAY).toISOString().slice(0, 10));
    // Each opportunity's primary contact role points at its customer, on the customer's account.
    const first = customers[0];
    expect(first.Email).toBe('customer0001@example.com');
    const firstOpps = data.opportunityIdsOf(String(first.Id));
    expect(firstOpps).toHaveLength(4);
    expect(firstOpps.every((o) => data.get('Opportunity', o)?.AccountId === first.AccountId)).toBe(true);

    const prospects = contacts.filter((c) => String(c.Email).startsWith('prospect'));
    const active = prospects.filter((p) => {
      const open = data.opportunityIdsOf(String(p.Id)).some((o) => data.get('Opportunity', o)?.IsClosed === false);
      const engaged = typeof p.LastActivityDate === 'string' && Date.parse(p.LastActivityDate) >= TODAY.getTime() - 61 * DAY;
      return open || engaged;
    });
    expect(active.length / prospects.length).toBeGreaterThan(0.4);
    expect(active.length / prospects.length).toBeLessThan(0.6);
    expect(opportunities.filter((o) => o.StageName === 'Closed Lost').length).toBeGreaterThan(3);
    const promoters = customers.filter((c) => Number(c.NPS_Score__c) >= 9);
    expect(promoters.length / CDNOW_CUSTOMERS).toBeGreaterThan(0.02);
    expect(promoters.length / CDNOW_CUSTOMERS).toBeLessThan(0.04);
  });

  it('is the HubSpot sandbox’s demo dataset, record for record', () => {
    const sf = createSalesforceSandbox({ clock: () => TODAY.getTime() });
    seedDemoDataset(sf.data, { today: TODAY, seed: 3, prospects: 40 });
    const hs = createHubSpotSandbox({ clock: () => TODAY.getTime() });
    seedHubSpotDemo(hs.data, { today: TODAY, seed: 3, prospects: 40 });
    const sfPeople = records(sf.data, 'Contact').map((c) => [c.Email, c.FirstName, c.LastName]);
    const hsPeople = hs.data.contactIds().map((id) => hs.data.getContact(id)?.properties).map((p) => [p?.email, p?.firstname, p?.lastname]);
    expect(sfPeople).toEqual(hsPeople);
    const sfAmounts = records(sf.data, 'Opportunity').map((o) => Number(o.Amount).toFixed(2));
    const hsAmounts = hs.data.dealIds().map((id) => Number(hs.data.getDeal(id)?.properties.amount).toFixed(2));
    expect(sfAmounts).toEqual(hsAmounts);
  });

  it('is deterministic for a seed', () => {
    const snapshot = (seed: number) => {
      const sandbox = createSalesforceSandbox({ clock: () => TODAY.getTime() });
      seedDemoDataset(sandbox.data, { today: TODAY, seed, prospects: 50 });
      return [...records(sandbox.data, 'Contact'), ...records(sandbox.data, 'Opportunity'), ...records(sandbox.data, 'OpportunityContactRole')];
    };
    expect(snapshot(7)).toEqual(snapshot(7));
    expect(snapshot(7)).not.toEqual(snapshot(8));
  });
});

describe('benchmark scale', () => {
  it('seeds 100,000 contacts and about 300,000 opportunities in seconds, then pages in O(page)', async () => {
    let seeded: { contacts: number; deals: number } = { contacts: 0, deals: 0 };
    let seedMs = 0;
    const s = await start({ clock: () => TODAY.getTime(), limits: { dailyApiRequests: 1_000_000 } }, (sb) => {
      const started = performance.now();
      seeded = seedSyntheticDataset(sb.data, { contacts: 100_000, seed: 1, today: TODAY });
      seedMs = performance.now() - started;
    });
    try {
      expect(seeded.contacts).toBe(100_000);
      expect(seeded.deals).toBeGreaterThan(250_000);
      expect(seeded.deals).toBeLessThan(400_000);
      // Generous for a loaded CI machine; the sandbox README has measured figures.
      expect(seedMs).toBeLessThan(45_000);
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const timed = async (f: () => Promise<unknown>) => {
        const t = performance.now();
        await f();
        return performance.now() - t;
      };
      // A full pull of opportunities: the first batch scans, every later one is a slice of the cursor.
      let next = asQuery(await soql(s.url, 'SELECT Id, Amount, CloseDate, StageName, AccountId FROM Opportunity')).nextRecordsUrl;
      const pages: number[] = [];
      for (let i = 0; i < 10 && next !== undefined; i++) {
        const url = next;
        pages.push(await timed(async () => {
          next = asQuery(await call(s.url, 'GET', url)).nextRecordsUrl;
        }));
      }
      // An incremental window on SystemModstamp walks only the index range it asks for.
      const windows: number[] = [];
      for (let i = 0; i < 10; i++) {
        windows.push(await timed(async () => {
          const r = asQuery(await soql(s.url, 'SELECT Id, Email FROM Contact WHERE SystemModstamp >= 2026-06-10T08:00:00Z ORDER BY SystemModstamp, Id LIMIT 200'));
          expect(r.records).toHaveLength(200);
        }));
      }
      const ids = asQuery(await soql(s.url, 'SELECT Id FROM Contact LIMIT 200')).records.map((r) => String(r.Id));
      const retrieve = await timed(() => call(s.url, 'POST', '/composite/sobjects/Contact', { body: { ids, fields: ['Email'] } }));
      expect(median(pages)).toBeLessThan(150);
      expect(median(windows.slice(1))).toBeLessThan(150);
      expect(retrieve).toBeLessThan(500);
    } finally {
      await s.close();
    }
  });
});
