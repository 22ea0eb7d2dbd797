/**
 * The service as a process: killed in the middle of a run and started again, started with a key that
 * does not open its stored credentials, started with a state file that holds nothing. Each is what an
 * admin would see (`serve` / `npm start` in a child process, a HubSpot sandbox over real HTTP).
 */
import { allAudit } from '../storeReads.ts';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Env } from '../../src/crm.ts';
import { openStore } from '../../src/store/sqlite.ts';
import { spawnCli, startServing, type ServingChild } from '../cliChild.ts';
import { createHarness, TEST_ENCRYPTION_KEY, type Harness } from '../hubspot/harness.ts';
import { ADMIN_TOKEN } from './serviceHarness.ts';

let h: Harness | null = null;
let child: ServingChild | null = null;
afterEach(async () => {
  await child?.kill('SIGTERM');
  child = null;
  await h?.close();
  h = null;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A machine's environment without this shell's CRM settings. */
function cleanEnv(extra: Env): Env {
  const env: Record<string, string | undefined> = {};
  for (const key of Object.keys(process.env)) if (/^(HUBSPOT_|SALESFORCE_|LIFECYCLE_SYNC_|ADMIN_TOKEN|ENCRYPTION_KEY|PUBLIC_URL|SYNC_)/.test(key)) env[key] = undefined;
  return { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...extra };
}

async function api(base: string, path: string, method = 'GET'): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) }, body: method === 'POST' ? '{}' : undefined });
  const body: unknown = await res.json();
  return { status: res.status, body };
}

const runShape = z.object({ run: z.object({ status: z.string(), message: z.string().nullable(), stats: z.object({ written: z.number() }) }) });

async function waitForEnd(base: string, runId: string): Promise<z.infer<typeof runShape>['run']> {
  for (let i = 0; i < 600; i++) {
    const { run } = runShape.parse((await api(base, `/api/runs/${runId}`)).body);
    if (run.status !== 'running') return run;
    await sleep(100);
  }
  throw new Error(`run ${runId} did not end`);
}

describe('the service as a process', () => {
  it('killed in the middle of a run: at restart the run is interrupted with the writes it made, and it can be rolled back', { timeout: 120_000 }, async () => {
    h = await createHarness({ dataset: { contacts: 1500 }, sandbox: { faults: { latencyMs: 40 } } });
    const env = cleanEnv({ ...h.env, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, ADMIN_TOKEN, LIFECYCLE_SYNC_CONFIG: h.configPath });
    child = await startServing(['serve'], env);
    const start = await api(child.url, '/api/sync', 'POST');
    expect(start.status).toBe(202);
    const { runId } = z.object({ runId: z.string() }).parse(start.body);
    // Killed once some writes are recorded as applied (a loaded machine may be slower to record them than to send them).
    const harness = h;
    while ((await allAudit(harness.store, runId)).filter((e) => e.state === 'applied').length < 100) await sleep(5);
    await child.kill('SIGKILL');
    expect((await h.store.getRun(runId))?.status).toBe('running');

    child = await startServing(['serve'], env);
    const run = runShape.parse((await api(child.url, `/api/runs/${runId}`)).body).run;
    const applied = new Set((await allAudit(h.store, runId)).filter((e) => e.state === 'applied').map((e) => e.recordId));
    expect(applied.size).toBeGreaterThan(0);
    expect(run.status).toBe('interrupted');
    expect(run.stats.written).toBe(applied.size);
    expect(run.message).toMatch(/can be rolled back/);

    const rollback = await api(child.url, `/api/runs/${runId}/rollback`, 'POST');
    expect(rollback.status).toBe(202);
    const ended = await waitForEnd(child.url, z.object({ runId: z.string() }).parse(rollback.body).runId);
    expect(ended.status).toBe('succeeded');
    // Every value the killed run got into the CRM (also those in flight when it died) is gone again.
    for (const [id, values] of h.crmValues()) for (const [name, value] of Object.entries(values)) expect(value, `contact ${id} ${name}`).toBeNull();
  });

  it('a key that does not open the stored credentials: serve and start exit with what to check, and never serve the demo', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lcs-wrong-key-'));
    const db = join(dir, 'state.db');
    const store = openStore(db, { encryptionKey: TEST_ENCRYPTION_KEY });
    await store.upsertInstallation({ id: 'hubspot', crm: 'hubspot', name: 'HubSpot' });
    await store.saveCredentials('hubspot', { kind: 'oauth', accessToken: 'stored-access-token-0123456789', refreshToken: 'stored-refresh-token-0123456789' });
    await store.close();
    const env = cleanEnv({ LIFECYCLE_SYNC_DB: db, ADMIN_TOKEN, ENCRYPTION_KEY: 'another-key-than-the-one-it-was-saved-with' });
    for (const command of ['serve', 'start']) {
      const result = await spawnCli([command], env);
      expect(result.code, command).toBe(1);
      expect(result.stderr).toMatch(/stored credentials for hubspot cannot be decrypted: is ENCRYPTION_KEY the one they were saved with\?/);
      expect(result.stdout).not.toMatch(/demo|Admin page|admin:/i);
    }
    const noKey = await spawnCli(['start'], cleanEnv({ LIFECYCLE_SYNC_DB: db, ADMIN_TOKEN }));
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/holds credentials for hubspot, but ENCRYPTION_KEY is not set/);
  });

  it('serve with a token the CRM refuses says so, and never "Connected"', { timeout: 60_000 }, async () => {
    h = await createHarness({ dataset: { contacts: 5 } });
    child = await startServing(['serve'], cleanEnv({ ...h.env, HUBSPOT_ACCESS_TOKEN: 'pat-na1-not-a-valid-token-000000000000', ADMIN_TOKEN, LIFECYCLE_SYNC_CONFIG: h.configPath }));
    const serving = child;
    for (let i = 0; i < 100 && !/connected/i.test(serving.stdout()); i++) await sleep(100);
    expect(serving.stdout()).not.toMatch(/Connected CRM/);
    expect(serving.stdout()).toMatch(/Not connected: hubspot \(installation hubspot\) refused its credentials: .+\. Check the token/);
  });

  it('npm start with LIFECYCLE_SYNC_DB naming a file with no installation says the demo does not use it, and leaves it alone', { timeout: 60_000 }, async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'lcs-empty-db-')), 'mine.db');
    child = await startServing(['start'], cleanEnv({ LIFECYCLE_SYNC_DB: db }));
    expect(child.stdout()).toContain(`LIFECYCLE_SYNC_DB (${db}) holds no installation, so this is the demo`);
    expect(existsSync(db)).toBe(false);
  });
});
