/**
 * The schedule on a fake clock (vitest's fake timers drive node-cron's own timers and dates): it fires at
 * the configured time in the configured zone, skips a tick while a run is still going, and catches up a
 * run missed while the service was down.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LifecycleSyncError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { nodeCronEngine } from '../../src/scheduler/cron.ts';
import { Scheduler } from '../../src/scheduler/scheduler.ts';
import type { ScheduleSettings } from '../../src/scheduler/settings.ts';
import type { RunRequest, StartedRun } from '../../src/service/runner.ts';
import { openStore, type SqliteStore } from '../../src/store/sqlite.ts';
import { emptyRunStats } from '../../src/store/types.ts';
import { loadConfig } from '../../src/config/load.ts';

const HOUR = 3_600_000;

/** A run manager that records what was started; a started run stays "in progress" until finished. */
class FakeRuns {
  started: { request: RunRequest; at: string }[] = [];
  private running: StartedRun | null = null;
  lockedElsewhere = false;

  current(): StartedRun | null {
    return this.running;
  }

  start(request: RunRequest): Promise<StartedRun> {
    if (this.lockedElsewhere) return Promise.reject(new LifecycleSyncError('SYNC_LOCKED', 'a run for hubspot is already in progress (other-host:1)'));
    this.started.push({ request, at: new Date().toISOString() });
    this.running = { runId: `run_${this.started.length}`, kind: 'sync', installationId: 'hubspot', done: new Promise(() => {}) };
    return Promise.resolve(this.running);
  }

  finish(): void {
    this.running = null;
  }
}

let store: SqliteStore;
let runs: FakeRuns;
let scheduler: Scheduler | null = null;

function settings(overrides: Partial<ScheduleSettings> = {}): ScheduleSettings {
  return { ...loadConfig().schedule, ...overrides };
}

/** A finished successful sync in the store, `hoursAgo` before now. */
async function succeededRun(hoursAgo: number, kind: 'sync' | 'dry_run' = 'sync'): Promise<void> {
  const at = Date.now() - hoursAgo * HOUR;
  const id = `run_${kind}_${hoursAgo}`;
  await store.createRun({ id, installationId: 'hubspot', kind, mode: 'full', status: 'running', asOf: '2026-01-01', startedAt: at - 60_000, stats: emptyRunStats(), rollbackOf: null, scoredAt: null });
  await store.updateRun(id, { status: 'succeeded', finishedAt: at });
}

function schedule(s: ScheduleSettings): Scheduler {
  scheduler = new Scheduler({ settings: s, store, runs, installationId: () => 'hubspot', cron: nodeCronEngine(silentLogger()), log: silentLogger() });
  return scheduler;
}

beforeEach(async () => {
  store = openStore(':memory:');
  await store.upsertInstallation({ id: 'hubspot', crm: 'hubspot', name: 'HubSpot' });
  runs = new FakeRuns();
});
afterEach(async () => {
  scheduler?.stop();
  scheduler = null;
  await store.close();
  vi.useRealTimers();
});

describe('the nightly schedule', () => {
  it('fires at the configured time in the configured time zone (Europe/Berlin in winter: 02:00 is 01:00 UTC)', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-14T22:00:00Z') });
    await succeededRun(5);
    const s = schedule(settings({ cron: '0 2 * * *', timezone: 'Europe/Berlin' }));
    expect(await s.start()).toBeNull(); // the last success is recent: nothing to catch up
    expect((await s.status()).nextRunAt).toBe('2026-01-15T01:00:00.000Z');
    await vi.advanceTimersByTimeAsync(3 * HOUR - 1000); // 00:59:59 UTC
    expect(runs.started).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2000);
    expect(runs.started).toEqual([{ request: { kind: 'sync', trigger: 'schedule' }, at: expect.stringMatching(/^2026-01-15T01:00:0/) as string }]);
    expect((await s.status()).nextRunAt).toBe('2026-01-16T01:00:00.000Z');
  });

  it('follows daylight saving time (America/New_York in July: 06:30 on weekdays is 10:30 UTC)', async () => {
    vi.useFakeTimers({ now: new Date('2026-07-03T12:00:00Z') }); // a Friday
    await succeededRun(2);
    const s = schedule(settings({ cron: '30 6 * * 1-5', timezone: 'America/New_York' }));
    await s.start();
    expect((await s.status()).nextRunAt).toBe('2026-07-06T10:30:00.000Z'); // Monday
    await vi.advanceTimersByTimeAsync(Date.parse('2026-07-06T10:29:00Z') - Date.now()); // the weekend passes
    expect(runs.started).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    expect(runs.started.map((r) => r.at.slice(0, 16))).toEqual(['2026-07-06T10:30']);
  });

  it('skips a tick while a run is still going, and runs at the next one after it ended', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T00:30:00Z') });
    await succeededRun(3);
    schedule(settings({ cron: '0 1 * * *', timezone: 'UTC' }));
    await scheduler?.start();
    await vi.advanceTimersByTimeAsync(HOUR); // 01:30: the first tick started a run, which is still going
    expect(runs.started).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(24 * HOUR); // the next night: still going, skipped
    expect(runs.started).toHaveLength(1);
    runs.finish();
    await vi.advanceTimersByTimeAsync(24 * HOUR);
    expect(runs.started.map((r) => r.at.slice(0, 13))).toEqual(['2026-03-01T01', '2026-03-03T01']);
  });

  it('skips a tick when another replica holds the installation’s lock or already ran this tick', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T00:59:00Z') });
    await succeededRun(3);
    const s = schedule(settings({ cron: '0 1 * * *', timezone: 'UTC' }));
    runs.lockedElsewhere = true;
    expect(await s.tick(new Date('2026-03-01T01:00:00Z'), 'schedule')).toEqual({ skipped: expect.stringMatching(/^a run is still going elsewhere: a run for hubspot is already in progress/) as string });
    runs.lockedElsewhere = false;
    await store.createRun({ id: 'run_other', installationId: 'hubspot', kind: 'sync', mode: 'incremental', status: 'running', asOf: '2026-03-01', startedAt: Date.parse('2026-03-01T01:00:00.200Z'), stats: emptyRunStats(), rollbackOf: null, scoredAt: null });
    expect(await s.tick(new Date('2026-03-01T01:00:00Z'), 'schedule')).toEqual({ skipped: expect.stringMatching(/already started \(run_other\)/) as string });
    expect(runs.started).toHaveLength(0);
  });

  it('catches up at start when the last success is older than a day; not when it is recent or before a first run by hand', async () => {
    vi.useFakeTimers({ now: new Date('2026-05-10T12:00:00Z') });
    schedule(settings());
    expect(await scheduler?.start()).toBeNull(); // never ran: waits for a first run by hand
    scheduler?.stop();

    await succeededRun(30, 'dry_run'); // a dry run is not a success of the schedule
    await succeededRun(3 * 24);
    const outcome = await schedule(settings()).start();
    expect(outcome).toEqual({ started: 'run_1' });
    expect(runs.started[0].request).toEqual({ kind: 'sync', trigger: 'catch-up' });
    scheduler?.stop();

    runs = new FakeRuns();
    await succeededRun(20);
    expect(await schedule(settings()).start()).toBeNull();
    expect(runs.started).toHaveLength(0);
  });

  it('waits for the first successful run by hand unless told not to', async () => {
    vi.useFakeTimers({ now: new Date('2026-05-10T01:59:00Z') });
    const s = schedule(settings({ cron: '0 2 * * *' }));
    await s.start();
    expect((await s.status()).note).toMatch(/after the first successful run/);
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    expect(runs.started).toHaveLength(0);
    s.stop();
    const eager = schedule(settings({ cron: '0 2 * * *', requireFirstRun: false }));
    expect(await eager.start()).toEqual({ started: 'run_1' }); // nothing ever succeeded: caught up at once
  });
});

describe('schedule settings', () => {
  it('reject a bad cron expression or time zone with the key and the problem', () => {
    expect(() => loadConfig({ overrides: { schedule: { cron: '0 25 * * *' } } })).toThrow(/schedule\.cron: must be a cron expression/);
    expect(() => loadConfig({ overrides: { schedule: { timezone: 'Mars/Olympus' } } })).toThrow(/schedule\.timezone: must be an IANA time zone .*\(got "Mars\/Olympus"\)/);
  });
});
