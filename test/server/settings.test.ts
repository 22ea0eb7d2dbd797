/**
 * The settings view's API (issue #12): the editable settings with their values in effect and the file's,
 * a bad value refused with a message naming the setting (nothing stored), changes stored as the
 * installation's overrides and in its change log (before → after), a reset to the file's value, pause, the
 * schedule following at once, the preview's stage moves equal to the next dry run's, and one
 * installation's settings never reaching another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotSandbox, seedSyntheticDataset, type HubSpotSandbox } from '../../sandboxes/hubspot/index.ts';
import { nextTick } from '../../src/scheduler/cron.ts';
import { createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

interface Field {
  key: string;
  value: unknown;
  fileValue: unknown;
  overridden: boolean;
}
interface SettingsView {
  installationId: string;
  paused: boolean;
  settings: Field[];
  schedule: { cron: string; timezone: string; nextRunAt: string | null } | null;
  changes: { total: number; changes: { key: string; before: unknown; after: unknown; actor: string }[] };
}
interface Preview {
  customers: number;
  moves: number;
  transitions: { from: string; to: string; count: number }[];
}

let s: ServiceHarness;
let other: HubSpotSandbox;
const A = 'hubspot';
let B = '';
const TOKEN_B = 'pat-na1-settings-b-000000000000000000';
const AT_RISK = 'classifier.rules.atRiskMaxPAlive';

const field = (view: SettingsView, key: string) => view.settings.find((f) => f.key === key);
const settingsOf = async (id: string) => (await s.api(`/api/installations/${id}/settings`)).body as SettingsView;

async function run(installation: string, body: Record<string, unknown>) {
  const started = await s.api(`/api/installations/${installation}/sync`, { method: 'POST', body });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const done = await s.waitForRun((started.body as { runId: string }).runId);
  expect(done.status).toBe('succeeded');
  return done;
}

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 80 } });
  other = createHubSpotSandbox({ privateAppTokens: [{ token: TOKEN_B }] });
  seedSyntheticDataset(other.data, { contacts: 20, seed: 5, today: new Date() });
  const url = await other.listen();
  B = (await s.h.store.addInstallation({ crm: 'hubspot', name: 'Beta portal', accountId: '2002' })).installation.id;
  await s.h.store.saveAccountEnv(B, { HUBSPOT_ACCESS_TOKEN: TOKEN_B, HUBSPOT_BASE_URL: url });
  // The CRM holds the stages of the current settings: a later dry run's moves are the new settings' own.
  await run(A, {});
}, 120_000);
afterAll(async () => {
  await s?.close();
  await other?.close();
});

describe('the settings view', () => {
  it('shows every editable setting with its value, the file\u2019s, and whether it is overridden', async () => {
    const view = await settingsOf(A);
    expect(view.installationId).toBe(A);
    expect(field(view, AT_RISK)).toMatchObject({ value: 0.5, fileValue: 0.5, overridden: false });
    expect(field(view, 'classifier.stages.at_risk.label')).toMatchObject({ value: 'At risk', overridden: false });
    expect(field(view, 'classifier.ltv.acquisitionSpend')).toMatchObject({ value: null });
    expect(field(view, 'schedule.cron')).toMatchObject({ value: '0 2 * * *' });
    expect(view.changes.total).toBe(0);
  });

  it('refuses bad values with the setting\u2019s name and why, and stores nothing', async () => {
    const r = await s.api(`/api/installations/${A}/settings`, {
      method: 'PUT',
      body: { settings: { [AT_RISK]: 1.5, 'schedule.cron': 'every night', 'classifier.stages.awareness.enabled': false, 'classifier.stages.loyalty.label': '  ' } },
    });
    expect(r.status).toBe(400);
    const error = (r.body as { error: { code: string; message: string; fields: { field: string; message: string }[] } }).error;
    expect(error.code).toBe('INVALID_SETTINGS');
    expect(error.message).toContain(`${AT_RISK}: must be between 0 and 1`);
    const fields = Object.fromEntries(error.fields.map((f) => [f.field, f.message]));
    expect(fields[AT_RISK]).toBe('must be between 0 and 1');
    expect(fields['schedule.cron']).toMatch(/cron/i);
    expect(fields['classifier.stages.loyalty.label']).toBe('must not be empty');
    expect(fields['classifier.stages.awareness.enabled']).toMatch(/awareness is the catch-all stage/);
    // A setting the page does not edit, and a body of the wrong shape.
    const unknown = await s.api(`/api/installations/${A}/settings`, { method: 'PUT', body: { settings: { 'sync.writeConcurrency': 9 } } });
    expect(unknown.status).toBe(400);
    expect((unknown.body as { error: { message: string } }).error.message).toBe('sync.writeConcurrency: is not a setting the page edits');
    const shape = await s.api(`/api/installations/${A}/settings`, { method: 'PUT', body: { thresholds: {} } });
    expect(shape.status).toBe(400);
    expect((shape.body as { error: { message: string } }).error.message).toBe('body: unknown field "thresholds"');
    expect((await s.h.store.getInstallation(A))?.settings).toEqual({});
    expect((await settingsOf(A)).changes.total).toBe(0);
  });

  it('previews the stage moves of new thresholds, and the next dry run after saving them moves the same customers', async () => {
    const proposed = { [AT_RISK]: 0.9 };
    const r = await s.api(`/api/installations/${A}/settings/preview`, { method: 'POST', body: { settings: proposed } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const preview = r.body as Preview;
    expect(preview.customers).toBe(s.h.sandbox.data.contactIds().length);
    expect(preview.moves).toBeGreaterThan(0);
    expect(preview.transitions.every((t) => t.to === 'at_risk')).toBe(true);
    // Nothing was saved by the preview.
    expect((await s.h.store.getInstallation(A))?.settings).toEqual({});

    const saved = await s.api(`/api/installations/${A}/settings`, { method: 'PUT', body: { settings: proposed } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(field(saved.body as SettingsView, AT_RISK)).toMatchObject({ value: 0.9, fileValue: 0.5, overridden: true });
    expect((await s.h.store.getInstallation(A))?.settings).toEqual({ classifier: { rules: { atRiskMaxPAlive: 0.9 } } });

    const dry = await run(A, { dryRun: true });
    const moved = dry.stats.stageTransitions as Record<string, number>;
    expect(Object.values(moved).reduce((n, c) => n + c, 0)).toBe(preview.moves);
    expect(moved).toEqual(Object.fromEntries(preview.transitions.map((t) => [`${t.from}→${t.to}`, t.count])));
  });

  it('never changes another installation\u2019s settings, log or preview', async () => {
    const b = await settingsOf(B);
    expect(b.installationId).toBe(B);
    expect(field(b, AT_RISK)).toMatchObject({ value: 0.5, overridden: false });
    expect(b.changes.total).toBe(0);
    expect((await s.h.store.getInstallation(B))?.settings).toEqual({});
    // B's preview classifies B's customers only.
    const preview = (await s.api(`/api/installations/${B}/settings/preview`, { method: 'POST', body: { settings: {} } })).body as Preview;
    expect(preview).toMatchObject({ customers: 0, moves: 0 });
  });

  it('moves the schedule at once: the next run follows the new cron and time zone', async () => {
    const r = await s.api(`/api/installations/${A}/settings`, { method: 'PUT', body: { settings: { 'schedule.cron': '30 4 * * 1-5', 'schedule.timezone': 'Europe/Berlin' } } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const view = r.body as SettingsView;
    expect(view.schedule).toMatchObject({ cron: '30 4 * * 1-5', timezone: 'Europe/Berlin' });
    const expected = nextTick('30 4 * * 1-5', 'Europe/Berlin');
    expect(view.schedule?.nextRunAt).toBe(expected?.toISOString());
    // The scheduler itself was replaced, not only the view of it.
    const scope = await s.service.context.installations.scope(A);
    expect(await s.service.schedules?.status(scope)).toMatchObject({ cron: '30 4 * * 1-5', timezone: 'Europe/Berlin', nextRunAt: expected?.toISOString() });
  });

  it('resets a setting to the file\u2019s value, pauses and resumes, and logs every change with before and after', async () => {
    const reset = await s.api(`/api/installations/${A}/settings`, { method: 'PUT', body: { reset: [AT_RISK], settings: { 'classifier.ltv.acquisitionSpend': 25000 } } });
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(field(reset.body as SettingsView, AT_RISK)).toMatchObject({ value: 0.5, overridden: false });
    expect((await s.h.store.getInstallation(A))?.settings).toEqual({ classifier: { ltv: { acquisitionSpend: 25000 } }, schedule: { cron: '30 4 * * 1-5', timezone: 'Europe/Berlin' } });

    const paused = await s.api(`/api/installations/${A}/settings`, { method: 'PUT', body: { paused: true } });
    expect(paused.body).toMatchObject({ paused: true, schedule: { nextRunAt: null } });
    expect((await s.api(`/api/installations/${A}/sync`, { method: 'POST', body: { dryRun: true } })).status).toBe(409);
    expect(await s.service.schedules?.status(await s.service.context.installations.scope(A))).toMatchObject({ nextRunAt: null });
    const resumed = await s.api(`/api/installations/${A}/settings`, { method: 'PUT', body: { paused: false } });
    expect(resumed.body).toMatchObject({ paused: false, schedule: { nextRunAt: expect.any(String) as unknown } });

    const log = (await settingsOf(A)).changes;
    expect(log.changes.map((c) => [c.key, c.before, c.after])).toEqual([
      ['status', 'paused', 'active'],
      ['status', 'active', 'paused'],
      ['classifier.ltv.acquisitionSpend', null, 25000],
      [AT_RISK, 0.9, 0.5],
      ['schedule.timezone', 'UTC', 'Europe/Berlin'],
      ['schedule.cron', '0 2 * * *', '30 4 * * 1-5'],
      [AT_RISK, 0.5, 0.9],
    ]);
    expect(log.changes.every((c) => c.actor === 'admin')).toBe(true);
    const page2 = await s.api(`/api/installations/${A}/settings/changes?page=2`);
    expect(page2.body).toMatchObject({ total: 7, page: 2, changes: [] });
    expect((await s.api(`/api/installations/${A}/settings/changes?page=0`)).status).toBe(400);
  });
});
