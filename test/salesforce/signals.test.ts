/**
 * What the conversion model reads besides purchases reaches the store from Salesforce: a Contact's created
 * day from CreatedDate and its lead source from LeadSource (an Account's from AccountSource, or the field
 * the admin mapped), each Opportunity's created day from its CreatedDate: through REST and Bulk API 2.0
 * full pulls, incremental pulls and reads by id.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PulledPage } from '../../connectors/contract/index.ts';
import { createSalesforceHarness, type SalesforceHarness } from './harness.ts';

const DAY = 86_400_000;
const dayOf = (iso: string) => Math.floor(Date.parse(iso) / DAY);
const SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];

let h: SalesforceHarness | null = null;
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

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

describe('Salesforce: created day and lead source', () => {
  for (const via of ['REST', 'Bulk API 2.0'] as const) {
    it(`a sync (${via}) stores every Contact with its created day and lead source, every Opportunity with its created day`, async () => {
      h = await createSalesforceHarness({ contacts: 40, config: via === 'REST' ? {} : { salesforce: { bulkQueryThreshold: 0 } } });
      const harness = h;
      expect((await harness.sync()).status).toBe('succeeded');
      const { installationId } = await harness.connector();
      const sources = new Set<string>();
      for (const id of harness.sandbox.data.ids('Contact')) {
        const contact = harness.sandbox.data.get('Contact', id) ?? {};
        const stored = await harness.store.getCustomer(installationId, id);
        expect(stored?.signals, `Contact ${id}`).toMatchObject({ createdDay: dayOf(text(contact.CreatedDate)), leadSource: contact.LeadSource });
        sources.add(text(contact.LeadSource));
        const deals = await harness.store.dealsOf(installationId, id);
        expect(deals.length).toBeGreaterThan(0);
        for (const d of deals) {
          expect(d.createdDay, `Opportunity ${d.recordId}`).toBe(dayOf(text(harness.sandbox.data.get('Opportunity', d.recordId)?.CreatedDate)));
          // The seed creates a person on or before their first purchase.
          if (d.status === 'won') expect(stored?.signals.createdDay ?? Infinity).toBeLessThanOrEqual(d.closeDay ?? -Infinity);
        }
      }
      expect(sources.size).toBeGreaterThan(1);
      for (const s of sources) expect(SOURCES).toContain(s);
    }, 90_000);
  }

  it('full, incremental and by-id pulls read them; a Contact without a lead source has none', async () => {
    h = await createSalesforceHarness({ contacts: 10 });
    const { data } = h.sandbox;
    const accountId = data.createAccount({ Name: 'Prospect Household' });
    const prospect = data.createContact({ LastName: 'Prospect', AccountId: accountId, LeadSource: 'Partner Referral', CreatedDate: '2026-03-02T10:00:00.000Z' });
    const bare = data.createContact({ LastName: 'Bare', AccountId: accountId, CreatedDate: '2026-04-05T23:59:00.000Z' });
    const opp = data.createOpportunity({ Name: 'Trial', AccountId: accountId, StageName: 'Qualification', CloseDate: '2027-01-01', Amount: 300, CreatedDate: '2026-05-01T08:00:00.000Z' }, [prospect]);
    const { connector } = await h.connector();

    const full = await drain(connector.pull({ mode: 'full', fields: [], resume: null, since: null }));
    expect(full.problems).toEqual([]);
    expect(full.customers.find((c) => c.recordId === prospect)?.signals).toMatchObject({ createdDay: dayOf('2026-03-02T00:00:00Z'), leadSource: 'Partner Referral' });
    const bareSignals = full.customers.find((c) => c.recordId === bare)?.signals;
    expect(bareSignals?.createdDay).toBe(dayOf('2026-04-05T00:00:00Z'));
    expect(bareSignals?.leadSource).toBeUndefined();
    expect(full.deals.find((d) => d.recordId === opp)).toMatchObject({ status: 'open', createdDay: dayOf('2026-05-01T00:00:00Z') });

    // A minute later a rep sets the lead source: the next incremental pull has it.
    h.setClockOffset(60_000);
    const since = data.now();
    h.setClockOffset(61_000);
    data.update('Contact', prospect, { LeadSource: 'Phone Inquiry' });
    const incremental = await drain(connector.pull({ mode: 'incremental', fields: [], resume: null, since }));
    expect(incremental.customers.map((c) => [c.recordId, c.signals.leadSource, c.signals.createdDay])).toEqual([[prospect, 'Phone Inquiry', dayOf('2026-03-02T00:00:00Z')]]);

    const byId = await connector.pullCustomers?.({ customerIds: [prospect, bare], fields: [] });
    const read = new Map(byId?.customers.map((c) => [c.recordId, [c.signals.createdDay, c.signals.leadSource ?? null]]));
    expect(read).toEqual(new Map([
      [prospect, [dayOf('2026-03-02T00:00:00Z'), 'Phone Inquiry']],
      [bare, [dayOf('2026-04-05T00:00:00Z'), null]],
    ]));
    expect(byId?.deals.map((d) => [d.recordId, d.createdDay])).toEqual([[opp, dayOf('2026-05-01T00:00:00Z')]]);
  }, 60_000);

  it('Accounts as the customers read AccountSource; salesforce.signals.leadSource maps another field, or none', async () => {
    h = await createSalesforceHarness({ contacts: 5, config: { salesforce: { customerObject: 'Account' } } });
    const account = h.sandbox.data.createAccount({ Name: 'Source Ltd', AccountSource: 'Web', CreatedDate: '2025-12-24T06:00:00.000Z' });
    const page = await (await h.connector()).connector.pullCustomers?.({ customerIds: [account], fields: [] });
    expect(page?.problems).toEqual([]);
    expect(page?.customers[0]?.signals).toMatchObject({ createdDay: dayOf('2025-12-24T00:00:00Z'), leadSource: 'Web' });
    await h.close();

    h = await createSalesforceHarness({ contacts: 5, config: { salesforce: { signals: { leadSource: 'Title' } } } });
    const mapped = h.sandbox.data.createContact({ LastName: 'Mapped', Title: 'Trade show 2026', LeadSource: 'Web' });
    const mappedPage = await (await h.connector()).connector.pullCustomers?.({ customerIds: [mapped], fields: [] });
    expect(mappedPage?.customers[0]?.signals.leadSource).toBe('Trade show 2026');
    await h.close();

    h = await createSalesforceHarness({ contacts: 5, config: { salesforce: { signals: { leadSource: null } } } });
    const unread = h.sandbox.data.createContact({ LastName: 'Unread', LeadSource: 'Web' });
    const unreadPage = await (await h.connector()).connector.pullCustomers?.({ customerIds: [unread], fields: [] });
    expect(unreadPage?.customers[0]?.signals.leadSource).toBeUndefined();
    expect(typeof unreadPage?.customers[0]?.signals.createdDay).toBe('number');
  }, 60_000);
});
