/**
 * Per-installation routes and isolation: two HubSpot portals on one server, each reached under
 * /api/installations/:id/…; nothing of one can be read or changed through the other's id (runs, their
 * errors and plans, rollback, abandon, customers, model, overview), and the unscoped routes answer for the
 * default installation only while there is one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotSandbox, seedSyntheticDataset, type HubSpotSandbox } from '../../sandboxes/hubspot/index.ts';
import { createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

let s: ServiceHarness;
let other: HubSpotSandbox;
const A = 'hubspot';
let B = '';
const runs: Record<string, string> = {};

const TOKEN_B = 'pat-na1-isolation-b-00000000000000000';

async function run(installation: string, body: Record<string, unknown>): Promise<string> {
  const started = await s.api(`/api/installations/${installation}/sync`, { method: 'POST', body });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const runId = (started.body as { runId: string }).runId;
  expect((await s.waitForRun(runId)).status).toBe('succeeded');
  return runId;
}

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 30 } });
  let offset = -3_600_000;
  other = createHubSpotSandbox({ clock: () => Date.now() + offset, privateAppTokens: [{ token: TOKEN_B }] });
  seedSyntheticDataset(other.data, { contacts: 12, seed: 77, today: new Date() });
  offset = 0;
  const url = await other.listen();
  B = (await s.h.store.addInstallation({ crm: 'hubspot', name: 'Beta portal', accountId: '2002' })).installation.id;
  await s.h.store.saveAccountEnv(B, { HUBSPOT_ACCESS_TOKEN: TOKEN_B, HUBSPOT_BASE_URL: url });
  runs.aDry = await run(A, { dryRun: true });
  runs.aSync = await run(A, {});
  runs.bDry = await run(B, { dryRun: true });
}, 120_000);
afterAll(async () => {
  await s?.close();
  await other?.close();
});

describe('per-installation routes', () => {
  it('answer for the installation in the path, each with its own data', async () => {
    const a = (await s.api(`/api/installations/${A}/overview`)).body as { installation: string; summary: { customers: number } };
    const b = (await s.api(`/api/installations/${B}/overview`)).body as { installation: string; summary: { customers: number } };
    expect(a.installation).toBe(A);
    expect(b.installation).toBe(B);
    expect(a.summary.customers).toBe(s.h.sandbox.data.contactIds().length);
    expect(b.summary.customers).toBe(other.data.contactIds().length);
    const statusB = (await s.api(`/api/installations/${B}/status`)).body as { installation: { id: string; name: string }; connection: { ok: boolean } };
    expect(statusB).toMatchObject({ installation: { id: B, name: 'Beta portal' }, connection: { ok: true } });
    const listB = ((await s.api(`/api/installations/${B}/runs`)).body as { runs: { id: string }[] }).runs.map((r) => r.id);
    expect(listB).toEqual([runs.bDry]);
    const modelB = await s.api(`/api/installations/${B}/model`);
    expect(modelB.status).toBe(200);
    // B's dry run wrote nothing to either portal; A's sync wrote to A only.
    expect(other.data.contactIds().filter((id) => other.data.getContact(id)?.properties.lcs_stage)).toEqual([]);
  });

  it('never show or change one installation through the other', async () => {
    for (const path of [`/runs/${runs.aDry}`, `/runs/${runs.aDry}/plan`]) {
      const r = await s.api(`/api/installations/${B}${path}`);
      expect(r.status, path).toBe(404);
      expect(JSON.stringify(r.body)).not.toContain('"stats"');
    }
    for (const action of ['rollback', 'abandon']) {
      const r = await s.api(`/api/installations/${B}/runs/${runs.aSync}/${action}`, { method: 'POST', body: {} });
      expect(r.status, action).toBe(404);
    }
    // A's run is still A's, untouched.
    expect((await s.h.store.getRun(runs.aSync))?.status).toBe('succeeded');
    expect((await s.api(`/api/installations/${A}/runs/${runs.aDry}/plan`)).status).toBe(200);
    // A customer of A's portal is unknown to B.
    // (Portals number their records alike: one of A's ids that B's portal does not have.)
    const inB = new Set(other.data.contactIds());
    const contact = s.h.sandbox.data.contactIds().find((id) => !inB.has(id)) ?? '';
    expect(contact).not.toBe('');
    const mine = await s.api(`/api/installations/${A}/customers/${contact}`);
    expect(mine.status).toBe(200);
    // With the link to the record in the portal's own UI.
    expect((mine.body as { crmUrl: string }).crmUrl).toBe(`https://app.hubspot.com/contacts/${s.h.sandbox.portalId}/record/0-1/${contact}`);
    const fromB = await s.api(`/api/installations/${B}/customers/${contact}`);
    expect(fromB.status).toBe(404);
    // The message names B, the installation asked, and shows nothing of A's customer.
    expect(JSON.stringify(fromB.body)).toContain(`no customer ${contact} in installation ${B}:`);
    expect(JSON.stringify(fromB.body)).not.toContain('description');
  });

  it('keep each installation\u2019s settings, change log and preview its own', async () => {
    const key = 'classifier.ltv.acquisitionSpend';
    const put = await s.api(`/api/installations/${B}/settings`, { method: 'PUT', body: { settings: { [key]: 5000 } } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const view = async (id: string) => (await s.api(`/api/installations/${id}/settings`)).body as { installationId: string; settings: { key: string; value: unknown }[]; changes: { total: number } };
    const [a, b] = [await view(A), await view(B)];
    expect([a.installationId, b.installationId]).toEqual([A, B]);
    expect(a.settings.find((f) => f.key === key)?.value).toBeNull();
    expect(b.settings.find((f) => f.key === key)?.value).toBe(5000);
    expect(a.changes.total).toBe(0);
    expect(b.changes.total).toBe(1);
    expect((await s.h.store.getInstallation(A))?.settings).toEqual({});
    // Each preview counts its own installation's stored customers.
    const preview = async (id: string) => ((await s.api(`/api/installations/${id}/settings/preview`, { method: 'POST', body: {} })).body as { customers: number }).customers;
    expect(await preview(A)).toBe(s.h.sandbox.data.contactIds().length);
    expect(await preview(B)).toBe(other.data.contactIds().length);
    // The unscoped route is the default installation's (A), never B's.
    expect(((await s.api('/api/settings')).body as { installationId: string }).installationId).toBe(A);
  });

  it('refuse an unknown, removed or malformed installation id', async () => {
    expect((await s.api('/api/installations/in_0000000000000000/status')).status).toBe(404);
    expect((await s.api('/api/installations/in_0000000000000000/sync', { method: 'POST', body: { dryRun: true } })).status).toBe(404);
    const bad = await s.api('/api/installations/..%2Fetc/runs');
    expect([400, 404]).toContain(bad.status);
    const gone = (await s.h.store.addInstallation({ crm: 'hubspot', name: 'Gone', accountId: '3003' })).installation.id;
    await s.h.store.updateInstallation(gone, { status: 'uninstalled' });
    expect((await s.api(`/api/installations/${gone}/runs`)).status).toBe(404);
  });

  it('keep the unscoped routes on the default installation (the environment’s)', async () => {
    const runsA = ((await s.api('/api/runs')).body as { installation: string; runs: { id: string }[] });
    expect(runsA.installation).toBe(A);
    expect(runsA.runs.map((r) => r.id)).toContain(runs.aSync);
    expect(runsA.runs.map((r) => r.id)).not.toContain(runs.bDry);
    expect((await s.api(`/api/runs/${runs.bDry}`)).status).toBe(404);
  });
});

describe('without a default installation', () => {
  let t: ServiceHarness;
  beforeAll(async () => {
    // No CRM credentials in the server's environment: two installations in the store, neither the default.
    t = await createServiceHarness({ dataset: { contacts: 5 }, serviceEnv: { HUBSPOT_ACCESS_TOKEN: '' } });
    for (const name of ['One', 'Two']) await t.h.store.addInstallation({ crm: 'hubspot', name, accountId: name });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('the unscoped routes ask for an installation and the installations list answers', async () => {
    for (const path of ['/api/overview', '/api/model']) {
      const r = await t.api(path);
      expect(r.status, path).toBe(409);
      expect(r.body).toMatchObject({ error: { code: 'INSTALLATION_REQUIRED', message: expect.stringContaining('/api/installations/ID') as unknown } });
    }
    expect((await t.api('/api/sync', { method: 'POST', body: { dryRun: true } })).status).toBe(409);
    const list = (await t.api('/api/installations')).body as { installations: { name: string }[] };
    expect(list.installations.map((i) => i.name).sort()).toEqual(['One', 'Two']);
    // Ready: the store answers; each installation's own health is on the list.
    expect((await t.api('/readyz', { token: null })).status).toBe(200);
  });
});
