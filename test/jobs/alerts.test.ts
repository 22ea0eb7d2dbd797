/**
 * Alerts from `lifecycle-sync worker` processes on Postgres: the worker that ran a run alerts for it (a
 * run stopped by the daily API share), and with two workers looking, "no successful run" goes out once.
 * The workers are child processes; the webhook is a local HTTP receiver.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHubSpotSandbox, seedSyntheticDataset, type HubSpotSandbox } from '../../sandboxes/hubspot/index.ts';
import { webhookReceiver, type WebhookReceiver } from '../alerts/receivers.ts';
import { startChild, type LongChild } from '../cliChild.ts';
import { runCli } from '../cli/run.ts';
import { TEST_CONFIG, TEST_ENCRYPTION_KEY } from '../hubspot/harness.ts';
import { freshDatabase, type FreshDatabase } from '../postgres.ts';

const TOKEN = 'pat-na1-alerts-0000000000000000000';
let dir: string;
let database: FreshDatabase;
let sandbox: HubSpotSandbox;
let hook: WebhookReceiver;
let env: Record<string, string>;
const workers: LongChild[] = [];

beforeAll(async () => {
  // 60 requests a day, of which the plugin may use half: not enough for a first sync of 300 contacts.
  sandbox = createHubSpotSandbox({ limits: { tenSecondly: 100_000, searchPerSecond: 1000, daily: 60 }, privateAppTokens: [{ token: TOKEN }] });
  seedSyntheticDataset(sandbox.data, { contacts: 300, seed: 7, today: new Date() });
  const url = await sandbox.listen();
  hook = await webhookReceiver();
  dir = mkdtempSync(join(tmpdir(), 'lcs-alerts-jobs-'));
  database = await freshDatabase();
  const configPath = join(dir, 'config.yaml');
  const alerts = { enabled: true, webhooks: [hook.url], thresholds: { noSuccessHours: 0.002 }, checkEveryMinutes: 0.05, retry: { attempts: 2, baseDelayMs: 50, maxDelayMs: 50, timeoutMs: 5000 } };
  writeFileSync(configPath, stringify({ ...TEST_CONFIG, alerts, jobs: { retryLimit: 0, retryDelaySeconds: 1, heartbeatSeconds: 20, superviseSeconds: 2, expireHours: 1, pollSeconds: 0.5 } }));
  env = { LIFECYCLE_SYNC_CONFIG: configPath, DATABASE_URL: database.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, HUBSPOT_ACCESS_TOKEN: TOKEN, HUBSPOT_BASE_URL: url, LOG_FORMAT: 'json', LOG_LEVEL: 'info' };
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill('SIGKILL')));
  await hook?.close();
  await sandbox?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const texts = () => hook.bodies.map((b) => z.object({ text: z.string() }).parse(b).text);

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(texts())}\n${workers.map((w) => w.stderr().slice(-2000)).join('\n---\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('alerts from workers', () => {
  it('the worker that ran a quota-stopped run alerts once; two workers send "no successful run" once', { timeout: 180_000 }, async () => {
    for (let i = 0; i < 2; i++) workers.push(await startChild(['worker', '--concurrency', '1'], env, /worker ready/));
    const queued = await runCli(['sync', '--crm', 'hubspot', '--enqueue'], env);
    expect(queued.code, queued.stderr).toBe(0);
    await until('the quota alert', () => texts().some((t) => t.includes('stopped by the API quota')), 90_000);
    // The installation has no successful run yet: after 0.002 hours (7 s) both workers' checks find it.
    await until('the no-success alert', () => texts().some((t) => t.includes('no successful run')), 60_000);
    // Several more checks by both workers (every 3 s) send nothing more.
    await new Promise((resolve) => setTimeout(resolve, 8000));
    const all = texts();
    expect(all.filter((t) => t.includes('stopped by the API quota'))).toHaveLength(1);
    expect(all.filter((t) => t.includes('no successful run'))).toHaveLength(1);
    expect(all.every((t) => t.startsWith('Lifecycle Sync: ') && t.includes('installation hubspot'))).toBe(true);
    for (const w of workers) expect(w.stderr() + w.stdout()).not.toContain(TOKEN);
  });
});
