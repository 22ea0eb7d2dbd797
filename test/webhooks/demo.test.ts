/**
 * The demo (`npm start`) on its HubSpot sandbox exercises the real webhook path: a deal changed through
 * the sandbox's API reaches the demo's endpoint signed with the app's secret and is recorded as work for
 * its installation. (No rescore handler is given to the demo here: the work stays pending, to be seen.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoSandbox } from '../../sandboxes/demo.ts';
import { DEFAULT_PRIVATE_APP_TOKEN } from '../../sandboxes/hubspot/index.ts';
import { startDemo, type Demo } from '../../src/service/demo.ts';
import { until } from '../until.ts';

let demo: Demo;

beforeAll(async () => {
  demo = await startDemo({ env: { PORT: '0', ADMIN_TOKEN: 'demo-test-admin-token-0123456789', LOG_LEVEL: 'error' }, startSandbox: startDemoSandbox });
}, 120_000);
afterAll(() => demo.close());

describe('the demo’s HubSpot sandbox', () => {
  it('sends a deal’s change to the demo’s webhook endpoint, which records it for the installation', async () => {
    const base = demo.context.env.HUBSPOT_BASE_URL ?? '';
    const headers = { authorization: `Bearer ${DEFAULT_PRIVATE_APP_TOKEN}`, 'content-type': 'application/json' };
    const deals = (await (await fetch(`${base}/crm/v3/objects/deals?limit=1`, { headers })).json()) as { results: { id: string }[] };
    const dealId = deals.results[0]?.id ?? '';
    const changed = await fetch(`${base}/crm/v3/objects/deals/${dealId}`, { method: 'PATCH', headers, body: JSON.stringify({ properties: { amount: '1234' } }) });
    expect(changed.status).toBe(200);
    const { store } = demo.context;
    const installationId = demo.context.installations.installationId() ?? '';
    const work = await until('the deal recorded', async () => {
      const rows = await store.pendingWebhookWork(installationId, 10);
      return rows.length > 0 ? rows : null;
    }, 20_000);
    expect(work).toMatchObject([{ object: 'deal', recordId: dealId, action: 'rescore' }]);
  });
});
