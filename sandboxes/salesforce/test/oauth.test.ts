// OAuth 2.0 as Salesforce documents it, driven through jsforce where a connector would use it: the
// web-server flow (with PKCE), refresh on INVALID_SESSION_ID, the JWT bearer flow, and the identity URL.
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { Connection, OAuth2 } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSalesforceSandbox, DEFAULT_ACCESS_TOKEN, DEFAULT_CONNECTED_APP, DEFAULT_USER, ORG_ID, sandboxOrgId } from '../index.ts';
import { call, firstError, rejection, start, VERSION, type Started } from './helpers.ts';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const JWT_APP = { clientId: 'jwt-consumer-key', clientSecret: 'jwt-secret', redirectUri: 'http://localhost/cb', publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() };

let s: Started;

beforeAll(async () => {
  s = await start({ connectedApps: [DEFAULT_CONNECTED_APP, JWT_APP], users: [DEFAULT_USER, { username: 'second@example.com', lastName: 'Second' }] }, (sb) => {
    sb.data.createContact({ LastName: 'Visible' });
  });
});

afterAll(async () => {
  await s.close();
});

function oauth2(useVerifier = false): OAuth2 {
  return new OAuth2({ ...DEFAULT_CONNECTED_APP, loginUrl: s.url, useVerifier });
}

async function form(body: Record<string, string>): Promise<{ status: number; json: Record<string, string> }> {
  const res = await fetch(`${s.url}/services/oauth2/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });
  return { status: res.status, json: (await res.json()) as Record<string, string> };
}

function jwt(claims: Record<string, unknown>, key = keys.privateKey): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const signed = `${part({ alg: 'RS256' })}.${part(claims)}`;
  return `${signed}.${sign('RSA-SHA256', Buffer.from(signed), key).toString('base64url')}`;
}

describe('web-server flow', () => {
  it('authorize redirects with a code and the state; jsforce exchanges it (with PKCE) for a session', async () => {
    const o = oauth2(true);
    const authorizeUrl = o.getAuthorizationUrl({ scope: 'api refresh_token id', state: 'xyz' });
    const res = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(DEFAULT_CONNECTED_APP.redirectUri);
    expect(location.searchParams.get('state')).toBe('xyz');
    const conn = new Connection({ oauth2: o, version: VERSION });
    const user = await conn.authorize(location.searchParams.get('code') ?? '');
    expect(conn.instanceUrl).toBe(s.url);
    expect(conn.refreshToken).toBeTruthy();
    expect(conn.accessToken?.split('.')).toHaveLength(1);
    expect(user.organizationId).toMatch(/^00D\w{15}$/);
    expect((await conn.query('SELECT Id FROM Contact')).totalSize).toBe(1);
    const identity = await conn.identity();
    expect(identity).toMatchObject({ user_id: user.id, organization_id: user.organizationId, username: DEFAULT_USER.username });
  });

  it('answers the documented token fields, with a signature over id and issued_at', async () => {
    const code = s.sandbox.issueAuthorizationCode();
    const { status, json } = await form({ grant_type: 'authorization_code', code, client_id: DEFAULT_CONNECTED_APP.clientId, client_secret: DEFAULT_CONNECTED_APP.clientSecret, redirect_uri: DEFAULT_CONNECTED_APP.redirectUri });
    expect(status).toBe(200);
    expect(Object.keys(json).sort()).toEqual(['access_token', 'id', 'instance_url', 'issued_at', 'refresh_token', 'scope', 'signature', 'token_type']);
    expect(json.token_type).toBe('Bearer');
    expect(json.id).toMatch(new RegExp(`^${s.url}/id/00D\\w{15}/005\\w{15}$`));
    expect(json.signature).toBe(createHmac('sha256', DEFAULT_CONNECTED_APP.clientSecret).update(json.id + json.issued_at).digest('base64'));
  });

  it('refuses used codes, wrong secrets, redirect mismatches and unknown grants', async () => {
    const base = { grant_type: 'authorization_code', client_id: DEFAULT_CONNECTED_APP.clientId, client_secret: DEFAULT_CONNECTED_APP.clientSecret, redirect_uri: DEFAULT_CONNECTED_APP.redirectUri };
    const code = s.sandbox.issueAuthorizationCode();
    expect((await form({ ...base, code })).status).toBe(200);
    expect(await form({ ...base, code })).toEqual({ status: 400, json: { error: 'invalid_grant', error_description: 'invalid authorization code' } });
    expect((await form({ ...base, code: s.sandbox.issueAuthorizationCode(), client_secret: 'wrong' })).json.error).toBe('invalid_client');
    expect((await form({ ...base, code: s.sandbox.issueAuthorizationCode(), redirect_uri: 'http://evil/' })).json.error).toBe('redirect_uri_mismatch');
    expect((await form({ ...base, code: 'x', client_id: 'nobody' })).json).toEqual({ error: 'invalid_client_id', error_description: 'client identifier invalid' });
    expect((await form({ grant_type: 'password' })).json.error).toBe('unsupported_grant_type');
    const jsforceError = await rejection(new Connection({ oauth2: oauth2(), version: VERSION }).authorize('no-such-code'));
    expect(jsforceError.name).toBe('invalid_grant');
  });
});

describe('sessions and refresh', () => {
  it('answers 401 INVALID_SESSION_ID for a missing, unknown or expired session', async () => {
    for (const token of [null, 'nope']) {
      const r = await call(s.url, 'GET', '/limits', { token });
      expect(r.status).toBe(401);
      expect(r.body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    }
  });

  it('lets jsforce refresh on INVALID_SESSION_ID, for REST and for the Metadata API', async () => {
    const o = oauth2();
    const conn = new Connection({ oauth2: o, version: VERSION });
    await conn.authorize(s.sandbox.issueAuthorizationCode());
    const refreshed: string[] = [];
    conn.on('refresh', (token: string) => refreshed.push(token));
    const before = s.sandbox.stats.byKind['oauth.token'] ?? 0;
    s.sandbox.expireAccessTokens();
    expect((await conn.query('SELECT Id FROM Contact')).totalSize).toBe(1);
    expect(refreshed).toHaveLength(1);
    s.sandbox.expireAccessTokens();
    const read = await conn.metadata.read('CustomField', 'Contact.NPS_Score__c');
    expect(read.fullName).toBe('Contact.NPS_Score__c');
    expect(refreshed).toHaveLength(2);
    expect((s.sandbox.stats.byKind['oauth.token'] ?? 0) - before).toBe(2);
  });

  it('reports a revoked refresh token as jsforce surfaces it', async () => {
    const conn = new Connection({ oauth2: oauth2(), version: VERSION, instanceUrl: s.url, accessToken: 'expired', refreshToken: 'revoked' });
    const e = await rejection(conn.query('SELECT Id FROM Contact'));
    expect(e.message).toBe('Unable to refresh session due to: expired access/refresh token');
  });

  it('expires sessions after accessTokenTtlSeconds without use', async () => {
    let now = Date.parse('2026-06-10T08:00:00Z');
    const short = await start({ clock: () => now, accessTokenTtlSeconds: 60 });
    try {
      const { json } = await fetch(`${short.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: short.sandbox.issueAuthorizationCode(), ...DEFAULT_CONNECTED_APP, client_id: DEFAULT_CONNECTED_APP.clientId, client_secret: DEFAULT_CONNECTED_APP.clientSecret, redirect_uri: DEFAULT_CONNECTED_APP.redirectUri }).toString(),
      }).then(async (r) => ({ json: (await r.json()) as Record<string, string> }));
      now += 50_000;
      expect((await call(short.url, 'GET', '/limits', { token: json.access_token })).status).toBe(200);
      now += 50_000;
      expect((await call(short.url, 'GET', '/limits', { token: json.access_token })).status).toBe(200);
      now += 61_000;
      expect((await call(short.url, 'GET', '/limits', { token: json.access_token })).status).toBe(401);
    } finally {
      await short.close();
    }
  });
});

describe('JWT bearer flow', () => {
  const claims = () => ({ iss: JWT_APP.clientId, sub: 'second@example.com', aud: s.url, exp: Math.floor(Date.now() / 1000) + 180 });

  it('issues a session for the subject when the assertion is signed with the app’s key', async () => {
    const conn = new Connection({ loginUrl: s.url, version: VERSION });
    const user = await conn.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt(claims()) });
    expect(conn.refreshToken).toBeUndefined();
    const identity = await conn.identity();
    expect(identity.username).toBe('second@example.com');
    expect(identity.user_id).toBe(user.id);
    expect((await conn.query('SELECT Id FROM Contact')).totalSize).toBe(1);
  });

  it('refuses bad signatures, audiences, expiry and subjects', async () => {
    const grant = (assertion: string) => form({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
    expect((await grant(jwt(claims(), otherKeys.privateKey))).json).toEqual({ error: 'invalid_grant', error_description: 'invalid assertion' });
    expect((await grant(jwt({ ...claims(), aud: 'https://example.com' }))).json.error_description).toBe('audience is invalid');
    expect((await grant(jwt({ ...claims(), exp: Math.floor(Date.now() / 1000) - 1 }))).json.error_description).toBe('expired authorization code');
    expect((await grant(jwt({ ...claims(), sub: 'stranger@example.com' }))).json.error_description).toBe("user hasn't approved this consumer");
    expect((await grant(jwt({ ...claims(), iss: 'unknown' }))).json.error).toBe('invalid_client_id');
    expect((await grant('not.a.jwt')).json.error).toBe('invalid_grant');
    expect((await grant(jwt({ ...claims(), aud: 'https://login.salesforce.com' }))).status).toBe(200);
  });
});

describe('identity URL', () => {
  it('answers 403 Bad_OAuth_Token for a bad token, as the identity service does', async () => {
    // The default session was expired by the refresh tests above: sign in again.
    const conn = new Connection({ oauth2: oauth2(), version: VERSION });
    await conn.authorize(s.sandbox.issueAuthorizationCode());
    const me = await conn.identity();
    const res = await fetch(`${me.id}?format=json&oauth_token=nope`);
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('Bad_OAuth_Token');
    expect(me.urls.rest).toBe(`${s.url}/services/data/v{version}/`);
    expect(firstError(await call(s.url, 'GET', '/nothing-here')).errorCode).toBe('NOT_FOUND');
  });
});

describe('several orgs', () => {
  it('a sandbox made with another org id is another org: its sessions, identity URL, REST root and token answers name it', async () => {
    const orgId = sandboxOrgId(2);
    expect(orgId).toMatch(/^00D[0-9A-Za-z]{15}$/);
    expect(orgId).not.toBe(ORG_ID);
    const other = await start({ orgId });
    try {
      expect(other.sandbox.orgId).toBe(orgId);
      expect(other.sandbox.accessToken.startsWith(`${orgId.slice(0, 15)}!`)).toBe(true);
      const root = await call(other.url, 'GET', '/', { token: other.sandbox.accessToken });
      expect(root.status).toBe(200);
      const identity = String((root.body as Record<string, unknown>).identity);
      expect(identity).toMatch(new RegExp(`^${other.url}/id/${orgId}/005[0-9A-Za-z]{15}$`));
      const me = await call(other.url, 'GET', new URL(identity).pathname, { token: other.sandbox.accessToken });
      expect(me.body).toMatchObject({ organization_id: orgId, id: identity });
      // A session of the default org is unknown here.
      expect((await call(other.url, 'GET', '/', { token: DEFAULT_ACCESS_TOKEN })).status).toBe(401);
      const code = other.sandbox.issueAuthorizationCode();
      const tokens = await fetch(`${other.url}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: DEFAULT_CONNECTED_APP.clientId, client_secret: DEFAULT_CONNECTED_APP.clientSecret, redirect_uri: DEFAULT_CONNECTED_APP.redirectUri }).toString(),
      });
      const answer = (await tokens.json()) as Record<string, string>;
      expect(answer.id).toMatch(new RegExp(`/id/${orgId}/005`));
      expect(answer.access_token.startsWith(orgId.slice(0, 15))).toBe(true);
    } finally {
      await other.close();
    }
    expect(() => createSalesforceSandbox({ orgId: '00D5e0000000002' })).toThrow(/18-character Organization id/);
    expect(() => createSalesforceSandbox({ orgId: sandboxOrgId(2).replace(/^00D/, '001') })).toThrow(/18-character Organization id/);
  });
});
