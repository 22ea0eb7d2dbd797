import { describe, expect, it } from 'vitest';
import { noSuccessAlert, runAlerts, type EndedRun } from '../../src/alerts/events.ts';
import type { AlertSettings } from '../../src/alerts/settings.ts';
import { loadConfig } from '../../src/config/load.ts';

const defaults = loadConfig({ env: {} }).alerts;
const on: AlertSettings = { ...defaults, enabled: true };
const installation = { id: 'inst_1', name: 'Acme GmbH', crm: 'hubspot' };
const HOUR = 3_600_000;

function run(summary: Partial<EndedRun['summary']>): EndedRun {
  return { installation, summary: { runId: 'run_1', kind: 'sync', status: 'succeeded', message: null, classified: 1000, changed: 100, written: 100, failed: 0, stageTransitions: {}, ...summary } };
}

describe('runAlerts', () => {
  it('says nothing while alerts are off (the default)', () => {
    expect(defaults.enabled).toBe(false);
    expect(runAlerts(run({ status: 'failed', message: 'boom' }), defaults)).toEqual([]);
  });

  it('raises "run failed" with the run message and the installation', () => {
    const [alert, ...rest] = runAlerts(run({ status: 'failed', message: 'HubSpot refused the access token (401)' }), on);
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({ kind: 'run_failed', title: 'run failed', runId: 'run_1', installation });
    expect(alert?.detail).toContain('HubSpot refused the access token (401)');
  });

  it('raises "stopped by the API quota" for a stopped run, and each event can be turned off', () => {
    const stopped = run({ status: 'stopped', message: "the plugin's share of the daily API allowance is spent" });
    expect(runAlerts(stopped, on).map((a) => a.kind)).toEqual(['quota_stopped']);
    expect(runAlerts(stopped, { ...on, events: { ...on.events, quotaStopped: false } })).toEqual([]);
    expect(runAlerts(run({ status: 'failed' }), { ...on, events: { ...on.events, runFailed: false } })).toEqual([]);
  });

  it('raises the failed share only above the threshold', () => {
    const at = run({ changed: 100, written: 95, failed: 5 });
    expect(runAlerts(at, on)).toEqual([]); // 5 % is not above 5 %
    const [above] = runAlerts(run({ changed: 100, written: 94, failed: 6 }), on);
    expect(above).toMatchObject({ kind: 'failed_share', title: '6 % of records failed to write' });
    expect(above?.detail).toContain('6 of 100 records');
    expect(runAlerts(run({ changed: 100, written: 0, failed: 100 }), { ...on, thresholds: { ...on.thresholds, failedShare: null } })).toEqual([]);
  });

  it('counts moves into the target stages over the classified customers, not first scores or other stages', () => {
    const transitions = { 'loyalty→at_risk': 80, 'retention→at_risk': 15, 'none→at_risk': 500, 'purchase→retention': 300, 'at_risk→churned': 10 };
    const [alert, ...rest] = runAlerts(run({ classified: 1000, stageTransitions: transitions }), on, { at_risk: 'At risk', churned: 'Churned' });
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({ kind: 'stage_moves', title: '10.5 % of customers moved to At risk or Churned' });
    expect(alert?.detail).toBe('95 to At risk, 10 to Churned, of 1000 customers classified (alert above 10 %).');
    // 9.5 % into at_risk alone is under 10 %.
    expect(runAlerts(run({ classified: 1000, stageTransitions: transitions }), { ...on, thresholds: { ...on.thresholds, stageMoveTo: ['at_risk'] } })).toEqual([]);
  });

  it('leaves the shares of dry runs and rollbacks alone, but reports their failures', () => {
    const dry = run({ kind: 'dry_run', status: 'failed', failed: 90, stageTransitions: { 'loyalty→at_risk': 900 } });
    expect(runAlerts(dry, on).map((a) => [a.kind, a.title])).toEqual([['run_failed', 'dry run failed']]);
  });
});

describe('noSuccessAlert', () => {
  const last = { runId: 'run_ok', finishedAt: Date.UTC(2026, 0, 1) };
  const history = { installation, lastSuccess: last, createdAt: Date.UTC(2025, 0, 1) };

  it('is due after noSuccessHours since the last success, with one key per stretch', () => {
    expect(noSuccessAlert(history, on, last.finishedAt + 47 * HOUR)).toBeNull();
    const due = noSuccessAlert(history, on, last.finishedAt + 50 * HOUR);
    expect(due?.key).toBe('no_success:run_ok');
    expect(due?.event).toMatchObject({ kind: 'no_success', title: 'no successful run for 50 hours', installation });
    // Later checks in the same stretch give the same key (so the store's claim sends it once).
    expect(noSuccessAlert(history, on, last.finishedAt + 90 * HOUR)?.key).toBe('no_success:run_ok');
  });

  it('counts from the installation being added when nothing ever succeeded', () => {
    const never = { installation, lastSuccess: null, createdAt: Date.UTC(2026, 0, 1) };
    expect(noSuccessAlert(never, on, never.createdAt + 10 * HOUR)).toBeNull();
    expect(noSuccessAlert(never, on, never.createdAt + 49 * HOUR)?.key).toBe('no_success:never');
  });

  it('is off with alerts off or noSuccessHours null', () => {
    expect(noSuccessAlert(history, defaults, last.finishedAt + 500 * HOUR)).toBeNull();
    expect(noSuccessAlert(history, { ...on, thresholds: { ...on.thresholds, noSuccessHours: null } }, last.finishedAt + 500 * HOUR)).toBeNull();
  });
});
