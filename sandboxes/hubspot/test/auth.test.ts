// Bearer authentication, scopes and the OAuth token endpoint, over raw HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotSandbox, type HubSpotSandbox } from '../index.ts';

const CLIENT = { clientId: 'sandbox-client-id', clientSecret: 'sandbox-client-secret', redirectUri: 'http://localhost:3000/oauth/hubspot/callback' };

let now = Date.UTC(2026, 2, 1, 9);
let sandbox: HubSpotSandbox;
let url: string;

beforeAll(async () => {
  sandbox = createHubSpotSandbox({
    clock: () => now,
    privateAppTokens: [{ token: 'sandbox-private-app-token' }, { token: 'read-only', scopes: ['crm.objects.contacts.read'] }],
    limits: { tenSecondly: 10_000, oauthTenSecondly: 10_000 },
  });
  sandbox.data.createContact({ email: 'a@example.com' });
  url = await sandbox.listen();
});

afterAll(async () => {
  await sandbox.close();
});

async function get(path: string, token?: string): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(url + path, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

async function token(fields: Record<string, string>, version = 'v1', contentType = 'application/x-www-form-urlencoded'): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/oauth/${version}/token`, {
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body: contentType.includes('json') ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
  });
  expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function exchange(code: string) {
  return token({ grant_type: 'authorization_code', code, redirect_uri: CLIENT.redirectUri, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret });
}

describe('bearer tokens', () => {
  it('answers 401 INVALID_AUTHENTICATION without or with an unknown token', async () => {
    for (const t of [undefined, 'pat-na1-not-a-token']) {
      const r = await get('/crm/v3/objects/contacts', t);
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toBe('application/json;charset=utf-8');
      expect(r.body).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
      expect(r.body.message).toMatch(/^Authentication credentials not found\./);
    }
  });

  it('answers 403 MISSING_SCOPES naming the scopes that would do', async () => {
    expect((await get('/crm/v3/objects/contacts', 'read-only')).status).toBe(200);
    const deals = await get('/crm/v3/objects/deals', 'read-only');
    expect(deals.status).toBe(403);
    expect(deals.body).toMatchObject({
      status: 'error',
      category: 'MISSING_SCOPES',
      errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: ['crm.objects.deals.read'] } }],
      links: { scopes: 'https://developers.hubspot.com/scopes' },
    });
    const write = await fetch(`${url}/crm/v3/properties/contacts`, {
      method: 'POST',
      headers: { Authorization: 'Bearer read-only', 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'x', label: 'X', type: 'string', fieldType: 'text', groupName: 'contactinformation' }),
    });
    expect(write.status).toBe(403);
  });
});

describe('OAuth', () => {
  it('exchanges a code once, then refreshes with the same refresh token', async () => {
    const code = sandbox.issueAuthorizationCode();
    const first = await exchange(code);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ token_type: 'bearer', refresh_token: expect.any(String) as string, access_token: expect.any(String) as string, expires_in: 1800 });
    const again = await exchange(code);
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ status: 'EXPIRED_AUTH_CODE', error: 'invalid_grant' });
    expect(again.body.error_description).toBe(again.body.message);

    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token), client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).toBe(first.body.refresh_token);
    expect(refreshed.body.access_token).not.toBe(first.body.access_token);

    const access = await get('/crm/v3/objects/contacts', String(refreshed.body.access_token));
    expect(access.status).toBe(200);
    // OAuth calls get the burst headers (the OAuth limit) but no daily pair.
    expect(access.headers.get('x-hubspot-ratelimit-max')).toBe('10000');
    expect(access.headers.get('x-hubspot-ratelimit-daily')).toBeNull();
  });

  it('refuses bad refresh tokens, client secrets, redirect URIs, grant types and non-form bodies', async () => {
    const bad = await token({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret });
    expect(bad).toEqual({ status: 400, body: { status: 'BAD_REFRESH_TOKEN', message: 'missing or invalid refresh token', error: 'invalid_grant', error_description: 'missing or invalid refresh token' } });
    const secret = await token({ grant_type: 'authorization_code', code: sandbox.issueAuthorizationCode(), redirect_uri: CLIENT.redirectUri, client_id: CLIENT.clientId, client_secret: 'wrong' });
    expect(secret.body.status).toBe('BAD_CLIENT_SECRET');
    const redirect = await token({ grant_type: 'authorization_code', code: sandbox.issueAuthorizationCode(), redirect_uri: 'http://evil', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret });
    expect(redirect.body.status).toBe('BAD_REDIRECT_URI');
    expect((await token({ grant_type: 'password' })).body.status).toBe('BAD_GRANT_TYPE');
    const json = await token({ grant_type: 'refresh_token', refresh_token: 'x', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }, 'v1', 'application/json');
    expect(json.status).toBe(400);
  });

  it('answers v3 with hub_id and scopes, honouring the scopes granted', async () => {
    const code = sandbox.issueAuthorizationCode(undefined, ['crm.objects.contacts.read']);
    const r = await token({ grant_type: 'authorization_code', code, redirect_uri: CLIENT.redirectUri, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }, 'v3');
    expect(r.body.scopes).toEqual(['oauth', 'crm.objects.contacts.read']);
    expect(typeof r.body.hub_id).toBe('number');
    expect((await get('/crm/v3/objects/deals', String(r.body.access_token))).status).toBe(403);
  });

  it('expires access tokens after expires_in with the EXPIRED_AUTHENTICATION body', async () => {
    const { body } = await exchange(sandbox.issueAuthorizationCode());
    const access = String(body.access_token);
    now += 1800 * 1000 + 12_000;
    const r = await get('/crm/v3/objects/contacts', access);
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({
      status: 'error',
      category: 'EXPIRED_AUTHENTICATION',
      message: 'The OAuth token used to make this call expired 12 second(s) ago.',
      context: { 'expire time': [new Date(now - 12_000).toISOString()] },
    });
  });

  it('expireAccessTokens() expires every token issued so far', async () => {
    const { body } = await exchange(sandbox.issueAuthorizationCode());
    expect((await get('/crm/v3/objects/contacts', String(body.access_token))).status).toBe(200);
    sandbox.expireAccessTokens();
    const r = await get('/crm/v3/objects/contacts', String(body.access_token));
    expect(r.body).toMatchObject({ category: 'EXPIRED_AUTHENTICATION', message: 'The OAuth token used to make this call expired 0 second(s) ago.' });
    // Tokens issued afterwards are fine.
    const fresh = await exchange(sandbox.issueAuthorizationCode());
    expect((await get('/crm/v3/objects/contacts', String(fresh.body.access_token))).status).toBe(200);
  });

  it('approves /oauth/authorize at once and redirects with a code and the state', async () => {
    const q = new URLSearchParams({ client_id: CLIENT.clientId, redirect_uri: CLIENT.redirectUri, scope: 'crm.objects.contacts.read oauth', state: 'xyz' });
    const res = await fetch(`${url}/oauth/authorize?${q.toString()}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe(CLIENT.redirectUri);
    expect(location.searchParams.get('state')).toBe('xyz');
    expect((await exchange(location.searchParams.get('code') ?? '')).status).toBe(200);
    const wrong = await fetch(`${url}/oauth/authorize?client_id=nope&redirect_uri=x`, { redirect: 'manual' });
    expect(wrong.status).toBe(400);
  });
});

describe('account details', () => {
  it('GET /account-info/v3/details names the portal to a private app token and to an OAuth token (whose grant carries the oauth scope)', async () => {
    const details = await get('/account-info/v3/details', 'read-only');
    expect(details.status).toBe(200);
    expect(details.body).toEqual({
      portalId: 48151623,
      accountType: 'STANDARD',
      timeZone: 'UTC',
      companyCurrency: 'USD',
      additionalCurrencies: [],
      utcOffset: '+00:00',
      utcOffsetMilliseconds: 0,
      uiDomain: 'app.hubspot.com',
      dataHostingLocation: 'na1',
    });
    const { body } = await exchange(sandbox.issueAuthorizationCode(undefined, ['crm.objects.contacts.read']));
    expect((await get('/account-info/v3/details', String(body.access_token))).body).toMatchObject({ portalId: 48151623 });
    expect((await get('/account-info/v3/details')).status).toBe(401);
  });

  it('a sandbox made with another portal id is another account: its details, token metadata and value errors say so', async () => {
    const other = createHubSpotSandbox({ portalId: 20_000_002 });
    const otherUrl = await other.listen();
    try {
      expect(other.portalId).toBe(20_000_002);
      const read = (path: string, token: string) => fetch(otherUrl + path, { headers: { Authorization: `Bearer ${token}` } }).then(async (r) => (await r.json()) as Record<string, unknown>);
      expect(await read('/account-info/v3/details', 'sandbox-private-app-token')).toMatchObject({ portalId: 20_000_002 });
      const form = { grant_type: 'authorization_code', code: other.issueAuthorizationCode(), redirect_uri: 'http://localhost:3000/oauth/hubspot/callback', client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret' };
      const tokens = (await (await fetch(`${otherUrl}/oauth/v1/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() })).json()) as Record<string, unknown>;
      const access = String(tokens.access_token);
      expect(await read(`/oauth/v1/access-tokens/${access}`, access)).toMatchObject({ hub_id: 20_000_002 });
      const invalid = await fetch(`${otherUrl}/crm/v3/objects/contacts`, {
        method: 'POST',
        headers: { Authorization: 'Bearer sandbox-private-app-token', 'Content-Type': 'application/json' },
        body: JSON.stringify({ properties: { not_a_property: 'x' } }),
      });
      expect(invalid.status).toBe(400);
      expect(String(((await invalid.json()) as Record<string, unknown>).message)).toContain('"portalId":20000002');
    } finally {
      await other.close();
    }
    // This one is still the default account.
    expect((await get('/account-info/v3/details', 'sandbox-private-app-token')).body).toMatchObject({ portalId: 48151623 });
    expect(() => createHubSpotSandbox({ portalId: 0 })).toThrow(/portalId must be a positive 32-bit integer/);
  });
});
