/**
 * The demo on a Salesforce sandbox (`npm start -- --demo-crm salesforce`): the same admin service, the
 * Salesforce connector underneath. What the page shows comes from these API answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoSandbox } from '../../sandboxes/demo.ts';
import { startDemo, type Demo } from '../../src/service/demo.ts';
import { accepts, outsideAddress } from './reach.ts';

const TOKEN = 'demo-test-admin-token-0123456789';
let demo: Demo;

beforeAll(async () => {
  // No HOST: the demo's default applies.
  demo = await startDemo({ env: { PORT: '0', ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'error' }, crm: 'salesforce', startSandbox: startDemoSandbox });
}, 120_000);
afterAll(() => demo.close());

async function api(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${demo.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the demo on a Salesforce sandbox', () => {
  it('is connected to Salesforce with every field in place, after a first sync of the 2,657 demo contacts', async () => {
    const status = await api('/api/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ crm: 'salesforce', connection: { ok: true }, fields: { missing: [], error: null } });
    expect((status.body.fields as { inPlace: string[] }).inPlace).toContain('LCS_Stage__c');
    expect(String((status.body.demo as { description: string }).description)).toMatch(/^A local Salesforce sandbox with the CDNOW sample as 2,657 contacts/);
    const runs = await api('/api/runs');
    const [first] = runs.body.runs as { status: string; stats: { written: number; failed: number } }[];
    expect(first).toMatchObject({ status: 'succeeded', stats: { written: 2657, failed: 0 } });
  });

  const outside = outsideAddress();
  it.skipIf(outside === undefined)('listens on this machine only', async () => {
    expect(await accepts('127.0.0.1', demo.port)).toBe(true);
    expect(await accepts(outside ?? '', demo.port)).toBe(false);
  });
});
