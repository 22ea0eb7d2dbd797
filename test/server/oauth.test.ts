/**
 * OAuth installs from the admin page: HubSpot against the sandbox's authorize and token endpoints (then a
 * sync on the installed tokens, and a refresh), Salesforce against a small local token endpoint that
 * checks what its documentation requires. The CSRF defences: a signed, expiring, single-use state bound
 * to the browser's cookie, behind a ticket only the signed-in admin gets.
 */
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHubSpotSandbox, type HubSpotSandbox } from '../../sandboxes/hubspot/index.ts';
import { connect, type Env } from '../../src/crm.ts';
import { silentLogger } from '../../src/log.ts';
import { OAuthStates } from '../../src/server/oauth/state.ts';
import { TEST_ENCRYPTION_KEY } from '../hubspot/harness.ts';
import { startPortalChooser, type PortalChooser } from './portalChooser.ts';
import { createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

const PUBLIC_URL = 'http://lcs.test';
const HUBSPOT_APP = { clientId: 'lcs-test-app', clientSecret: 'hubspot-client-secret-0123456789', redirectUri: `${PUBLIC_URL}/oauth/hubspot/callback` };

/** A browser step: GET without following redirects; the Location and the cookies set. */
async function get(url: string, cookie?: string): Promise<{ status: number; location: string; cookies: string[] }> {
  const r = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  await r.arrayBuffer();
  return { status: r.status, location: r.headers.get('location') ?? '', cookies: r.headers.getSetCookie() };
}

/** The admin page's "Connect" button: a ticket link, then the install route's redirect to the consent page. */
async function beginInstall(s: ServiceHarness, crm: string): Promise<{ consent: URL; cookie: string }> {
  const ticket = await s.api(`/api/install/${crm}`, { method: 'POST', body: {} });
  expect(ticket.status).toBe(200);
  const { url } = z.object({ url: z.string().startsWith(`/install/${crm}?ticket=`) }).parse(ticket.body);
  const start = await get(`${s.url}${url}`);
  expect(start.status).toBe(302);
  const cookie = start.cookies.find((c) => c.startsWith('lcs_oauth='));
  expect(cookie).toMatch(/HttpOnly/i);
  expect(cookie).toMatch(/SameSite=Lax/i);
  expect(cookie).toMatch(/Path=\/oauth/);
  return { consent: new URL(start.location), cookie: (cookie ?? '').split(';')[0] };
}

/** The CRM's redirect back, sent to the test server instead of PUBLIC_URL. */
function callbackOn(s: ServiceHarness, location: string): string {
  const u = new URL(location);
  expect(u.origin).toBe(PUBLIC_URL);
  return `${s.url}${u.pathname}${u.search}`;
}

function outcome(location: string): Record<string, string> {
  return Object.fromEntries(new URL(location, 'http://x').searchParams);
}

describe('HubSpot install (public app OAuth)', () => {
  let s: ServiceHarness;
  beforeAll(async () => {
    s = await createServiceHarness({
      dataset: { contacts: 60 },
      sandbox: { oauthClients: [HUBSPOT_APP] },
      env: { HUBSPOT_ACCESS_TOKEN: '' },
      serviceEnv: (h) => ({ PUBLIC_URL, HUBSPOT_CLIENT_ID: HUBSPOT_APP.clientId, HUBSPOT_CLIENT_SECRET: HUBSPOT_APP.clientSecret, HUBSPOT_AUTHORIZE_URL: `${h.url}/oauth/authorize` }),
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('goes install → consent → callback, stores the tokens encrypted, and syncs with them (refreshing when they expire)', async () => {
    expect((await s.api('/api/status')).body).toMatchObject({ crm: null, install: [{ crm: 'hubspot', available: true }, { crm: 'salesforce', available: false }] });
    // The consent page is HubSpot's (here the sandbox's), with the scopes the plugin needs.
    const { consent, cookie } = await beginInstall(s, 'hubspot');
    expect(consent.searchParams.get('client_id')).toBe(HUBSPOT_APP.clientId);
    expect(consent.searchParams.get('redirect_uri')).toBe(HUBSPOT_APP.redirectUri);
    expect(consent.searchParams.get('scope')?.split(' ').sort()).toEqual(
      ['crm.objects.companies.read', 'crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.objects.deals.read', 'crm.schemas.contacts.read', 'crm.schemas.contacts.write', 'oauth'],
    );
    // Deal scoring and companies as customers are asked as optional scopes: an admin may decline them.
    expect(consent.searchParams.get('optional_scope')?.split(' ').sort()).toEqual(
      ['crm.objects.companies.write', 'crm.objects.deals.write', 'crm.schemas.companies.read', 'crm.schemas.companies.write', 'crm.schemas.deals.read', 'crm.schemas.deals.write'],
    );
    const approved = await get(consent.toString());
    expect(approved.status).toBe(302);
    const done = await get(callbackOn(s, approved.location), cookie);
    expect(done.status).toBe(303);
    expect(outcome(done.location)).toEqual({ installed: 'hubspot' });

    const stored = await s.h.store.loadCredentials('hubspot');
    expect(stored).toMatchObject({ kind: 'oauth', extra: { hubId: '48151623' } });
    // The first install, with nothing in the environment, is the installation the service serves.
    expect(await s.h.store.listInstallations()).toMatchObject([{ id: 'hubspot', accountId: '48151623', status: 'active' }]);
    expect(stored?.expiresAt).toBeGreaterThan(Date.now());
    const refreshToken = stored?.refreshToken ?? '';
    expect(refreshToken).not.toBe('');
    for (const file of [s.h.dbPath, `${s.h.dbPath}-wal`]) {
      if (existsSync(file)) expect(readFileSync(file).includes(refreshToken), `${file} holds the refresh token in clear`).toBe(false);
    }
    expect((await s.api('/api/status')).body).toMatchObject({ crm: 'hubspot', connection: { ok: true } });

    const first = z.object({ runId: z.string() }).parse((await s.api('/api/sync', { method: 'POST', body: {} })).body);
    expect(await s.waitForRun(first.runId)).toMatchObject({ status: 'succeeded', stats: { written: 60 } });
    const accessBefore = (await s.h.store.loadCredentials('hubspot'))?.accessToken;
    s.h.sandbox.expireAccessTokens();
    const second = z.object({ runId: z.string() }).parse((await s.api('/api/sync', { method: 'POST', body: { full: true } })).body);
    expect(await s.waitForRun(second.runId)).toMatchObject({ status: 'succeeded' });
    const after = await s.h.store.loadCredentials('hubspot');
    expect(after?.accessToken).toBeTruthy();
    expect(after?.accessToken).not.toBe(accessBefore);
    expect(after?.refreshToken).toBe(refreshToken);
  });

  it('refuses a replayed, forged or cookie-less state, a missing or reused ticket, and a denied consent', async () => {
    const { consent, cookie } = await beginInstall(s, 'hubspot');
    const approved = await get(consent.toString());
    const callback = callbackOn(s, approved.location);
    const state = new URL(callback).searchParams.get('state') ?? '';

    const withoutCookie = await get(callback);
    expect(outcome(withoutCookie.location).install_error).toMatch(/started in another browser/);

    const [body, mac] = state.split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const forgedBody = Buffer.from(JSON.stringify({ ...payload, exp: Date.now() + 86_400_000 })).toString('base64url');
    const forged = new URL(callback);
    forged.searchParams.set('state', `${forgedBody}.${mac}`);
    expect(outcome((await get(forged.toString(), cookie)).location).install_error).toMatch(/not one this server issued/);

    expect(outcome((await get(`${s.url}/install/hubspot`)).location).install_error).toMatch(/query\.ticket/);
    const ticket = z.object({ url: z.string() }).parse((await s.api('/api/install/hubspot', { method: 'POST', body: {} })).body).url;
    expect((await get(`${s.url}${ticket}`)).status).toBe(302);
    expect(outcome((await get(`${s.url}${ticket}`)).location).install_error).toMatch(/ticket was already used/);

    const denied = await beginInstall(s, 'hubspot');
    const deniedState = new URL(denied.consent).searchParams.get('state') ?? '';
    const refusal = await get(`${s.url}/oauth/hubspot/callback?error=access_denied&error_description=The+user+declined&state=${encodeURIComponent(deniedState)}`, denied.cookie);
    expect(outcome(refusal.location).install_error).toBe('HubSpot did not grant access: The user declined');
  });
});

describe('HubSpot installs of several portals', () => {
  // The environment holds portal A's private app token (the quick start's installation, id "hubspot");
  // the admin page installs the app on portal B, then on A, then on B again.
  let s: ServiceHarness;
  let chooser: PortalChooser;
  let portalB: HubSpotSandbox;
  let serviceEnv: Env = {};
  /** Consent on the chosen portal, then the callback: what the page is sent back with. */
  async function installOn(sandbox: { url: string }): Promise<Record<string, string>> {
    chooser.choose(sandbox.url);
    const { consent, cookie } = await beginInstall(s, 'hubspot');
    const approved = await get(consent.toString());
    expect(approved.status).toBe(302);
    return outcome((await get(callbackOn(s, approved.location), cookie)).location);
  }
  const installations = async () => (await s.h.store.listInstallations()).filter((i) => i.status !== 'uninstalled');

  beforeAll(async () => {
    chooser = await startPortalChooser();
    portalB = createHubSpotSandbox({ oauthClients: [HUBSPOT_APP], portalId: 20_000_002, privateAppTokens: [] });
    await portalB.listen();
    s = await createServiceHarness({
      dataset: { contacts: 10 },
      sandbox: { oauthClients: [HUBSPOT_APP] },
      serviceEnv: (h) => {
        chooser.knows(h.env.HUBSPOT_ACCESS_TOKEN ?? '', h.url);
        serviceEnv = { PUBLIC_URL, HUBSPOT_CLIENT_ID: HUBSPOT_APP.clientId, HUBSPOT_CLIENT_SECRET: HUBSPOT_APP.clientSecret, HUBSPOT_BASE_URL: chooser.url, HUBSPOT_AUTHORIZE_URL: `${chooser.url}/oauth/authorize` };
        return serviceEnv;
      },
    });
  });
  afterAll(async () => {
    await s?.close();
    await portalB?.close();
    await chooser?.close();
  });

  it('each portal becomes its own installation with its portal id; a reinstall updates the portal\u2019s installation and adds none', async () => {
    const portalA = s.h.sandbox.portalId;
    expect(portalA).not.toBe(portalB.portalId);
    expect((await s.api('/api/status')).body).toMatchObject({ crm: 'hubspot', connection: { ok: true } });

    // Portal B: not the environment's portal, so a new installation with a generated id.
    expect(await installOn(portalB)).toEqual({ installed: 'hubspot' });
    let all = await installations();
    expect(all).toHaveLength(2);
    const b = all.find((i) => i.id !== 'hubspot');
    expect(b).toMatchObject({ id: expect.stringMatching(/^in_[0-9a-f]{16}$/) as unknown, crm: 'hubspot', accountId: '20000002', status: 'active' });
    const bId = b?.id ?? '';
    // The environment's installation was checked (one call) and now knows its portal.
    expect(all.find((i) => i.id === 'hubspot')).toMatchObject({ accountId: String(portalA) });
    expect(await s.h.store.loadCredentials('hubspot')).toBeNull();
    const firstOfB = await s.h.store.loadCredentials(bId);
    expect(firstOfB).toMatchObject({ kind: 'oauth', extra: { hubId: '20000002' } });
    expect(await s.h.store.loadAccountEnv(bId)).toEqual({ HUBSPOT_BASE_URL: chooser.url });
    // B's installation connects with its own tokens to its own portal, whatever the process's token is.
    const connection = await connect({ config: s.h.config, env: { ...s.h.env, ...serviceEnv, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY }, store: s.h.store, crm: 'hubspot', installationId: bId, log: silentLogger() });
    expect(await connection.connector.verify()).toMatchObject({ ok: true, accountId: '20000002' });

    // Portal A through the page: the environment's installation, now with the app's tokens too.
    expect(await installOn(s.h.sandbox)).toEqual({ installed: 'hubspot' });
    all = await installations();
    expect(all.map((i) => [i.id, i.accountId]).sort()).toEqual([['hubspot', String(portalA)], [bId, '20000002']].sort());
    expect(await s.h.store.loadCredentials('hubspot')).toMatchObject({ kind: 'oauth', extra: { hubId: String(portalA) } });

    // B again, paused meanwhile: the same installation, active again, with the new tokens.
    await s.h.store.updateInstallation(bId, { status: 'paused', name: 'Client B (renamed)' });
    expect(await installOn(portalB)).toEqual({ installed: 'hubspot' });
    all = await installations();
    expect(all).toHaveLength(2);
    expect(all.find((i) => i.id === bId)).toMatchObject({ accountId: '20000002', status: 'active', name: 'HubSpot (sandbox.example.com)' });
    const secondOfB = await s.h.store.loadCredentials(bId);
    expect(secondOfB?.refreshToken).toBeTruthy();
    expect(secondOfB?.refreshToken).not.toBe(firstOfB?.refreshToken);
    // The service still serves the environment's installation.
    expect((await s.api('/api/status')).body).toMatchObject({ crm: 'hubspot', installation: { id: 'hubspot' }, connection: { ok: true } });
  });
});

describe('HubSpot install: the state URL alone is not enough', () => {
  let s: ServiceHarness;
  beforeAll(async () => {
    s = await createServiceHarness({
      dataset: { contacts: 10 },
      sandbox: { oauthClients: [HUBSPOT_APP] },
      env: { HUBSPOT_ACCESS_TOKEN: '' },
      serviceEnv: (h) => ({ PUBLIC_URL, HUBSPOT_CLIENT_ID: HUBSPOT_APP.clientId, HUBSPOT_CLIENT_SECRET: HUBSPOT_APP.clientSecret, HUBSPOT_AUTHORIZE_URL: `${h.url}/oauth/authorize` }),
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('refuses a cookie forged from the state, and failed attempts do not stop the right browser from finishing', async () => {
    const { consent, cookie } = await beginInstall(s, 'hubspot');
    const approved = await get(consent.toString());
    const callback = callbackOn(s, approved.location);
    const state = new URL(callback).searchParams.get('state') ?? '';
    // Someone who saw the callback URL (a proxy log, a shared screen) builds cookies from what the state carries.
    const [body] = state.split('.');
    const payload = z.record(z.string(), z.unknown()).parse(JSON.parse(Buffer.from(body, 'base64url').toString()));
    const guesses = [...Object.values(payload).filter((v): v is string => typeof v === 'string'), body, state];
    for (const guess of guesses) {
      const attempt = await get(callback, `lcs_oauth=${encodeURIComponent(guess)}`);
      expect(outcome(attempt.location).install_error, `cookie ${guess}`).toMatch(/started in another browser/);
    }
    expect(outcome((await get(callback)).location).install_error).toMatch(/started in another browser/);
    expect(await s.h.store.loadCredentials('hubspot')).toBeNull();

    // The browser that started the flow still finishes it, once.
    const done = await get(callback, cookie);
    expect(outcome(done.location)).toEqual({ installed: 'hubspot' });
    expect(await s.h.store.loadCredentials('hubspot')).toMatchObject({ kind: 'oauth' });
    expect(outcome((await get(callback, cookie)).location).install_error).toMatch(/already used/);
  });
});

describe('OAuth state', () => {
  it('expires tickets after two minutes and states after ten, and binds a state to its CRM', () => {
    let now = 1_000_000;
    const states = new OAuthStates({ secret: 'x'.repeat(32), clock: () => now });
    const ticket = states.issueTicket('hubspot');
    now += 2 * 60_000;
    expect(() => states.redeemTicket(ticket, 'hubspot')).toThrow(/expired/);
    const { state, nonce } = states.issueState('salesforce');
    expect(() => states.verifyState(state, 'hubspot', nonce)).toThrow(/not for this hubspot install/);
    const fresh = states.issueState('salesforce');
    now += 10 * 60_000 - 1;
    expect(states.verifyState(fresh.state, 'salesforce', fresh.nonce)).toBe(fresh.nonce);
    const late = states.issueState('salesforce');
    now += 10 * 60_000;
    expect(() => states.verifyState(late.state, 'salesforce', late.nonce)).toThrow(/expired/);
    // Another server with another key does not accept it.
    const other = new OAuthStates({ secret: 'y'.repeat(32), clock: () => now });
    const mine = states.issueState('hubspot');
    expect(() => other.verifyState(mine.state, 'hubspot', mine.nonce)).toThrow(/not one this server issued/);
  });
});

describe('Salesforce install (connected app, web-server flow with PKCE)', () => {
  const SF = { clientId: '3MVG9-consumer-key', clientSecret: 'salesforce-consumer-secret-0123456789' };
  const received: Record<string, string>[] = [];
  let tokenAnswer: { status: number; body: unknown } = { status: 200, body: {} };
  let fake: Server;
  let loginUrl = '';
  let s: ServiceHarness;

  beforeAll(async () => {
    // What Salesforce's token endpoint documents: a form POST; JSON with the tokens and the instance URL.
    const app = express();
    app.post('/services/oauth2/token', express.urlencoded({ extended: false }), (req, res) => {
      received.push(z.record(z.string(), z.string()).parse(req.body));
      res.status(tokenAnswer.status).json(tokenAnswer.body);
    });
    fake = await new Promise<Server>((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server));
    });
    loginUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    s = await createServiceHarness({
      dataset: { contacts: 5 },
      env: { HUBSPOT_ACCESS_TOKEN: '' },
      serviceEnv: { PUBLIC_URL, SALESFORCE_CLIENT_ID: SF.clientId, SALESFORCE_CLIENT_SECRET: SF.clientSecret, SALESFORCE_LOGIN_URL: loginUrl },
    });
  });
  afterAll(async () => {
    await s?.close();
    await new Promise((resolve) => fake.close(resolve));
  });

  it('sends the admin to the consent page and exchanges the code with the verifier; the tokens and instance URL are stored encrypted', async () => {
    const { consent, cookie } = await beginInstall(s, 'salesforce');
    expect(`${consent.origin}${consent.pathname}`).toBe(`${loginUrl}/services/oauth2/authorize`);
    expect(Object.fromEntries(consent.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: SF.clientId,
      redirect_uri: `${PUBLIC_URL}/oauth/salesforce/callback`,
      scope: 'api refresh_token',
      code_challenge_method: 'S256',
    });
    tokenAnswer = {
      status: 200,
      body: {
        access_token: '00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX.LVpxezPwuX5VAIrrbbHMuol7GQxnMeYMN7cj8EoWr78nt1u44zU31IbYNNJguseu',
        refresh_token: '5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJo7Xr34yOQ7GCFUN5DnNPxzDIoGoWi4evqOl_lT1B9nE5dvBTFOx',
        signature: 'CMJ4l+CCaPQiKjoOEwEig9H4wqhpuLSk4J2urAe+fVg=',
        scope: 'refresh_token api',
        instance_url: 'https://yourInstance.my.salesforce.com',
        id: 'https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS',
        token_type: 'Bearer',
        issued_at: '1278448384422',
      },
    };
    const done = await get(`${s.url}/oauth/salesforce/callback?code=aPrxsmIEeqM9PiQroGEWx1UiMQd95_5JUZVEhsOFhS8EVvbfYBBJli2W5fn3zbo.8hojaNW_1g%3D%3D&state=${encodeURIComponent(consent.searchParams.get('state') ?? '')}`, cookie);
    expect(outcome(done.location)).toEqual({ installed: 'salesforce' });
    const form = received.at(-1) ?? {};
    expect(form).toMatchObject({
      grant_type: 'authorization_code',
      code: 'aPrxsmIEeqM9PiQroGEWx1UiMQd95_5JUZVEhsOFhS8EVvbfYBBJli2W5fn3zbo.8hojaNW_1g==',
      client_id: SF.clientId,
      client_secret: SF.clientSecret,
      redirect_uri: `${PUBLIC_URL}/oauth/salesforce/callback`,
    });
    expect(createHash('sha256').update(form.code_verifier ?? '').digest('base64url')).toBe(consent.searchParams.get('code_challenge'));
    expect(await s.h.store.loadCredentials('salesforce')).toEqual({
      kind: 'oauth',
      accessToken: '00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX.LVpxezPwuX5VAIrrbbHMuol7GQxnMeYMN7cj8EoWr78nt1u44zU31IbYNNJguseu',
      refreshToken: '5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJo7Xr34yOQ7GCFUN5DnNPxzDIoGoWi4evqOl_lT1B9nE5dvBTFOx',
      extra: { instanceUrl: 'https://yourInstance.my.salesforce.com', loginUrl, identityUrl: 'https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS' },
    });
    expect(await s.h.store.getInstallation('salesforce')).toMatchObject({ crm: 'salesforce', name: 'Salesforce (yourinstance.my.salesforce.com)', accountId: '00Dxx0000001gPLEAY' });
    expect(await s.h.store.loadAccountEnv('salesforce')).toEqual({ SALESFORCE_LOGIN_URL: loginUrl });
    expect((await s.api('/api/status')).body).toMatchObject({ crm: 'salesforce', installation: { id: 'salesforce' } });
  });

  it('reports a refused code in one line, without the secrets it sent', async () => {
    const { consent, cookie } = await beginInstall(s, 'salesforce');
    tokenAnswer = { status: 400, body: { error: 'invalid_grant', error_description: 'authentication failure' } };
    const done = await get(`${s.url}/oauth/salesforce/callback?code=expired-code&state=${encodeURIComponent(consent.searchParams.get('state') ?? '')}`, cookie);
    const message = outcome(done.location).install_error;
    expect(message).toBe('Salesforce refused the authorization code: invalid_grant: authentication failure (HTTP 400)');
    expect(message).not.toContain(SF.clientSecret);

    // Tokens without the identity URL: no org to install for, nothing stored.
    const again = await beginInstall(s, 'salesforce');
    tokenAnswer = { status: 200, body: { access_token: '00Dxx0000001gPL!AR8AQ', refresh_token: '5Aep861TSESvWeug', instance_url: 'https://other.my.salesforce.com', token_type: 'Bearer' } };
    const withoutId = await get(`${s.url}/oauth/salesforce/callback?code=c2&state=${encodeURIComponent(again.consent.searchParams.get('state') ?? '')}`, again.cookie);
    expect(outcome(withoutId.location).install_error).toMatch(/Salesforce answered the code exchange without usable tokens: id:/);
    expect((await s.h.store.listInstallations()).filter((i) => i.crm === 'salesforce')).toHaveLength(1);
  });

  it('says what to set when an app is not configured', async () => {
    const hubspot = await s.api('/api/install/hubspot', { method: 'POST', body: {} });
    expect(hubspot.status).toBe(409);
    expect(hubspot.body).toEqual({ error: { code: 'NOT_CONFIGURED', message: expect.stringContaining('set HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET') as string } });
  });
});
