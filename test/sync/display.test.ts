/**
 * Who a customer is, kept with it: a sync pulls each customer's name, e-mail and company (HubSpot
 * firstname/lastname/email/company; Salesforce Contact Name, Email and Account.Name, or an Account's
 * Name) into the store, on SQLite and Postgres, and `explain` shows them. Never used to score.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../hubspot/harness.ts';
import { createSalesforceHarness, type SalesforceHarness } from '../salesforce/harness.ts';

const open: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const h of open) await h.close();
});

describe('display fields', () => {
  for (const store of ['sqlite', 'postgres'] as const) {
    it(`HubSpot: name and e-mail of every contact, after a dry run (${store})`, async () => {
      const h: Harness = await createHarness({ dataset: { contacts: 20 }, store });
      open.push(h);
      // A company on one contact, as an admin would have typed it (with stray spaces).
      const [first] = h.sandbox.data.contactIds();
      h.sandbox.data.updateContact(first ?? '', { company: '  Acme   Corp ' });
      expect((await h.sync({ dryRun: true })).status).toBe('succeeded');
      for (const id of h.sandbox.data.contactIds()) {
        const props = h.sandbox.data.getContact(id)?.properties ?? {};
        const stored = await h.store.getCustomer('hubspot', id);
        expect(stored?.display, id).toEqual({
          name: `${props.firstname} ${props.lastname}`,
          email: props.email,
          ...(id === first ? { company: 'Acme Corp' } : {}),
        });
      }
    });
  }

  for (const via of ['rest', 'bulk'] as const) {
    it(`Salesforce: a Contact’s Name, Email and its Account’s Name (${via === 'rest' ? 'REST: nested JSON' : 'Bulk API 2.0: a dotted CSV column'})`, async () => {
    const h: SalesforceHarness = await createSalesforceHarness({ contacts: 15, config: via === 'bulk' ? { salesforce: { bulkQueryThreshold: 1, bulkPollMs: 50 } } : {} });
    open.push(h);
    expect((await h.sync({ dryRun: true })).status).toBe('succeeded');
    let withAccount = 0;
    for (const id of h.sandbox.data.ids('Contact')) {
      const c = h.sandbox.data.get('Contact', id) ?? {};
      const account = typeof c.AccountId === 'string' ? h.sandbox.data.get('Account', c.AccountId) : undefined;
      if (account) withAccount += 1;
      const stored = await h.store.getCustomer('salesforce', id);
      expect(stored?.display, id).toEqual({ name: `${String(c.FirstName)} ${String(c.LastName)}`, email: c.Email, ...(account ? { company: account.Name } : {}) });
    }
    expect(withAccount).toBeGreaterThan(0);
      // Where a record opens in Lightning, for the page's link.
      const verified = await (await h.connector()).connector.verify();
      expect(verified.ok && verified.recordUrl).toBe(`${h.url}/lightning/r/Contact/{id}/view`);
    });
  }

  it('Salesforce with Accounts as customers: the Account’s Name', async () => {
    const h: SalesforceHarness = await createSalesforceHarness({ contacts: 10, config: { salesforce: { customerObject: 'Account' } } });
    open.push(h);
    expect((await h.sync({ dryRun: true })).status).toBe('succeeded');
    const ids = h.sandbox.data.ids('Account');
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect((await h.store.getCustomer('salesforce', id))?.display).toEqual({ name: h.sandbox.data.get('Account', id)?.Name });
  });
});
