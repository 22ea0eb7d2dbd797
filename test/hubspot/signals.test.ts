/**
 * What the conversion model reads besides purchases reaches the store from HubSpot: a contact's (or
 * company's) created day from `createdate`, its lead source from `hs_analytics_source` (or the property
 * the admin mapped), and each deal's created day from its `createdate`, in full and incremental pulls and
 * in a read by id.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PulledPage } from '../../connectors/contract/index.ts';
import { createHarness, type Harness } from './harness.ts';

const DAY = 86_400_000;
const dayOf = (iso: string) => Math.floor(Date.parse(iso) / DAY);

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function drain(pages: AsyncIterable<PulledPage>): Promise<PulledPage> {
  const all: PulledPage = { customers: [], deals: [], problems: [], cursor: {} };
  for await (const p of pages) {
    all.customers.push(...p.customers);
    all.deals.push(...p.deals);
    all.problems.push(...p.problems);
  }
  return all;
}

describe('HubSpot: created day and lead source', () => {
  it('a sync stores every contact with its created day and lead source, and every deal with its created day (the seed: created on or before the first purchase)', async () => {
    h = await createHarness({ dataset: { contacts: 40 } });
    const harness = h;
    const run = await harness.sync();
    expect(run.status).toBe('succeeded');
    const { installationId } = await harness.connector();
    const sources = new Set<string>();
    for (const id of harness.sandbox.data.contactIds()) {
      const contact = harness.sandbox.data.getContact(id);
      const stored = await harness.store.getCustomer(installationId, id);
      const createdate = contact?.properties.createdate ?? '';
      const source = contact?.properties.hs_analytics_source ?? '';
      expect(stored?.signals, `contact ${id}`).toMatchObject({ createdDay: dayOf(createdate), leadSource: source });
      sources.add(source);
      const deals = await harness.store.dealsOf(installationId, id);
      expect(deals.length).toBeGreaterThan(0);
      for (const d of deals) {
        expect(d.createdDay, `deal ${d.recordId}`).toBe(dayOf(harness.sandbox.data.getDeal(d.recordId)?.properties.createdate ?? ''));
        if (d.status === 'won') expect(stored?.signals.createdDay ?? Infinity).toBeLessThanOrEqual(d.closeDay ?? -Infinity);
      }
    }
    // The seed's sources are HubSpot's documented internal values, more than one of them.
    expect(sources.size).toBeGreaterThan(1);
    for (const s of sources) expect(['ORGANIC_SEARCH', 'PAID_SEARCH', 'EMAIL_MARKETING', 'SOCIAL_MEDIA', 'REFERRALS', 'OTHER_CAMPAIGNS', 'DIRECT_TRAFFIC', 'OFFLINE', 'PAID_SOCIAL']).toContain(s);
  }, 60_000);

  it('full, incremental and by-id pulls read them; a prospect without a source has none', async () => {
    h = await createHarness({ dataset: { contacts: 10 } });
    const { data } = h.sandbox;
    const prospect = data.createContact({ email: 'prospect@example.com', createdate: '2026-03-02T10:00:00.000Z', hs_analytics_source: 'REFERRALS' });
    const bare = data.createContact({ email: 'bare@example.com', createdate: '2026-04-05T23:59:00.000Z' });
    const deal = data.createDeal({ dealname: 'Trial', amount: '300', pipeline: 'default', dealstage: 'qualifiedtobuy', createdate: '2026-05-01T08:00:00.000Z', closedate: '2027-01-01T12:00:00.000Z' }, [prospect]);
    const { connector } = await h.connector();

    const full = await drain(connector.pull({ mode: 'full', fields: [], resume: null, since: null }));
    expect(full.problems).toEqual([]);
    expect(full.customers.find((c) => c.recordId === prospect)?.signals).toMatchObject({ createdDay: dayOf('2026-03-02T00:00:00Z'), leadSource: 'REFERRALS' });
    const bareSignals = full.customers.find((c) => c.recordId === bare)?.signals;
    expect(bareSignals?.createdDay).toBe(dayOf('2026-04-05T00:00:00Z'));
    expect(bareSignals?.leadSource).toBeUndefined();
    expect(full.deals.find((d) => d.recordId === deal)).toMatchObject({ status: 'open', createdDay: dayOf('2026-05-01T00:00:00Z') });

    // A minute later the admin sets the source by hand (HubSpot allows it): the next incremental pull has the new one.
    h.setClockOffset(60_000);
    const since = data.now();
    data.updateContact(prospect, { hs_analytics_source: 'OFFLINE' });
    const incremental = await drain(connector.pull({ mode: 'incremental', fields: [], resume: null, since }));
    expect(incremental.customers.map((c) => [c.recordId, c.signals.leadSource, c.signals.createdDay])).toEqual([[prospect, 'OFFLINE', dayOf('2026-03-02T00:00:00Z')]]);

    const byId = await connector.pullCustomers?.({ customerIds: [prospect, bare], fields: [] });
    const read = new Map(byId?.customers.map((c) => [c.recordId, [c.signals.createdDay, c.signals.leadSource ?? null]]));
    expect(read).toEqual(new Map([
      [prospect, [dayOf('2026-03-02T00:00:00Z'), 'OFFLINE']],
      [bare, [dayOf('2026-04-05T00:00:00Z'), null]],
    ]));
    expect(byId?.deals.map((d) => [d.recordId, d.createdDay])).toEqual([[deal, dayOf('2026-05-01T00:00:00Z')]]);
  }, 60_000);

  it('the lead source follows hubspot.signals.leadSource: another property, or none', async () => {
    h = await createHarness({ dataset: { contacts: 5 }, config: { hubspot: { signals: { leadSource: 'lifecyclestage' } } } });
    const id = h.sandbox.data.createContact({ email: 'mapped@example.com', lifecyclestage: 'salesqualifiedlead', hs_analytics_source: 'PAID_SEARCH' });
    const mapped = await (await h.connector()).connector.pullCustomers?.({ customerIds: [id], fields: [] });
    expect(mapped?.customers[0]?.signals.leadSource).toBe('salesqualifiedlead');
    await h.close();

    h = await createHarness({ dataset: { contacts: 5 }, config: { hubspot: { signals: { leadSource: null } } } });
    const other = h.sandbox.data.createContact({ email: 'unread@example.com', hs_analytics_source: 'PAID_SEARCH' });
    const unread = await (await h.connector()).connector.pullCustomers?.({ customerIds: [other], fields: [] });
    expect(unread?.customers[0]?.signals.leadSource).toBeUndefined();
    expect(typeof unread?.customers[0]?.signals.createdDay).toBe('number');
  }, 60_000);

  it('companies as the customers: the company’s own createdate and source', async () => {
    h = await createHarness({ dataset: { contacts: 10 }, b2b: true, config: { hubspot: { customerObject: 'companies' } } });
    const company = h.sandbox.data.createCompany({ name: 'Source Ltd', domain: 'source.example.com', createdate: '2025-12-24T06:00:00.000Z', hs_analytics_source: 'ORGANIC_SEARCH' });
    const page = await (await h.connector()).connector.pullCustomers?.({ customerIds: [company], fields: [] });
    expect(page?.problems).toEqual([]);
    expect(page?.customers[0]?.signals).toMatchObject({ createdDay: dayOf('2025-12-24T00:00:00Z'), leadSource: 'ORGANIC_SEARCH' });
  }, 60_000);
});
