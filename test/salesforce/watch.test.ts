/**
 * The target on Salesforce, through the light watch (src/sync/watch.ts) over real HTTP (jsforce
 * against the sandbox): Salesforce cannot call in without Change Data Capture over the Pub/Sub API
 * (gRPC, which the sandbox does not serve), so the watch is the path. An open opportunity set to Closed
 * Won reaches its contact's stage, LTV, churn risk and CLV within 60 s, and nothing else is written.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { rescoreCustomers } from '../../src/sync/rescore.ts';
import { watchLoop, type WatchCycle } from '../../src/sync/watch.ts';
import { until } from '../until.ts';
import { createSalesforceHarness, type SalesforceHarness } from './harness.ts';

const COLLECTIONS = 'PATCH /services/data/{version}/composite/sobjects';

let h: SalesforceHarness | undefined;
let stop: AbortController | undefined;
afterEach(async () => {
  stop?.abort();
  await h?.close();
  h = undefined;
});

describe('the watch on Salesforce', () => {
  it('an open opportunity set to Closed Won: the contact is written within 60 s, nobody else; idle cycles cost a few requests', async () => {
    h = await createSalesforceHarness({ contacts: 250 });
    const harness = h;
    // A new prospect with one open opportunity, as a sales rep enters them.
    const accountId = harness.sandbox.data.createAccount({ Name: 'Prospect Ltd' });
    const contactId = harness.sandbox.data.createContact({ LastName: 'Prospect', FirstName: 'Nora', Email: 'nora@example.com', AccountId: accountId });
    const closeIn30Days = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const oppId = harness.sandbox.data.createOpportunity({ Name: 'Nora opportunity', Amount: 640, StageName: 'Prospecting', CloseDate: closeIn30Days, AccountId: accountId }, [contactId]);
    expect((await harness.sync()).status).toBe('succeeded');
    const before = harness.crmValues();
    expect(before.get(contactId)?.LCS_Stage__c).toBe('consideration');

    const { installationId, connector } = await harness.connector();
    const cycles: WatchCycle[] = [];
    stop = new AbortController();
    const loop = watchLoop({ store: harness.store, connector, installationId, classifier: harness.config.classifier, sync: harness.config.sync, log: createLogger({ level: 'warn' }), intervalSeconds: 5, signal: stop.signal, onCycle: (c) => cycles.push(c) });
    await until('two cycles', () => Promise.resolve(cycles.length >= 2 ? true : null), 30_000);
    const idle = cycles.slice(1).filter((c) => c.status === 'idle');
    expect(idle.length).toBeGreaterThan(0);
    for (const c of idle) expect(c.pullRequests, 'requests in an idle cycle').toBeLessThanOrEqual(4);
    harness.sandbox.stats.reset();

    const closedAt = Date.now();
    harness.sandbox.data.update('Opportunity', oppId, { StageName: 'Closed Won', CloseDate: new Date(closedAt).toISOString().slice(0, 10) });
    const written = await until('the contact written', () => Promise.resolve(Number(harness.crmValues().get(contactId)?.LCS_LTV__c) === 640 ? harness.crmValues().get(contactId) : null), 60_000);
    const elapsed = Date.now() - closedAt;
    stop.abort();
    await loop;
    expect(elapsed).toBeLessThan(60_000);
    expect(written?.LCS_Stage__c).toBe('purchase');
    expect(Number(written?.LCS_Churn_Risk__c)).toBeGreaterThanOrEqual(0);
    expect(Number(written?.LCS_Predicted_CLV__c)).toBeGreaterThan(0);
    const after = harness.crmValues();
    for (const [id, v] of after) if (id !== contactId) expect(v, `contact ${id}`).toEqual(before.get(id));
    expect(harness.sandbox.stats.byRoute[COLLECTIONS]).toBe(1);
    console.log(`Salesforce watch: written ${elapsed} ms after the opportunity closed; idle cycles sent ${idle.map((c) => c.pullRequests).join(', ')} requests`);
  }, 120_000);

  it('rescoreCustomers with refresh: the contact and its opportunities read by id (SOQL Id IN), only it written', async () => {
    h = await createSalesforceHarness({ contacts: 150 });
    const harness = h;
    const accountId = harness.sandbox.data.createAccount({ Name: 'Refresh Ltd' });
    const contactId = harness.sandbox.data.createContact({ LastName: 'Refresh', AccountId: accountId });
    const oppId = harness.sandbox.data.createOpportunity({ Name: 'Refresh opportunity', Amount: 320, StageName: 'Prospecting', CloseDate: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10), AccountId: accountId }, [contactId]);
    expect((await harness.sync()).status).toBe('succeeded');
    const before = harness.crmValues();
    harness.sandbox.data.update('Opportunity', oppId, { StageName: 'Closed Won', CloseDate: new Date().toISOString().slice(0, 10) });
    harness.sandbox.stats.reset();
    const { installationId, connector } = await harness.connector();
    const outcome = await rescoreCustomers({ store: harness.store, connector, installationId, customerIds: [contactId], refresh: true, classifier: harness.config.classifier, sync: harness.config.sync, log: createLogger({ level: 'warn' }) });
    if (outcome.status !== 'done') throw new Error(`not rescored: ${JSON.stringify(outcome)}`);
    expect(outcome.summary).toMatchObject({ kind: 'rescore', status: 'succeeded', written: 1, pulled: { customers: 1, deals: 1 } });
    expect(harness.crmValues().get(contactId)?.LCS_Stage__c).toBe('purchase');
    expect(Number(harness.crmValues().get(contactId)?.LCS_LTV__c)).toBe(320);
    for (const [id, v] of harness.crmValues()) if (id !== contactId) expect(v, `contact ${id}`).toEqual(before.get(id));
    expect(harness.sandbox.stats.byRoute[COLLECTIONS]).toBe(1);
    expect(harness.sandbox.stats.requests).toBeLessThanOrEqual(7);
  }, 60_000);
});
