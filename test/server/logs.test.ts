/**
 * What the service logs during an OAuth install and full runs (with rate limiting and an expired token
 * refreshed mid-way): no secret it used appears anywhere, and every line a run logs — the engine's and
 * the connector's — carries the run's id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TEST_ENCRYPTION_KEY } from '../hubspot/harness.ts';
import { ADMIN_TOKEN, createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

const APP = { clientId: 'lcs-log-test', clientSecret: 'hubspot-client-secret-for-the-log-test', redirectUri: 'http://lcs.test/oauth/hubspot/callback' };

let s: ServiceHarness;
const secrets = new Set<string>([ADMIN_TOKEN, APP.clientSecret, TEST_ENCRYPTION_KEY]);
const runIds: string[] = [];

async function browse(url: string, cookie?: string): Promise<{ location: string; cookie: string }> {
  const r = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  await r.arrayBuffer();
  return { location: r.headers.get('location') ?? '', cookie: r.headers.getSetCookie()[0]?.split(';')[0] ?? '' };
}

beforeAll(async () => {
  s = await createServiceHarness({
    dataset: { contacts: 200 },
    sandbox: { oauthClients: [APP] },
    env: { HUBSPOT_ACCESS_TOKEN: '' },
    serviceEnv: (h) => ({ PUBLIC_URL: 'http://lcs.test', HUBSPOT_CLIENT_ID: APP.clientId, HUBSPOT_CLIENT_SECRET: APP.clientSecret, HUBSPOT_AUTHORIZE_URL: `${h.url}/oauth/authorize` }),
    captureLogs: true,
    logLevel: 'debug',
  });
  // Install with OAuth, as an admin would from the page.
  const { url } = z.object({ url: z.string() }).parse((await s.api('/api/install/hubspot', { method: 'POST', body: {} })).body);
  const start = await browse(`${s.url}${url}`);
  const consent = await browse(start.location);
  const callback = new URL(consent.location);
  secrets.add(callback.searchParams.get('code') ?? '');
  const done = await browse(`${s.url}${callback.pathname}${callback.search}`, start.cookie);
  expect(done.location).toBe('/?installed=hubspot');
  const installed = await s.h.store.loadCredentials('hubspot');
  secrets.add(installed?.accessToken ?? '');
  secrets.add(installed?.refreshToken ?? '');

  // Runs with rate limiting (the connector logs its retries) and a token that expires between them.
  s.h.sandbox.setFaults({ rate429: 0.15, seed: 5 });
  for (const body of [{ dryRun: true }, {}, { full: true }]) {
    if (runIds.length === 2) s.h.sandbox.expireAccessTokens();
    const { runId } = z.object({ runId: z.string() }).parse((await s.api('/api/sync', { method: 'POST', body })).body);
    runIds.push(runId);
    expect(await s.waitForRun(runId)).toMatchObject({ status: 'succeeded' });
  }
  secrets.add((await s.h.store.loadCredentials('hubspot'))?.accessToken ?? '');
  s.h.sandbox.setFaults({});
});
afterAll(async () => {
  await s?.close();
});

describe('logs of an install and of full runs', () => {
  it('never contain a secret the service used, nor a bearer token', () => {
    const logs = s.logs();
    expect(logs.split('\n').length).toBeGreaterThan(30);
    expect(secrets.size).toBe(7);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(logs.includes(secret), `a secret (${secret.slice(0, 4)}…) was logged`).toBe(false);
    }
    expect(logs).not.toMatch(/Bearer\s+(?!\[redacted\])\S/i);
    expect(logs).toMatch(/installed with OAuth/);
  });

  it('put the run id on every line of a run, the connector’s retries included', () => {
    const lines = s
      .logs()
      .trim()
      .split('\n')
      .map((l) => z.object({ message: z.string(), runId: z.string().optional() }).passthrough().parse(JSON.parse(l)));
    const ofRuns = lines.filter((l) => /^(sync started|dry run started|fields|pulled|classified|sync finished|dry run finished|hubspot request)/.test(l.message));
    expect(ofRuns.filter((l) => l.message.startsWith('hubspot request will be retried')).length).toBeGreaterThan(0);
    for (const line of ofRuns) expect(runIds, JSON.stringify(line)).toContain(line.runId);
    for (const runId of runIds) expect(ofRuns.some((l) => l.runId === runId && /started/.test(l.message))).toBe(true);
  });
});
