/**
 * The HubSpot project shipped in hubspot-app/ (what `hs project upload` creates the public app from),
 * and the two ways an admin gives the plugin access: the project's OAuth scopes, and a Service Key.
 * The files are parsed against the shape HubSpot documents for platform 2025.2 / 2026.03
 * (developers.hubspot.com/docs/apps/developer-platform/build-apps/app-configuration); the scopes are
 * proven sufficient by a whole sync against the sandbox with a token holding only them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HUBSPOT_SCOPES } from '../../connectors/hubspot/oauth.ts';
import { cardUrl, SERVER_URL } from '../../hubspot-app/src/app/cards/server.ts';
import { DEFAULT_OAUTH_CLIENT } from '../../sandboxes/hubspot/index.ts';
import { HUBSPOT_CARD_PATH } from '../../src/server/routes/hubspotCard.ts';
import { oauthCallbackPath } from '../../src/server/routes/install.ts';
import { createHarness, type Harness } from './harness.ts';

const ROOT = new URL('../../hubspot-app/', import.meta.url);

function json(path: string): unknown {
  return JSON.parse(readFileSync(new URL(path, ROOT), 'utf8')) as unknown;
}

/** hsproject.json: the project's name, where its components live, the platform version. */
const project = z.strictObject({
  name: z.string().min(1),
  srcDir: z.string().min(1),
  platformVersion: z.enum(['2025.2', '2026.03']),
});

const scope = z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)*$/);
/** app-hsmeta.json: the fields HubSpot documents for the app component (starred ones required). */
const app = z.strictObject({
  uid: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  type: z.literal('app'),
  config: z.strictObject({
    name: z.string().min(1).max(200).refine((n) => n.trim() === n, 'must not start or end with whitespace'),
    description: z.string().min(1).max(8192),
    distribution: z.enum(['marketplace', 'private']),
    auth: z.strictObject({
      type: z.enum(['oauth', 'static']),
      redirectUrls: z.array(z.string().url()).min(1),
      requiredScopes: z.array(scope).min(1),
      optionalScopes: z.array(scope),
      conditionallyRequiredScopes: z.array(scope),
    }),
    // What the app's cards may call with hubspot.fetch, frame and show as images.
    permittedUrls: z.strictObject({ fetch: z.array(z.string().url()), iframe: z.array(z.string().url()), img: z.array(z.string().url()) }),
    support: z.record(z.string(), z.string()).optional(),
  }),
});

/** *-hsmeta.json of a card (app cards reference, developer platform 2025.2 / 2026.03). */
const card = z.strictObject({
  uid: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  type: z.literal('card'),
  config: z.strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    location: z.enum(['crm.record.tab', 'crm.record.sidebar', 'crm.preview', 'helpdesk.sidebar']),
    entrypoint: z.string().regex(/^\/app\/cards\/[\w.-]+\.(jsx|tsx)$/),
    objectTypes: z.array(z.string()).min(1),
  }),
});
const cardsPackage = z.object({ dependencies: z.record(z.string(), z.string()) });

const parsedProject = project.parse(json('hsproject.json'));
const parsedApp = app.parse(json(`${parsedProject.srcDir}/app/app-hsmeta.json`));
const auth = parsedApp.config.auth;

describe('the HubSpot project files', () => {
  it('are the documented shape: an OAuth app under the project source folder', () => {
    expect(parsedApp.config.auth.type).toBe('oauth');
  });

  it('require exactly the scopes the install URL asks for (HubSpot refuses an install whose scope list differs)', () => {
    expect([...auth.requiredScopes].sort()).toEqual([...HUBSPOT_SCOPES].sort());
    expect(new Set(auth.requiredScopes).size).toBe(auth.requiredScopes.length);
    expect(auth.optionalScopes).toEqual([]);
  });

  it('redirect to the service’s own callback route, over https except on localhost', () => {
    for (const raw of auth.redirectUrls) {
      const url = new URL(raw);
      expect(url.pathname).toBe(oauthCallbackPath('hubspot'));
      expect(url.search).toBe('');
      if (url.protocol !== 'https:') expect(url.hostname).toBe('localhost');
    }
    // The local one is where a service on the default PUBLIC_URL (http://localhost:3000) sends admins back.
    expect(auth.redirectUrls).toContain(DEFAULT_OAUTH_CLIENT.redirectUri);
  });
});

describe('the app card', () => {
  const cardsDir = `${parsedProject.srcDir}/app/cards/`;
  const configs = readdirSync(new URL(cardsDir, ROOT)).filter((f) => f.endsWith('-hsmeta.json'));

  it('is on the contact record, its entry point beside its config, with the SDK and the React it needs', () => {
    expect(configs).toHaveLength(1);
    const parsed = card.parse(json(`${cardsDir}${configs[0]}`));
    expect(parsed.config.objectTypes).toEqual(['contacts']);
    expect(['crm.record.tab', 'crm.record.sidebar']).toContain(parsed.config.location);
    // Entry points are given from the source folder's root.
    expect(existsSync(new URL(`${parsedProject.srcDir}${parsed.config.entrypoint}`, ROOT))).toBe(true);
    const deps = cardsPackage.parse(json(`${cardsDir}package.json`)).dependencies;
    expect(Object.keys(deps).sort()).toEqual(['@hubspot/ui-extensions', 'react']);
    // The SDK's peer dependency is exactly this React.
    expect(deps.react).toBe('18.3.1');
  });

  it('asks the service the app permits hubspot.fetch to call, at the route that answers cards, on the host OAuth returns to', () => {
    const permitted = parsedApp.config.permittedUrls.fetch;
    expect(permitted).toContain(SERVER_URL);
    const url = new URL(cardUrl(SERVER_URL, 1001));
    expect(url.protocol).toBe('https:');
    expect(url.pathname).toBe(`${HUBSPOT_CARD_PATH}/1001`);
    expect(permitted.some((p) => url.href.startsWith(p))).toBe(true);
    const publicRedirects = auth.redirectUrls.map((r) => new URL(r)).filter((r) => r.hostname !== 'localhost');
    expect(publicRedirects.map((r) => r.origin)).toEqual([url.origin]);
  });
});

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A static token holds no `oauth` scope: it is what HubSpot gives OAuth grants, not keys. */
const KEY_SCOPES = auth.requiredScopes.filter((s) => s !== 'oauth');
const KEY = 'service-key-na1-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

describe('access with only the project’s scopes', () => {
  it('an OAuth install granted the required scopes sets up and syncs every contact', async () => {
    h = await createHarness({ dataset: { contacts: 40 }, sandbox: { privateAppTokens: [] } });
    const code = h.sandbox.issueAuthorizationCode(DEFAULT_OAUTH_CLIENT.clientId, auth.requiredScopes);
    const answer = await fetch(`${h.url}/oauth/v1/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code', client_id: DEFAULT_OAUTH_CLIENT.clientId, client_secret: DEFAULT_OAUTH_CLIENT.clientSecret,
        redirect_uri: DEFAULT_OAUTH_CLIENT.redirectUri, code,
      }).toString(),
    });
    const { refresh_token: refreshToken } = z.object({ refresh_token: z.string() }).parse(await answer.json());
    h.env = { ...h.env, HUBSPOT_ACCESS_TOKEN: '', HUBSPOT_REFRESH_TOKEN: refreshToken, HUBSPOT_CLIENT_ID: DEFAULT_OAUTH_CLIENT.clientId, HUBSPOT_CLIENT_SECRET: DEFAULT_OAUTH_CLIENT.clientSecret };
    const run = await h.sync();
    expect(run.status).toBe('succeeded');
    expect(run.failed).toBe(0);
    expect([...h.crmValues().values()].every((v) => v[h!.names.stage] !== null)).toBe(true);
  });

  it('a Service Key with those scopes works as HUBSPOT_ACCESS_TOKEN: setup, sync, and the account is found', async () => {
    h = await createHarness({ dataset: { contacts: 40 }, sandbox: { privateAppTokens: [], serviceKeys: [{ token: KEY, scopes: KEY_SCOPES }] }, env: { HUBSPOT_ACCESS_TOKEN: KEY } });
    const { connector } = await h.connector();
    expect(await connector.verify()).toMatchObject({ ok: true, accountId: String(h.sandbox.portalId) });
    const run = await h.sync();
    expect(run.status).toBe('succeeded');
    expect(run.failed).toBe(0);
    expect([...h.crmValues().values()].every((v) => v[h!.names.stage] !== null)).toBe(true);
  });

  it('a Service Key without the schema write scope fails setup clearly, naming the missing scope, and writes nothing', async () => {
    const scopes = KEY_SCOPES.filter((s) => s !== 'crm.schemas.contacts.write');
    h = await createHarness({ dataset: { contacts: 10 }, sandbox: { privateAppTokens: [], serviceKeys: [{ token: KEY, scopes }] }, env: { HUBSPOT_ACCESS_TOKEN: KEY } });
    const run = await h.sync().catch((error: unknown) => error);
    const text = run instanceof Error ? run.message : JSON.stringify(run);
    expect(text).toMatch(/MISSING_SCOPES/);
    expect(text).toContain('crm.schemas.contacts.write');
    expect(text).toMatch(/service key/);
    expect(text).not.toContain(KEY);
    expect([...h.crmValues().values()].every((v) => v[h!.names.stage] === null)).toBe(true);
  });
});
