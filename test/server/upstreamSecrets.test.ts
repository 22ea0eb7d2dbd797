/**
 * A CRM (or a proxy in front of it) that echoes the request's Authorization header in its error answers:
 * the token must not come back out of the process — not on /readyz (no token needed), not in the admin
 * API's answers, not in the CLI's output, not in the state file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { spawnCli } from '../cliChild.ts';
import { createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

/** No known token shape: only knowing the exact value can mask it. */
const TOKEN = 'crm-secret-4f9a2c7e1b3d5a6f8e0c2b4d';

let status = 401;
let echo: Server;
let echoUrl = '';
let s: ServiceHarness;

beforeAll(async () => {
  // Answers everything with `status` and a HubSpot-shaped error that repeats what it was sent.
  echo = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    const message = `Authentication failed for ${auth}; the key ${auth.replace(/^Bearer /, '')} is unknown. ${'padding '.repeat(200)}`;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', message, category: 'INVALID_AUTHENTICATION', headers: { authorization: auth } }));
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  s = await createServiceHarness({ dataset: { contacts: 5 }, env: { HUBSPOT_ACCESS_TOKEN: TOKEN }, serviceEnv: { HUBSPOT_BASE_URL: echoUrl } });
});
afterAll(async () => {
  await s?.close();
  await new Promise((resolve) => echo.close(resolve));
});

const readyShape = z
  .object({
    status: z.literal('not_ready'),
    checks: z.object({ store: z.object({ ok: z.literal(true) }).strict(), crm: z.object({ ok: z.literal(false), reason: z.string().max(80) }).strict() }).strict(),
  })
  .strict();

async function readiness(): Promise<z.infer<typeof readyShape>> {
  await s.service.context.installations.reset();
  const r = await s.api('/readyz', { token: null });
  expect(r.status).toBe(503);
  expect(JSON.stringify(r.body)).not.toContain(TOKEN);
  return readyShape.parse(r.body);
}

describe('an upstream that echoes the Authorization header', () => {
  it('/readyz says in its own words what is wrong, and nothing the CRM said', async () => {
    status = 401;
    expect((await readiness()).checks.crm.reason).toBe('the CRM refused the credentials (401)');
    status = 403;
    expect((await readiness()).checks.crm.reason).toBe('the CRM refused access (403)');
    status = 400;
    expect((await readiness()).checks.crm.reason).toBe('the CRM answered the check with an error (400)');
    status = 503;
    expect((await readiness()).checks.crm.reason).toBe('the CRM did not answer (it kept failing)');
  });

  it('the failed run, the status and the runs list never show the token', async () => {
    status = 401;
    const started = await s.api('/api/sync', { method: 'POST', body: {} });
    expect(started.status).toBe(202);
    const { runId } = z.object({ runId: z.string() }).parse(started.body);
    expect(await s.waitForRun(runId)).toMatchObject({ status: 'failed' });
    for (const path of [`/api/runs/${runId}`, '/api/runs', '/api/status']) {
      const r = await s.api(path);
      expect(r.status, path).toBe(200);
      expect(JSON.stringify(r.body), path).not.toContain(TOKEN);
    }
    // It still says what happened.
    expect(JSON.stringify((await s.api(`/api/runs/${runId}`)).body)).toMatch(/HubSpot rejected the credentials/);
  });

  it('the CLI prints no token (sync, sync --json, setup, runs), and the state file holds none', async () => {
    status = 401;
    const env = { ...s.h.env, HUBSPOT_BASE_URL: echoUrl, LIFECYCLE_SYNC_CONFIG: s.h.configPath, LOG_LEVEL: 'debug' };
    for (const args of [['sync'], ['sync', '--json'], ['setup'], ['runs']]) {
      const r = await spawnCli(args, env, s.h.dir);
      expect(`${r.stdout}\n${r.stderr}`, args.join(' ')).not.toContain(TOKEN);
      if (args[0] === 'sync') expect(r.code).toBe(1);
    }
    const runs = await spawnCli(['runs'], env, s.h.dir);
    expect(runs.stdout).toMatch(/failed/);
    for (const file of [s.h.dbPath, `${s.h.dbPath}-wal`]) {
      if (existsSync(file)) expect(readFileSync(file).includes(TOKEN), `${file} holds the token`).toBe(false);
    }
  });
});
