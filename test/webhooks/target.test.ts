/**
 * The webhook target, end to end on real HTTP: the service (as `npm start` runs it) with a HubSpot
 * sandbox subscribed as hubspot-app/src/app/webhooks/ declares. A sales rep sets an open deal to closed
 * won through the API; HubSpot's signed webhook reaches the endpoint, the drainer hands the deal to the
 * rescore (its contact read again by id, scored with the stored model) and the contact's stage, LTV,
 * churn risk and CLV are written within 10 s — and nothing else is written.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { signatureV3 } from '../../connectors/hubspot/signature.ts';
import { createHubSpotSandbox, DEFAULT_PRIVATE_APP_TOKEN, seedSyntheticDataset, type HubSpotSandbox, type WebhookSubscription } from '../../sandboxes/hubspot/index.ts';
import { startDemo, type Demo } from '../../src/service/demo.ts';
import { until } from '../until.ts';

const hsmeta = z.object({
  config: z.object({ subscriptions: z.object({ legacyCrmObjects: z.array(z.object({ subscriptionType: z.string(), propertyName: z.string().optional() })), hubEvents: z.array(z.object({ subscriptionType: z.string() })) }) }),
}).parse(JSON.parse(readFileSync(new URL('../../hubspot-app/src/app/webhooks/webhooks-hsmeta.json', import.meta.url), 'utf8')));
const subscriptions: WebhookSubscription[] = [...hsmeta.config.subscriptions.legacyCrmObjects, ...hsmeta.config.subscriptions.hubEvents];

/** The sandbox account's daily allowance: small, so the plugin's share of it (half) is a real bound. */
const DAILY = 5000;

let demo: Demo;
let sandbox: HubSpotSandbox | undefined;
let appSecret = '';

beforeAll(async () => {
  demo = await startDemo({
    env: { PORT: '0', ADMIN_TOKEN: 'target-test-admin-token-0123456789', LOG_LEVEL: 'error' },
    startSandbox: async (_crm, { publicUrl }) => {
      let offset = -3_600_000; // seeded an hour ago: the first sync's cursor is clearly after the seed
      const clientSecret = randomBytes(16).toString('hex');
      appSecret = clientSecret;
      const s = createHubSpotSandbox({ clock: () => Date.now() + offset, limits: { tenSecondly: 1000, searchPerSecond: 50, daily: DAILY } });
      seedSyntheticDataset(s.data, { contacts: 400, seed: 11, today: new Date() });
      offset = 0;
      s.setWebhooks({ targetUrl: `${publicUrl}/webhooks/hubspot`, clientSecret, appId: 1, subscriptions });
      const url = await s.listen(0, '127.0.0.1');
      sandbox = s;
      return { env: { HUBSPOT_ACCESS_TOKEN: DEFAULT_PRIVATE_APP_TOKEN, HUBSPOT_BASE_URL: url, HUBSPOT_CLIENT_SECRET: clientSecret }, description: 'test sandbox', close: () => s.close() };
    },
  });
}, 120_000);
afterAll(() => demo.close());

function crmValues(s: HubSpotSandbox): Map<string, Record<string, string | null>> {
  const out = new Map<string, Record<string, string | null>>();
  for (const id of s.data.contactIds()) {
    const props = s.data.getContact(id)?.properties ?? {};
    out.set(id, Object.fromEntries(Object.entries(props).filter(([k]) => k.startsWith('lcs_'))));
  }
  return out;
}

async function api(s: HubSpotSandbox, method: string, path: string, body: unknown): Promise<string> {
  const response = await fetch(`${s.url}${path}`, { method, headers: { authorization: `Bearer ${DEFAULT_PRIVATE_APP_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status, `${method} ${path}`).toBeLessThan(300);
  return z.object({ id: z.string() }).parse(await response.json()).id;
}

describe('a deal closed won, through HubSpot’s webhooks', () => {
  it('writes its contact’s stage, LTV, churn risk and CLV within 10 s, and nothing else', async () => {
    const s = sandbox;
    if (!s) throw new Error('no sandbox');
    // A new prospect with an open deal, entered by a rep: the webhooks alone bring them in and score them.
    const contactId = await api(s, 'POST', '/crm/v3/objects/contacts', { properties: { email: 'nora.prospect@example.com', firstname: 'Nora' } });
    const dealId = await api(s, 'POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'Nora renewal', pipeline: 'default', dealstage: 'appointmentscheduled', amount: '640.00', closedate: new Date(Date.now() + 30 * 86_400_000).toISOString() },
      associations: [{ to: { id: contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }] }],
    });
    await until('the new prospect scored', () => Promise.resolve(crmValues(s).get(contactId)?.lcs_stage === 'consideration' ? true : null), 20_000);
    await s.webhooks.idle();
    const before = crmValues(s);
    s.stats.reset();

    const closedAt = Date.now();
    const response = await fetch(`${s.url}/crm/v3/objects/deals/${dealId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${DEFAULT_PRIVATE_APP_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { dealstage: 'closedwon', closedate: new Date(closedAt).toISOString() } }),
    });
    expect(response.status).toBe(200);
    const written = await until('the contact written', () => Promise.resolve(crmValues(s).get(contactId)?.lcs_ltv === '640' ? crmValues(s).get(contactId) : null), 10_000);
    const elapsed = Date.now() - closedAt;
    expect(elapsed).toBeLessThan(10_000);
    expect(written).toMatchObject({ lcs_stage: 'purchase', lcs_ltv: '640' });
    expect(Number(written?.lcs_churn_risk)).toBeGreaterThanOrEqual(0);
    expect(Number(written?.lcs_predicted_clv)).toBeGreaterThan(0);
    // Our own write comes back as a webhook too (HubSpot may deliver it): it must not start another write.
    await s.webhooks.idle();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    for (const [id, values] of crmValues(s)) if (id !== contactId) expect(values, `contact ${id}`).toEqual(before.get(id));
    expect(s.stats.batchUpdateInputs, 'records sent in batch updates').toBe(1);
    // The run is the page's: a rescore, one record written.
    const runs = await (await fetch(`${demo.url}/api/runs`, { headers: { authorization: 'Bearer target-test-admin-token-0123456789' } })).json();
    const latest = z.object({ runs: z.array(z.object({ kind: z.string(), status: z.string(), stats: z.object({ written: z.number() }).passthrough() }).passthrough()) }).parse(runs).runs[0];
    expect(latest).toMatchObject({ kind: 'rescore', status: 'succeeded', stats: { written: 1 } });
    console.log(`HubSpot webhook: the contact was written ${elapsed} ms after the deal closed`);
  }, 60_000);

  it('absorbs a flood of 10,000 events about every contact without missing the one real change, within the quota share', async () => {
    const s = sandbox;
    if (!s) throw new Error('no sandbox');
    await s.webhooks.idle();
    const contacts = s.data.contactIds();
    // The one change that matters: a new customer's deal closed won, amid the noise.
    const buyer = await api(s, 'POST', '/crm/v3/objects/contacts', { properties: { email: 'flood.buyer@example.com' } });
    const deal = await api(s, 'POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'Flood order', pipeline: 'default', dealstage: 'appointmentscheduled', amount: '315.00' },
      associations: [{ to: { id: buyer }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }] }],
    });
    await until('the buyer scored', () => Promise.resolve(crmValues(s).get(buyer)?.lcs_stage ? true : null), 20_000);
    // The demo's first run scored as of an earlier day; a run today first, so a contact rescored today
    // has nothing to write unless its data moved (the "Run now" button, over the API).
    const admin = { authorization: 'Bearer target-test-admin-token-0123456789', 'content-type': 'application/json' };
    const started = z.object({ runId: z.string() }).parse(await (await fetch(`${demo.url}/api/sync`, { method: 'POST', headers: admin, body: '{}' })).json());
    const status = await until('today’s run', async () => {
      const { run } = z.object({ run: z.object({ status: z.string() }) }).parse(await (await fetch(`${demo.url}/api/runs/${started.runId}`, { headers: admin })).json());
      return run.status === 'running' || run.status === 'queued' ? null : run.status;
    }, 60_000);
    expect(status).toBe('succeeded');
    await s.webhooks.idle();
    await until('the run’s own webhooks drained', async () => ((await demo.context.store.pendingWebhookWork(demo.context.installations.installationId() ?? '', 10)).length === 0 ? true : null), 20_000);
    const before = crmValues(s);
    s.stats.reset();
    // 10,000 signed events (HubSpot's shape, 100 a request, 8 requests at a time) about every contact:
    // e-mail changes that move no score.
    const url = `${demo.url}/webhooks/hubspot`;
    const now = Date.now();
    const batches: Record<string, unknown>[][] = [];
    for (let i = 0; i < 10_000; i += 100) {
      batches.push(Array.from({ length: 100 }, (_, j) => ({
        eventId: 900_000 + i + j, subscriptionId: 5, portalId: s.portalId, appId: 1, occurredAt: now - 60_000 + Math.floor((i + j) * 6), attemptNumber: 0,
        subscriptionType: 'contact.propertyChange', objectId: Number(contacts[(i + j) % contacts.length]), propertyName: 'email', propertyValue: 'x@example.com', changeSource: 'CRM_UI', sourceId: 'userId:5',
      })));
    }
    let next = 0;
    const statuses: number[] = [];
    const sending = Promise.all(Array.from({ length: 8 }, async () => {
      while (next < batches.length) {
        const body = JSON.stringify(batches[next++]);
        const timestamp = String(Date.now());
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hubspot-request-timestamp': timestamp, 'x-hubspot-signature-v3': signatureV3({ method: 'POST', uri: url, body, timestamp }, appSecret) }, body });
        statuses.push(response.status);
      }
    }));
    const patched = await fetch(`${s.url}/crm/v3/objects/deals/${deal}`, { method: 'PATCH', headers: { authorization: `Bearer ${DEFAULT_PRIVATE_APP_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ properties: { dealstage: 'closedwon', closedate: new Date().toISOString() } }) });
    expect(patched.status).toBe(200);
    await sending;
    expect(statuses.filter((st) => st !== 204)).toEqual([]);
    const installationId = demo.context.installations.installationId() ?? '';
    await until('the flood drained', async () => ((await demo.context.store.pendingWebhookWork(installationId, 10)).length === 0 && crmValues(s).get(buyer)?.lcs_ltv === '315' ? true : null), 60_000);
    // The change was not missed; nobody else was written (the e-mail changes move no score).
    expect(crmValues(s).get(buyer)).toMatchObject({ lcs_stage: 'purchase', lcs_ltv: '315' });
    for (const [id, values] of crmValues(s)) if (id !== buyer) expect(values, `contact ${id}`).toEqual(before.get(id));
    // Coalesced: requests grow with the contacts concerned (a batch read of a hundred at a time), not
    // with the events; far inside the plugin's half of the day's allowance.
    console.log(`flood: ${contacts.length} contacts in 10,000 events cost ${s.stats.requests} CRM requests`);
    expect(s.stats.requests).toBeLessThan(150);
    expect(s.stats.requests).toBeLessThan(DAILY * 0.5);
    expect(s.stats.rateLimited).toMatchObject({ DAILY: 0, TEN_SECONDLY_ROLLING: 0 });
  }, 120_000);
});
