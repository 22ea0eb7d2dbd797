/**
 * The demo (`npm start`) on its HubSpot sandbox exercises the real webhook path: a deal changed through
 * the sandbox's API reaches the demo's endpoint signed with the app's secret and is recorded as work for
 * its installation, and the demo rescores the deal's contact (a run of kind rescore on the page).
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
  it('sends a won deal’s change to the demo’s webhook endpoint, and the demo rescores its contact', async () => {
    const base = demo.context.env.HUBSPOT_BASE_URL ?? '';
    const headers = { authorization: `Bearer ${DEFAULT_PRIVATE_APP_TOKEN}`, 'content-type': 'application/json' };
    const deals = (await (await fetch(`${base}/crm/v3/objects/deals?limit=100&properties=dealstage,amount`, { headers })).json()) as { results: { id: string; properties: Record<string, string | null> }[] };
    const won = deals.results.find((d) => d.properties.dealstage === 'closedwon');
    if (!won) throw new Error('no won deal among the first 100');
    const amount = String(Number(won.properties.amount ?? '0') + 1234);
    const changed = await fetch(`${base}/crm/v3/objects/deals/${won.id}`, { method: 'PATCH', headers, body: JSON.stringify({ properties: { amount } }) });
    expect(changed.status).toBe(200);
    const admin = { authorization: 'Bearer demo-test-admin-token-0123456789' };
    const run = await until('a rescore run', async () => {
      const body = (await (await fetch(`${demo.url}/api/runs`, { headers: admin })).json()) as { runs: { id: string; kind: string; status: string; stats: { written: number } }[] };
      return body.runs.find((r) => r.kind === 'rescore' && r.status !== 'running') ?? null;
    }, 30_000);
    expect(run).toMatchObject({ status: 'succeeded' });
    expect(run.stats.written).toBeGreaterThanOrEqual(1);
    const { store } = demo.context;
    const installationId = demo.context.installations.installationId() ?? '';
    expect(await store.pendingWebhookWork(installationId, 10)).toEqual([]);
  });
});
