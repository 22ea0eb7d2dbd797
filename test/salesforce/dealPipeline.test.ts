/**
 * The open-deal pipeline against the Salesforce sandbox over real HTTP: a sync with deal scoring stores
 * every open Opportunity's scores with its Name and StageName (closed ones are not in the pipeline), and
 * the credentials check links a deal to its Opportunity record.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSalesforceHarness, type SalesforceHarness } from './harness.ts';

let h: SalesforceHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const isClosed = (r: Record<string, unknown>) => typeof r.StageName === 'string' && r.StageName.startsWith('Closed');

describe('the open-deal pipeline on Salesforce', () => {
  it('stores every open Opportunity\u2019s scores with its name and stage', async () => {
    const x = (h = await createSalesforceHarness({ contacts: 10, config: { sync: { deals: { enabled: true } } } }));
    const added = x.sandbox.data.createOpportunity({ Name: 'Wayne Enterprises  upgrade', Amount: 7300, StageName: 'Needs Analysis', CloseDate: '2027-03-01' });
    x.sandbox.data.createOpportunity({ Name: 'Lost cause', Amount: 100, StageName: 'Closed Lost', CloseDate: '2026-10-01' });
    const summary = await x.sync();
    expect(summary.status).toBe('succeeded');
    const open = x.sandbox.data
      .ids('Opportunity')
      .map((id): Record<string, unknown> & { id: string } => ({ ...(x.sandbox.data.get('Opportunity', id) ?? {}), id }))
      .filter((r) => !isClosed(r));
    const { installationId, connector } = await x.connector();
    const stored = await x.store.openDeals(installationId, { sort: 'amount', order: 'desc', offset: 0, limit: 1000 });
    expect(new Set(stored.rows.map((r) => r.dealId))).toEqual(new Set(open.map((r) => r.id)));
    for (const r of stored.rows) {
      const o = open.find((d) => d.id === r.dealId);
      expect(r.stage, r.dealId).toBe(o?.StageName);
      expect(r.name?.length, r.dealId).toBeGreaterThan(0);
    }
    // Spaces as people read them.
    expect(stored.rows.find((r) => r.dealId === added)).toMatchObject({ name: 'Wayne Enterprises upgrade', stage: 'Needs Analysis', amount: 7300 });
    const verified = await connector.verify();
    expect(verified.ok && verified.dealRecordUrl).toBe(`${x.url}/lightning/r/Opportunity/{id}/view`);
  });
});
