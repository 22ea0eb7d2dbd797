/**
 * The sync under the failures a real HubSpot connection sees: rate limiting, server errors, dropped
 * connections, an access token expiring mid-run, and the process itself killed at random points.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_OAUTH_CLIENT } from '../../sandboxes/hubspot/index.ts';
import { runCli, runCliUntil } from '../cliChild.ts';
import { createHarness, TEST_ENCRYPTION_KEY } from './harness.ts';
import { harnesses, onceAfterFirstPage } from '../syncHooks.ts';

const { open: harness, closeAll } = harnesses(createHarness);
afterEach(closeAll);

const AS_OF = '2026-11-01';
const AS_OF_DAY = Math.floor(Date.parse(AS_OF) / 86_400_000);

describe('HubSpot sync under failures', () => {
  it('30 % injected 429s and 10 % 5xx or dropped connections: every record written, none failed', async () => {
    const h = await harness({ dataset: { contacts: 400 }, sandbox: { faults: { rate429: 0.3, rate5xx: 0.05, rateDrop: 0.05, seed: 11 } } });
    const run = await h.sync({ asOfDay: AS_OF_DAY });
    expect(run).toMatchObject({ status: 'succeeded', written: 400, failed: 0 });
    const injected = h.sandbox.stats.injected;
    expect(injected['429']).toBeGreaterThan(10);
    expect(injected['5xx'] + injected.drop).toBeGreaterThan(3);
    expect(run.retries).toBe(injected['429'] + injected['5xx'] + injected.drop);
    for (const [id, v] of h.crmValues()) expect(v.lcs_stage, `contact ${id}`).toBeTruthy();

    // The same end state as without faults.
    const clean = await harness({ dataset: { contacts: 400 } });
    await clean.sync({ asOfDay: AS_OF_DAY });
    expect(h.crmValues()).toEqual(clean.crmValues());
  });

  it('an OAuth access token that expires mid-run is refreshed and the run continues; new tokens are stored encrypted', async () => {
    const bootstrap = await harness({ dataset: { contacts: 10 } });
    // Install: the sandbox approves a code, which is exchanged for tokens like the admin page would.
    const exchange = await fetch(`${bootstrap.url}/oauth/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: DEFAULT_OAUTH_CLIENT.clientId,
        client_secret: DEFAULT_OAUTH_CLIENT.clientSecret,
        redirect_uri: DEFAULT_OAUTH_CLIENT.redirectUri,
        code: bootstrap.sandbox.issueAuthorizationCode(),
      }),
    });
    expect(exchange.status).toBe(200);
    const { refresh_token: refreshToken } = (await exchange.json()) as { refresh_token: string };

    // Refresh tokens are per sandbox; this one needs its own install, so reuse the bootstrap's.
    const h = bootstrap;
    h.env = {
      HUBSPOT_BASE_URL: h.url,
      LIFECYCLE_SYNC_DB: h.dbPath,
      HUBSPOT_CLIENT_ID: DEFAULT_OAUTH_CLIENT.clientId,
      HUBSPOT_CLIENT_SECRET: DEFAULT_OAUTH_CLIENT.clientSecret,
      HUBSPOT_REFRESH_TOKEN: refreshToken,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    };
    const expiry = onceAfterFirstPage(() => h.sandbox.expireAccessTokens());
    const run = await h.sync({ onProgress: expiry.onProgress });
    expect(expiry.fired()).toBe(true);
    expect(run).toMatchObject({ status: 'succeeded', written: 10, failed: 0 });
    // One refresh to get a first access token, one after the expiry.
    expect(h.sandbox.stats.byRoute['POST /oauth/v1/token']).toBe(1 + 2);
    const stored = await h.store.loadCredentials('hubspot');
    expect(stored?.refreshToken).toBeTruthy();
    expect(stored?.accessToken).toBeTruthy();
  });

  it('a process killed at random points resumes to the same final CRM state as a clean run', async () => {
    const contacts = 600;
    const reference = await harness({ dataset: { contacts } });
    const clean = await reference.sync({ asOfDay: AS_OF_DAY });
    expect(clean.status).toBe('succeeded');
    const requestsOfCleanRun = reference.sandbox.stats.requests;
    const expected = reference.crmValues();

    // Kill points in every phase: creating fields, pulling deals, writing (twice), and anywhere.
    const route = {
      fields: 'POST /crm/v3/properties/contacts',
      deals: 'GET /crm/v3/objects/deals',
      writes: 'POST /crm/objects/2026-09/contacts/batch/update',
    };
    const countOf = (key: string) => reference.sandbox.stats.byRoute[key] ?? 0;
    const pick = (n: number) => 1 + Math.floor(Math.random() * Math.max(1, n - 1));
    const plans: { label: string; key: string | null; at: number }[] = [
      { label: 'creating fields', key: route.fields, at: pick(countOf(route.fields)) },
      { label: 'pulling deals', key: route.deals, at: pick(countOf(route.deals)) },
      { label: 'writing', key: route.writes, at: pick(countOf(route.writes)) },
      { label: 'writing', key: route.writes, at: pick(countOf(route.writes)) },
      { label: 'anywhere', key: null, at: pick(requestsOfCleanRun) },
    ];
    const outcomes: string[] = [];
    let partialWrites = 0;
    for (const [trial, plan] of plans.entries()) {
      // Latency spreads the run out so the kill lands near its point.
      const h = await harness({ dataset: { contacts }, sandbox: { faults: { latencyMs: [1, 4] } } });
      const killed = await runCliUntil(h, ['sync', '--as-of', AS_OF], () => (plan.key === null ? h.sandbox.stats.requests : (h.sandbox.stats.byRoute[plan.key] ?? 0)) >= plan.at);
      const written = [...h.crmValues().values()].filter((v) => v.lcs_stage !== null).length;
      if (killed && written > 0 && written < contacts) partialWrites++;
      outcomes.push(`${plan.label} (at ${plan.at}): ${killed ? `killed with ${written} of ${contacts} contacts written` : 'finished before the kill'}`);
      // A second kill at a random point of the resumed run, then a run to the end.
      if (killed) {
        const resumedAt = h.sandbox.stats.requests + pick(requestsOfCleanRun / 2);
        await runCliUntil(h, ['sync', '--as-of', AS_OF], () => h.sandbox.stats.requests >= resumedAt);
      }
      const final = await runCli(h, ['sync', '--as-of', AS_OF, '--json']);
      expect(final.code, final.stderr).toBe(0);
      expect((JSON.parse(final.stdout) as { status: string }).status).toBe('succeeded');
      expect(h.crmValues(), `trial ${trial}: ${outcomes[trial]}`).toEqual(expected);
    }
    console.log(`kill trials:\n  ${outcomes.join('\n  ')}`);
    expect(partialWrites, outcomes.join('; ')).toBeGreaterThanOrEqual(1);
  }, 240_000);
});
