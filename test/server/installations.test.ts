/**
 * /api/installations: every installation of the store with its CRM, account, status, last run, next
 * scheduled run and health; filtered (failing, paused, never run) and searched; pause and resume, and a
 * paused installation runs nothing, from "Run now" either.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyRunStats } from '../../src/store/types.ts';
import { createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

let s: ServiceHarness;
const ids: Record<string, string> = {};

interface View {
  id: string;
  crm: string;
  name: string;
  accountId: string | null;
  status: string;
  health: string;
  lastRun: { id: string; status: string } | null;
  nextRunAt: string | null;
  scheduleNote: string | null;
}

const list = async (query = ''): Promise<View[]> => {
  const r = await s.api(`/api/installations${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body as { installations: View[] }).installations;
};

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 30 } });
  const started = await s.api('/api/sync', { method: 'POST', body: {} });
  expect((await s.waitForRun((started.body as { runId: string }).runId)).status).toBe('succeeded');
  const store = s.h.store;
  for (const [name, accountId] of [['Acme Corp', '1001'], ['Beta GmbH', '2002']] as const) {
    ids[name] = (await store.addInstallation({ crm: 'hubspot', name, accountId })).installation.id;
  }
  // Acme's last run failed.
  await store.createRun({ id: 'run_20261201T020000_acme01', installationId: ids['Acme Corp'], kind: 'sync', mode: 'full', status: 'running', asOf: '2026-12-01', startedAt: Date.now() - 60_000, stats: emptyRunStats(), rollbackOf: null, scoredAt: null });
  await store.updateRun('run_20261201T020000_acme01', { status: 'failed', message: 'HubSpot refused the token', finishedAt: Date.now() - 50_000 });
}, 60_000);
afterAll(async () => {
  await s?.close();
});

describe('/api/installations', () => {
  it('lists each with its CRM, account, last run, next scheduled run and health', async () => {
    const all = await list();
    expect(all.map((i) => i.id).sort()).toEqual([ids['Acme Corp'], ids['Beta GmbH'], 'hubspot'].sort());
    const env = all.find((i) => i.id === 'hubspot');
    expect(env).toMatchObject({ crm: 'hubspot', status: 'active', health: 'ok', lastRun: { status: 'succeeded' }, scheduleNote: null });
    // The default schedule: 02:00 UTC, the next one after now.
    const next = new Date(env?.nextRunAt ?? 0);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.toISOString()).toMatch(/T02:00:00\.000Z$/);
    expect(all.find((i) => i.name === 'Acme Corp')).toMatchObject({ accountId: '1001', health: 'failing', lastRun: { status: 'failed' } });
    expect(all.find((i) => i.name === 'Beta GmbH')).toMatchObject({ health: 'never_run', lastRun: null, nextRunAt: null, scheduleNote: expect.stringContaining('after the first successful run') as unknown });
  });

  it('counts every installation by health, whatever the page of rows asked for', async () => {
    const r = await s.api('/api/installations?limit=1');
    expect(r.body).toMatchObject({ total: 3, matching: 3, counts: { ok: 1, failing: 1, never_run: 1, paused: 0, running: 0 } });
    expect((r.body as { installations: unknown[] }).installations).toHaveLength(1);
    expect((await s.api('/api/installations?filter=failing')).body).toMatchObject({ matching: 1, counts: { failing: 1 } });
  });

  it('filters by health and searches name, account and id', async () => {
    expect((await list('?filter=failing')).map((i) => i.name)).toEqual(['Acme Corp']);
    expect((await list('?filter=never_run')).map((i) => i.name)).toEqual(['Beta GmbH']);
    expect((await list('?q=gmbh')).map((i) => i.name)).toEqual(['Beta GmbH']);
    expect((await list('?q=1001')).map((i) => i.name)).toEqual(['Acme Corp']);
    expect(await list(`?q=${ids['Beta GmbH']}`)).toHaveLength(1);
    expect(await list('?q=nobody')).toEqual([]);
    const bad = await s.api('/api/installations?filter=broken');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/filter/);
  });

  it('pauses and resumes; a paused installation does not run, not even on demand', async () => {
    const paused = await s.api('/api/installations/hubspot/pause', { method: 'POST' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ installation: { id: 'hubspot', status: 'paused', health: 'paused', nextRunAt: null } });
    expect((await list('?filter=paused')).map((i) => i.id)).toEqual(['hubspot']);
    const refused = await s.api('/api/sync', { method: 'POST', body: { dryRun: true } });
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.body)).toMatch(/installation hubspot is paused/);
    expect((await s.api('/api/installations/hubspot/resume', { method: 'POST' })).body).toMatchObject({ installation: { status: 'active', health: 'ok' } });
    const started = await s.api('/api/sync', { method: 'POST', body: { dryRun: true } });
    expect(started.status).toBe(202);
    expect((await s.waitForRun((started.body as { runId: string }).runId)).status).toBe('succeeded');
  });

  it('answers 404 for an installation that is not there, and 400 for what is not an id', async () => {
    expect((await s.api('/api/installations/in_0000000000000000')).status).toBe(404);
    expect((await s.api('/api/installations/in_0000000000000000/pause', { method: 'POST' })).status).toBe(404);
    expect((await s.api('/api/installations/a%20b')).status).toBe(400);
  });
});
