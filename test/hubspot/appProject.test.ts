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
import { HubSpotOAuth, HUBSPOT_OPTIONAL_SCOPES, HUBSPOT_SCOPES } from '../../connectors/hubspot/oauth.ts';
import { dealPropertyNames, hubspotSettingsSchema } from '../../connectors/hubspot/settings.ts';
import { cardUrl, SERVER_URL } from '../../hubspot-app/src/app/cards/server.ts';
import { DEFAULT_OAUTH_CLIENT } from '../../sandboxes/hubspot/index.ts';
import { silentLogger } from '../../src/log.ts';
import { HUBSPOT_CARD_PATH } from '../../src/server/routes/hubspotCard.ts';
import { oauthCallbackPath } from '../../src/server/routes/install.ts';
import { runSync } from '../../src/sync/engine.ts';
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

  it('require exactly the scopes the install URL asks for, and offer as optional exactly those it asks as optional', () => {
    const url = new URL(new HubSpotOAuth({ clientId: 'c', clientSecret: 's', apiBaseUrl: 'https://api.hubapi.com' }).authorizeUrl({ state: 'x', redirectUri: DEFAULT_OAUTH_CLIENT.redirectUri }));
    const asked = (name: string) => (url.searchParams.get(name) ?? '').split(' ').filter((x) => x !== '').sort();
    // HubSpot refuses an install whose scope list differs from the app's required (or optional) scopes.
    expect([...auth.requiredScopes].sort()).toEqual(asked('scope'));
    expect([...auth.optionalScopes].sort()).toEqual(asked('optional_scope'));
    expect(asked('scope')).toEqual([...HUBSPOT_SCOPES].sort());
    expect(new Set([...auth.requiredScopes, ...auth.optionalScopes]).size).toBe(auth.requiredScopes.length + auth.optionalScopes.length);
    // Webhook subscriptions on companies need their read scope required; what deal scoring and companies
    // as customers write is optional, since both are off by default.
    expect(auth.requiredScopes).toContain('crm.objects.companies.read');
    expect(auth.optionalScopes).toEqual(expect.arrayContaining(['crm.objects.deals.write', 'crm.schemas.deals.write', 'crm.objects.companies.write', 'crm.schemas.companies.write']));
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

  it('is on the contact and company records, its entry point beside its config, with the SDK and the React it needs', () => {
    expect(configs).toHaveLength(1);
    const parsed = card.parse(json(`${cardsDir}${configs[0]}`));
    expect(parsed.config.objectTypes).toEqual(['contacts', 'companies']);
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
    expect(url.pathname).toBe(`${HUBSPOT_CARD_PATH}/contacts/1001`);
    expect(new URL(cardUrl(SERVER_URL, 1001, 'companies')).pathname).toBe(`${HUBSPOT_CARD_PATH}/companies/1001`);
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

/**
 * An install through the product's own install URL against the sandbox's consent page, the admin
 * declining `declined` of the optional scopes: the refresh token of the grant, set as the harness' credentials.
 */
async function installThroughConsent(x: Harness): Promise<void> {
  const oauth = new HubSpotOAuth({ clientId: DEFAULT_OAUTH_CLIENT.clientId, clientSecret: DEFAULT_OAUTH_CLIENT.clientSecret, apiBaseUrl: x.url, authorizeUrl: `${x.url}/oauth/authorize` });
  const consent = await fetch(oauth.authorizeUrl({ state: 'state', redirectUri: DEFAULT_OAUTH_CLIENT.redirectUri }), { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const code = new URL(consent.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const grant = await oauth.exchange({ code, redirectUri: DEFAULT_OAUTH_CLIENT.redirectUri });
  x.env = { ...x.env, HUBSPOT_ACCESS_TOKEN: '', HUBSPOT_REFRESH_TOKEN: grant.credentials.refreshToken ?? '', HUBSPOT_CLIENT_ID: DEFAULT_OAUTH_CLIENT.clientId, HUBSPOT_CLIENT_SECRET: DEFAULT_OAUTH_CLIENT.clientSecret };
}

/** A failed run's message (what the runs list and the page show). */
async function failure(run: Promise<{ status: string; message: string | null }>): Promise<string> {
  const summary = await run;
  expect(summary.status).toBe('failed');
  return summary.message ?? '';
}

const DEALS_ON = { sync: { deals: { enabled: true } } };
const OPEN_DEAL = { dealname: 'open', amount: '5000', pipeline: 'default', dealstage: 'qualifiedtobuy', closedate: '2027-03-01T00:00:00Z' };

describe('optional scopes an admin declined at install', () => {
  it('contacts still sync; deal scoring fails before anything is written, naming deal scoring and the scope', async () => {
    h = await createHarness({ dataset: { contacts: 30 }, sandbox: { privateAppTokens: [], declinedOptionalScopes: HUBSPOT_OPTIONAL_SCOPES }, config: DEALS_ON });
    await installThroughConsent(h);
    const text = await failure(h.sync());
    expect(text).toMatch(/deal scoring \(sync\.deals\.enabled\)/);
    expect(text).toContain('crm.schemas.deals.write');
    expect(text).toMatch(/sync\.deals\.enabled: false/);
    expect(text).not.toMatch(/^HubSpot answered 403/);
    expect([...h.crmValues().values()].every((v) => v[h!.names.stage] === null)).toBe(true);
    const names = dealPropertyNames(hubspotSettingsSchema.parse(h.config.connectors.hubspot));
    expect(h.sandbox.data.dealIds().every((id) => h!.sandbox.data.getDeal(id)?.properties[names.winProbability] === undefined)).toBe(true);

    // Without deal scoring the same grant syncs every contact.
    const { installationId, connector } = await h.connector();
    const run = await runSync({ store: h.store, connector, installationId, classifier: h.config.classifier, sync: { ...h.config.sync, deals: { ...h.config.sync.deals, enabled: false } }, log: silentLogger() });
    expect(run.status).toBe('succeeded');
    expect([...h.crmValues().values()].every((v) => v[h!.names.stage] !== null)).toBe(true);
  });

  it('deal scoring granted the schema scope but not the deal write scope: the customers are written, then the run fails naming crm.objects.deals.write', async () => {
    h = await createHarness({ dataset: { contacts: 20 }, sandbox: { privateAppTokens: [], declinedOptionalScopes: ['crm.objects.deals.write'] }, config: DEALS_ON });
    await installThroughConsent(h);
    h.sandbox.data.createDeal(OPEN_DEAL);
    const text = await failure(h.sync());
    expect(text).toMatch(/deal scoring/);
    expect(text).toContain('crm.objects.deals.write');
    expect([...h.crmValues().values()].every((v) => v[h!.names.stage] !== null)).toBe(true);
  });

  it('with every optional scope granted, deal scoring writes the open deals', async () => {
    h = await createHarness({ dataset: { contacts: 20 }, sandbox: { privateAppTokens: [] }, config: DEALS_ON });
    await installThroughConsent(h);
    const open = h.sandbox.data.createDeal(OPEN_DEAL);
    const run = await h.sync();
    expect(run.status).toBe('succeeded');
    const names = dealPropertyNames(hubspotSettingsSchema.parse(h.config.connectors.hubspot));
    expect(h.sandbox.data.getDeal(open)?.properties[names.winProbability]).toMatch(/^\d+$/);
  });

  it('companies as customers without the company scopes fail setup naming crm.schemas.companies.write', async () => {
    h = await createHarness({ dataset: { contacts: 20 }, b2b: true, sandbox: { privateAppTokens: [], declinedOptionalScopes: HUBSPOT_OPTIONAL_SCOPES }, config: { hubspot: { customerObject: 'companies' } } });
    await installThroughConsent(h);
    const text = await failure(h.sync());
    expect(text).toMatch(/MISSING_SCOPES/);
    expect(text).toContain('crm.schemas.companies.write');
  });
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
