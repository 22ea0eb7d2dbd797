/**
 * Every installation's schedule in one process (SQLite, no workers): each on its own cron and time zone,
 * paused ones left out, a change of schedule followed without a restart, and no more scheduled runs at
 * once than jobs.localConcurrency (the rest wait their turn and all of them run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import type { CronEngine } from '../../src/scheduler/cron.ts';
import { LocalSchedules } from '../../src/scheduler/localSchedules.ts';
import { Installations, type InstallationScope } from '../../src/service/installation.ts';
import type { RunRequest, StartedRun } from '../../src/service/runner.ts';
import { openStore, type SqliteStore } from '../../src/store/sqlite.ts';
import { emptyRunStats } from '../../src/store/types.ts';

/** A cron that fires only when told; it records each schedule set (expression and zone). */
class HandCron implements CronEngine {
  jobs: { expression: string; timezone: string; onTick: (slot: Date) => void; stopped: boolean }[] = [];
  schedule(expression: string, timezone: string, onTick: (slot: Date) => void) {
    const job = { expression, timezone, onTick, stopped: false };
    this.jobs.push(job);
    return { stop: () => void (job.stopped = true), nextRun: () => null };
  }
  live() {
    return this.jobs.filter((j) => !j.stopped);
  }
}

/** Runs that last until finished by the test; records how many were in progress at once. */
class HeldRuns {
  started: { installationId: string; request: RunRequest }[] = [];
  private readonly open = new Map<string, () => void>();
  maxAtOnce = 0;
  current(installationId: string): StartedRun | null {
    return this.open.has(installationId) ? ({ runId: `run_${installationId}`, kind: 'sync', installationId, done: new Promise(() => {}) } satisfies StartedRun) : null;
  }
  start(request: RunRequest, scope?: InstallationScope): Promise<StartedRun> {
    const installationId = scope?.installationId ?? 'none';
    this.started.push({ installationId, request });
    let finish: () => void = () => {};
    const done = new Promise<null>((resolve) => (finish = () => resolve(null)));
    this.open.set(installationId, () => {
      this.open.delete(installationId);
      finish();
    });
    this.maxAtOnce = Math.max(this.maxAtOnce, this.open.size);
    return Promise.resolve({ runId: `run_${installationId}_${this.started.length}`, kind: 'sync', installationId, done });
  }
  finishAll(): void {
    for (const finish of [...this.open.values()]) finish();
  }
}

let dir: string;
let store: SqliteStore;
let schedules: LocalSchedules | null = null;
const ids: string[] = [];
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lcs-local-schedules-'));
  store = openStore(join(dir, 'state.db'));
  ids.length = 0;
  for (const [name, schedule, status] of [
    ['Acme', { cron: '0 2 * * *', timezone: 'UTC', requireFirstRun: false }, 'active'],
    ['Beta', { cron: '30 4 * * *', timezone: 'Europe/Berlin', requireFirstRun: false }, 'active'],
    ['Gamma', { cron: '0 3 * * *', timezone: 'UTC', requireFirstRun: false }, 'active'],
    ['Paused', { cron: '0 1 * * *', timezone: 'UTC', requireFirstRun: false }, 'paused'],
  ] as const) {
    const { installation } = await store.addInstallation({ crm: 'hubspot', name, accountId: name });
    await store.updateInstallation(installation.id, { status, settings: { schedule } });
    ids.push(installation.id);
    // A successful sync an hour ago: no catch-up run at start, only the ticks.
    const runId = `run_20261201T010000_${name.toLowerCase()}`;
    await store.createRun({ id: runId, installationId: installation.id, kind: 'sync', mode: 'full', status: 'running', asOf: '2026-12-01', startedAt: Date.now() - 3_700_000, stats: emptyRunStats(), rollbackOf: null, scoredAt: null });
    await store.updateRun(runId, { status: 'succeeded', finishedAt: Date.now() - 3_600_000 });
  }
});
afterEach(async () => {
  schedules?.stop();
  schedules = null;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function start(cron: HandCron, runs: HeldRuns, concurrency: number): Promise<void> {
  const config = loadConfig();
  const installations = new Installations({ config, env: {}, store, log: silentLogger() });
  schedules = new LocalSchedules({ store, installations, runs, cron, log: silentLogger(), everyMs: 60_000, concurrency });
  return schedules.start();
}

describe('schedules of every installation in one process', () => {
  it('sets each active installation on its own cron and zone, paused ones not at all', async () => {
    const cron = new HandCron();
    await start(cron, new HeldRuns(), 2);
    expect(cron.live().map((j) => `${j.expression} ${j.timezone}`).sort()).toEqual(['0 2 * * * UTC', '0 3 * * * UTC', '30 4 * * * Europe/Berlin']);
  });

  it('follows a changed schedule, a pause and a resume without a restart', async () => {
    const cron = new HandCron();
    await start(cron, new HeldRuns(), 2);
    await store.updateInstallation(ids[0], { settings: { schedule: { cron: '15 6 * * *', timezone: 'UTC', requireFirstRun: false } } });
    await store.updateInstallation(ids[1], { status: 'paused' });
    await store.updateInstallation(ids[3], { status: 'active' });
    await schedules?.reconcile();
    expect(cron.live().map((j) => j.expression).sort()).toEqual(['0 1 * * *', '0 3 * * *', '15 6 * * *']);
  });

  it('catches up a missed run per installation at start, within the same limit', async () => {
    await store.updateRun('run_20261201T010000_acme', { finishedAt: Date.now() - 30 * 3_600_000 });
    const runs = new HeldRuns();
    await start(new HandCron(), runs, 2);
    await settle();
    expect(runs.started).toEqual([{ installationId: ids[0], request: { kind: 'sync', trigger: 'catch-up' } }]);
  });

  it('runs no more scheduled runs at once than the limit, and every one of them in turn', async () => {
    const cron = new HandCron();
    const runs = new HeldRuns();
    await start(cron, runs, 2);
    for (const job of cron.live()) job.onTick(new Date());
    await settle();
    expect(runs.started).toHaveLength(2);
    runs.finishAll();
    await settle();
    expect(runs.started).toHaveLength(3);
    runs.finishAll();
    await settle();
    expect(runs.maxAtOnce).toBe(2);
    expect(runs.started.map((r) => r.installationId).sort()).toEqual([ids[0], ids[1], ids[2]].sort());
    expect(runs.started.every((r) => r.request.kind === 'sync' && r.request.trigger === 'schedule')).toBe(true);
  });
});
