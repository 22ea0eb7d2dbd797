/**
 * The target on HubSpot, through the light watch (src/sync/watch.ts) over real HTTP: an open deal
 * set to closed won in the sandbox reaches its contact's stage, LTV, churn risk and CLV within 60 s,
 * and nothing else is written (the sandbox's batch-update counters). Idle cycles cost a few requests.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { rescoreCustomers } from '../../src/sync/rescore.ts';
import { watchLoop, type WatchCycle } from '../../src/sync/watch.ts';
import { until } from '../until.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness | undefined;
let stop: AbortController | undefined;
afterEach(async () => {
  stop?.abort();
  await h?.close();
  h = undefined;
});

/** A new prospect with one open deal, as a sales rep enters them. */
function prospect(harness: Harness): { contactId: string; dealId: string } {
  const contactId = harness.sandbox.data.createContact({ email: 'new.prospect@example.com', firstname: 'Nora', lastname: 'Prospect' });
  const closeIn30Days = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const dealId = harness.sandbox.data.createDeal({ dealname: 'Nora opportunity', amount: '640.00', pipeline: 'default', dealstage: 'appointmentscheduled', closedate: closeIn30Days }, [contactId]);
  return { contactId, dealId };
}

describe('the watch on HubSpot', () => {
  it('an open deal set to closed won: the contact is written within 60 s, nobody else; idle cycles cost a few requests', async () => {
    h = await createHarness({ dataset: { contacts: 300 } });
    const harness = h;
    const { contactId, dealId } = prospect(harness);
    expect((await harness.sync()).status).toBe('succeeded');
    const before = harness.crmValues();
    expect(before.get(contactId)?.lcs_stage).toBe('consideration');
    const { installationId, connector } = await harness.connector();
    const cycles: WatchCycle[] = [];
    stop = new AbortController();
    const loop = watchLoop({ store: harness.store, connector, installationId, classifier: harness.config.classifier, sync: harness.config.sync, log: createLogger({ level: 'warn' }), intervalSeconds: 5, signal: stop.signal, onCycle: (c) => cycles.push(c) });
    // Two cycles with nothing changed: what an idle cycle costs.
    await until('two idle cycles', () => Promise.resolve(cycles.length >= 2 ? true : null), 30_000);
    const idle = cycles.slice(1).filter((c) => c.status === 'idle');
    expect(idle.length).toBeGreaterThan(0);
    for (const c of idle) expect(c.pullRequests, 'requests in an idle cycle').toBeLessThanOrEqual(4);
    harness.sandbox.stats.reset();

    const closedAt = Date.now();
    harness.sandbox.data.updateDeal(dealId, { dealstage: 'closedwon', closedate: new Date(closedAt).toISOString(), amount: '640.00' });
    const written = await until('the contact written', () => Promise.resolve(harness.crmValues().get(contactId)?.lcs_ltv === '640' ? harness.crmValues().get(contactId) : null), 60_000);
    const elapsed = Date.now() - closedAt;
    stop.abort();
    await loop;
    expect(elapsed).toBeLessThan(60_000);
    expect(written).toMatchObject({ lcs_stage: 'purchase', lcs_ltv: '640' });
    expect(Number(written?.lcs_churn_risk)).toBeGreaterThanOrEqual(0);
    expect(Number(written?.lcs_predicted_clv)).toBeGreaterThan(0);
    const after = harness.crmValues();
    for (const [id, v] of after) if (id !== contactId) expect(v, `contact ${id}`).toEqual(before.get(id));
    expect(harness.sandbox.stats.batchUpdateInputs).toBe(1);
    console.log(`HubSpot watch: written ${elapsed} ms after the deal closed; idle cycles sent ${idle.map((c) => c.pullRequests).join(', ')} requests`);
  }, 120_000);

  it('rescoreCustomers with refresh (the webhook path): the contact and its deals read by id, only it written', async () => {
    h = await createHarness({ dataset: { contacts: 200 } });
    const harness = h;
    const { contactId, dealId } = prospect(harness);
    expect((await harness.sync()).status).toBe('succeeded');
    const before = harness.crmValues();
    harness.sandbox.data.updateDeal(dealId, { dealstage: 'closedwon', closedate: new Date().toISOString() });
    harness.sandbox.stats.reset();
    const { installationId, connector } = await harness.connector();
    const outcome = await rescoreCustomers({ store: harness.store, connector, installationId, customerIds: [contactId], refresh: true, classifier: harness.config.classifier, sync: harness.config.sync, log: createLogger({ level: 'warn' }) });
    if (outcome.status !== 'done') throw new Error(`not rescored: ${JSON.stringify(outcome)}`);
    expect(outcome.summary).toMatchObject({ kind: 'rescore', status: 'succeeded', written: 1, pulled: { customers: 1, deals: 1 } });
    expect(harness.crmValues().get(contactId)).toMatchObject({ lcs_stage: 'purchase', lcs_ltv: '640' });
    for (const [id, v] of harness.crmValues()) if (id !== contactId) expect(v, `contact ${id}`).toEqual(before.get(id));
    // By id: the contact, its deals' ids, the deals, their contacts, the pipelines; then one write.
    expect(harness.sandbox.stats.requests).toBeLessThanOrEqual(7);
    expect(harness.sandbox.stats.batchUpdateInputs).toBe(1);
  }, 60_000);
});
