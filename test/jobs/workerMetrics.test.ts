/**
 * A worker's /metrics: `lifecycle-sync worker --metrics-port` serves the runs it executed, labelled by
 * installation up to metrics.maxInstallationLabels (the oldest installations; the newest is "other"),
 * behind METRICS_TOKEN, with /healthz open. The quota the runs saw is kept in the store, where the
 * server's /metrics reads it. The worker is a child process; three small HubSpot portals.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotSandbox, seedSyntheticDataset, type HubSpotSandbox } from '../../sandboxes/hubspot/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import { RunQueue } from '../../src/jobs/runQueue.ts';
import { silentLogger } from '../../src/log.ts';
import { InstallationLabels } from '../../src/metrics/installationLabels.ts';
import { storeGauges } from '../../src/metrics/storeGauges.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';
import type { RunRecord, Store } from '../../src/store/types.ts';
import { startChild, type LongChild } from '../cliChild.ts';
import { TEST_CONFIG, TEST_ENCRYPTION_KEY } from '../hubspot/harness.ts';
import { scrape } from '../metricsText.ts';
import { freshDatabase, type FreshDatabase } from '../postgres.ts';
import { until as untilValue } from '../until.ts';

const METRICS_TOKEN = 'worker-metrics-token-0123456789';
const DAILY = 100_000;

interface Portal {
  sandbox: HubSpotSandbox;
  id: string;
}

let dir: string;
let database: FreshDatabase;
let store: Store;
let configPath: string;
const portals: Portal[] = [];
let worker: LongChild | null = null;

async function portal(i: number): Promise<Portal> {
  const token = `pat-na1-metrics-${i}-000000000000000000`;
  let offset = -3_600_000;
  const sandbox = createHubSpotSandbox({ limits: { daily: DAILY, searchPerSecond: 1000 }, clock: () => Date.now() + offset, privateAppTokens: [{ token }] });
  seedSyntheticDataset(sandbox.data, { contacts: 20, seed: 70 + i, today: new Date() });
  offset = 0;
  const url = await sandbox.listen();
  const { installation } = await store.addInstallation({ crm: 'hubspot', name: `Client ${i}`, accountId: null });
  await store.saveAccountEnv(installation.id, { HUBSPOT_ACCESS_TOKEN: token, HUBSPOT_BASE_URL: url });
  return { sandbox, id: installation.id };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const until = <T>(what: string, check: () => Promise<T | null>, timeoutMs: number): Promise<T> => untilValue(what, check, timeoutMs, () => worker?.stderr().slice(-3000) ?? '');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lcs-worker-metrics-'));
  database = await freshDatabase();
  store = await openPostgresStore(database.url, { encryptionKey: TEST_ENCRYPTION_KEY });
  configPath = join(dir, 'config.yaml');
  const config = {
    ...TEST_CONFIG,
    jobs: { retryLimit: 0, retryDelaySeconds: 1, heartbeatSeconds: 20, superviseSeconds: 2, expireHours: 1, pollSeconds: 0.5 },
    metrics: { maxInstallationLabels: 2 },
  };
  writeFileSync(configPath, stringify(config));
  // Created one after the other: the first two are the oldest, so they keep their labels.
  for (let i = 0; i < 3; i++) {
    portals.push(await portal(i));
    await sleep(5);
  }
}, 60_000);

afterAll(async () => {
  await worker?.kill('SIGKILL');
  await store?.close();
  for (const p of portals) await p.sandbox.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("a worker's /metrics", () => {
  it('counts the runs it executed by installation, the third installation under "other", behind METRICS_TOKEN', async () => {
    const env = { LIFECYCLE_SYNC_CONFIG: configPath, DATABASE_URL: database.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, LIFECYCLE_SYNC_DB: join(dir, 'unused.db'), LOG_FORMAT: 'json', LOG_LEVEL: 'info', METRICS_TOKEN, HOST: '127.0.0.1' };
    worker = await startChild(['worker', '--concurrency', '2', '--metrics-port', '0'], env, /"worker metrics listening"[^\n]*"port":(\d+)/);
    const base = `http://127.0.0.1:${(/"worker metrics listening"[^\n]*"port":(\d+)/.exec(worker.stderr()) ?? [])[1]}`;

    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer not-the-metrics-token-0123' } })).status).toBe(401);
    const metrics = async () => {
      const r = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return scrape(await r.text());
    };
    expect((await metrics()).samples('lifecycle_sync_runs_total')).toEqual([]);

    const queue = await RunQueue.open({ url: database.url, settings: loadConfig({ file: configPath }).jobs, log: silentLogger(), role: 'client' });
    try {
      for (const p of portals) await queue.enqueue(p.id, { kind: 'sync', trigger: 'cli' });
    } finally {
      await queue.close({ graceful: false });
    }
    const runs: RunRecord[] = [];
    for (const p of portals) runs.push(await until(`the run of ${p.id}`, async () => (await store.listRuns(p.id, 5)).find((r) => r.status === 'succeeded') ?? null, 90_000));
    // The count follows the run's end in the store by a moment.
    const s = await until('three runs counted', async () => {
      const m = await metrics();
      return m.samples('lifecycle_sync_runs_total').reduce((a, x) => a + x.value, 0) === 3 ? m : null;
    }, 10_000);

    const [a, b, c] = portals;
    expect(s.labelValues('lifecycle_sync_runs_total', 'installation')).toEqual([a.id, b.id, 'other'].sort());
    for (const [i, installation] of [a.id, b.id, 'other'].entries()) {
      expect(s.value('lifecycle_sync_runs_total', { installation, kind: 'sync', status: 'succeeded' })).toBe(1);
      // The same figures as the run history.
      expect(s.value('lifecycle_sync_records_written_total', { installation })).toBe(runs[i].stats.written);
      expect(s.value('lifecycle_sync_api_requests_total', { installation, crm: 'hubspot' })).toBe(runs[i].stats.requests);
      expect(s.value('lifecycle_sync_records_failed_total', { installation })).toBe(0);
    }
    expect(runs[0].stats.written).toBe(a.sandbox.data.contactIds().length);
    expect(s.labelValues('lifecycle_sync_runs_total', 'installation')).not.toContain(c.id);
    expect(s.families.get('lifecycle_sync_run_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(s.text).toContain('lifecycle_sync_run_duration_seconds_count{kind="sync",status="succeeded"} 3\n');
    expect(s.value('lifecycle_sync_worker_runs_in_hand')).toBe(0);
    expect(s.value('lifecycle_sync_queue_jobs', { queue: 'lifecycle-sync-run', state: 'active' })).toBeDefined();
    expect(s.families.has('lifecycle_sync_process_resident_memory_bytes')).toBe(true);
    // State is the server's to expose, once: no worker's view of it.
    expect(s.families.has('lifecycle_sync_last_success_timestamp_seconds')).toBe(false);

    // The quota each run saw is in the store: the server's /metrics gives it per installation.
    for (const run of runs) expect(run.stats.dailyQuota).toEqual({ limit: DAILY, remaining: DAILY - run.stats.requests });
    const registry = new Registry();
    storeGauges(registry, store, new InstallationLabels(2));
    const server = scrape(await registry.metrics());
    expect(server.value('lifecycle_sync_api_quota_remaining', { installation: a.id, crm: 'hubspot' })).toBe(DAILY - runs[0].stats.requests);
    expect(server.value('lifecycle_sync_api_quota_remaining', { installation: 'other', crm: 'hubspot' })).toBe(DAILY - runs[2].stats.requests);
    expect(server.labelValues('lifecycle_sync_last_success_timestamp_seconds', 'installation')).toEqual([a.id, b.id, 'other'].sort());

    await worker.kill('SIGTERM');
    worker = null;
  }, 150_000);
});
