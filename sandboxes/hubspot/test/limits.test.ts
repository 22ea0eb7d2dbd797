// Rate limits (with an injected clock), injected faults and the request counters.
import { afterEach, describe, expect, it } from 'vitest';
import { createHubSpotSandbox, type HubSpotSandbox, type HubSpotSandboxOptions } from '../index.ts';

const TOKEN = 'sandbox-private-app-token';
let open: HubSpotSandbox[] = [];

afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

async function start(options: HubSpotSandboxOptions): Promise<{ sandbox: HubSpotSandbox; url: string }> {
  const sandbox = createHubSpotSandbox(options);
  open.push(sandbox);
  return { sandbox, url: await sandbox.listen() };
}

async function call(url: string, path: string, init: { method?: string; body?: unknown; token?: string } = {}) {
  const res = await fetch(url + path, {
    method: init.method ?? 'GET',
    headers: { Authorization: `Bearer ${init.token ?? TOKEN}`, 'Content-Type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
}

describe('rate limits', () => {
  it('enforces a rolling 10-second window per private app, with headers on every response', async () => {
    let now = Date.UTC(2026, 4, 1, 8);
    const { sandbox, url } = await start({ clock: () => now, limits: { tenSecondly: 5, daily: 1000 } });
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await call(url, '/crm/v3/objects/contacts');
      expect(r.status).toBe(200);
      remaining.push(r.headers.get('x-hubspot-ratelimit-remaining') ?? '');
      expect(r.headers.get('x-hubspot-ratelimit-max')).toBe('5');
      expect(r.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
      expect(r.headers.get('x-hubspot-ratelimit-daily')).toBe('1000');
      expect(r.headers.get('x-hubspot-ratelimit-secondly')).not.toBeNull();
      expect(r.headers.get('x-hubspot-ratelimit-secondly-remaining')).not.toBeNull();
      expect(r.headers.get('x-hubspot-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
      now += 1000;
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);
    expect(sandbox.stats.rateLimited.TEN_SECONDLY_ROLLING).toBe(0);
    const refused = await call(url, '/crm/v3/objects/contacts');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(refused.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
    expect(refused.body).toMatchObject({ status: 'error', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING', message: 'You have reached your ten_secondly_rolling limit.' });
    expect(refused.body).not.toHaveProperty('category');
    expect(typeof refused.body.requestId).toBe('string');
    expect(sandbox.stats.rateLimited.TEN_SECONDLY_ROLLING).toBe(1);
    expect(sandbox.stats.requests).toBe(6);
    // The window rolls: the first request (t=0) leaves it at t=10s.
    now += 5000;
    expect((await call(url, '/crm/v3/objects/contacts')).status).toBe(200);
    expect((await call(url, '/crm/v3/objects/contacts')).status).toBe(429);
  });

  it('has a daily budget for private apps that resets at midnight', async () => {
    let now = Date.UTC(2026, 4, 1, 23, 59);
    const { sandbox, url } = await start({ clock: () => now, limits: { daily: 3 } });
    for (let i = 0; i < 3; i++) expect((await call(url, '/crm/v3/pipelines/deals')).status).toBe(200);
    const refused = await call(url, '/crm/v3/pipelines/deals');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ policyName: 'DAILY', message: 'You have reached your daily limit.', errorType: 'RATE_LIMIT' });
    expect(refused.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('0');
    expect(sandbox.stats.rateLimited.DAILY).toBe(1);
    now += 60_000;
    expect((await call(url, '/crm/v3/pipelines/deals')).status).toBe(200);
  });

  it('gives OAuth apps their own window and no daily limit', async () => {
    const now = Date.UTC(2026, 4, 1, 8);
    const { sandbox, url } = await start({ clock: () => now, limits: { tenSecondly: 2, oauthTenSecondly: 3, daily: 1 } });
    const tokenRes = await fetch(`${url}/oauth/v1/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: sandbox.issueAuthorizationCode(), redirect_uri: 'http://localhost:3000/oauth/hubspot/callback', client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret' }),
    });
    const access = ((await tokenRes.json()) as { access_token: string }).access_token;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(url, '/crm/v3/objects/contacts', { token: access })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(sandbox.stats.rateLimited).toEqual({ TEN_SECONDLY_ROLLING: 1, DAILY: 0, SECONDLY: 0 });
  });

  it('limits search per second, separately, with the SECONDLY body and no headers', async () => {
    let now = Date.UTC(2026, 4, 1, 8);
    const { sandbox, url } = await start({ clock: () => now, limits: { searchPerSecond: 2, tenSecondly: 1 } });
    const searchOnce = () => call(url, '/crm/v3/objects/contacts/search', { method: 'POST', body: {} });
    expect((await searchOnce()).status).toBe(200);
    expect((await searchOnce()).status).toBe(200);
    const refused = await searchOnce();
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ policyName: 'SECONDLY', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT' });
    expect([...refused.headers.keys()].filter((k) => k.startsWith('x-hubspot-ratelimit'))).toEqual([]);
    // Search did not use the burst window.
    expect((await call(url, '/crm/v3/objects/contacts')).status).toBe(200);
    now += 1000;
    expect((await searchOnce()).status).toBe(200);
    expect(sandbox.stats.rateLimited.SECONDLY).toBe(1);
  });
});

describe('fault injection', () => {
  it('answers injected 429s with the TEN_SECONDLY_ROLLING body, counted apart from real limits', async () => {
    const { sandbox, url } = await start({ faults: { rate429: 1 } });
    const r = await call(url, '/crm/v3/objects/contacts');
    expect(r.status).toBe(429);
    expect(r.body).toMatchObject({ policyName: 'TEN_SECONDLY_ROLLING', errorType: 'RATE_LIMIT' });
    expect(sandbox.stats.injected['429']).toBe(1);
    expect(sandbox.stats.rateLimited.TEN_SECONDLY_ROLLING).toBe(0);
    expect(sandbox.stats.requests).toBe(1);
  });

  it('answers injected 5xx with JSON bodies', async () => {
    const { sandbox, url } = await start({ faults: { rate5xx: 1, seed: 3 } });
    for (let i = 0; i < 8; i++) {
      const r = await call(url, '/crm/v3/objects/contacts');
      expect([500, 502, 503, 504]).toContain(r.status);
      expect(r.headers.get('content-type')).toBe('application/json;charset=utf-8');
      expect(r.body).toMatchObject({ status: 'error', category: 'INTERNAL_ERROR' });
    }
    expect(sandbox.stats.injected['5xx']).toBe(8);
  });

  it('drops connections without an answer', async () => {
    const { sandbox, url } = await start({ faults: { rateDrop: 1 } });
    await expect(fetch(`${url}/crm/v3/objects/contacts`, { headers: { Authorization: `Bearer ${TOKEN}` } })).rejects.toThrow();
    expect(sandbox.stats.injected.drop).toBe(1);
  });

  it('is reproducible for a seed, can be changed at run time, and spares the OAuth endpoint', async () => {
    const run = async () => {
      const { url } = await start({ faults: { rate5xx: 0.3, rate429: 0.2, seed: 42 } });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await call(url, '/crm/v3/pipelines/deals')).status);
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(2);

    const { sandbox, url } = await start({ faults: { rate5xx: 1 } });
    const token = await fetch(`${url}/oauth/v1/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token&refresh_token=x&client_id=sandbox-client-id&client_secret=sandbox-client-secret' });
    expect(token.status).toBe(400);
    sandbox.setFaults({});
    expect((await call(url, '/crm/v3/pipelines/deals')).status).toBe(200);
  });

  it('delays requests by latencyMs', async () => {
    const { url } = await start({ faults: { latencyMs: [40, 60], seed: 1 } });
    const started = performance.now();
    expect((await call(url, '/crm/v3/pipelines/deals')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
  });
});

describe('stats', () => {
  it('counts requests per route and resets', async () => {
    const { sandbox, url } = await start({});
    const id = sandbox.data.createContact({ email: 'x@example.com' });
    await call(url, '/crm/v3/objects/contacts');
    await call(url, `/crm/v3/objects/contacts/${id}`);
    await call(url, '/crm/v3/objects/contacts/batch/update', { method: 'POST', body: { inputs: [{ id, properties: { firstname: 'X' } }] } });
    await call(url, '/crm/v3/objects/contacts', { token: 'wrong' });
    expect(sandbox.stats.requests).toBe(4);
    expect(sandbox.stats.byRoute).toEqual({
      'GET /crm/v3/objects/contacts': 2,
      'GET /crm/v3/objects/contacts/{objectId}': 1,
      'POST /crm/v3/objects/contacts/batch/update': 1,
    });
    expect(sandbox.stats.batchUpdateInputs).toBe(1);
    sandbox.stats.reset();
    expect(sandbox.stats.requests).toBe(0);
    expect(sandbox.stats.byRoute).toEqual({});
    expect(sandbox.stats.batchUpdateInputs).toBe(0);
  });
});
