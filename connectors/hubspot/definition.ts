/**
 * The HubSpot connector as the registry lists it: its settings (config `hubspot:`), its credentials
 * (HUBSPOT_ACCESS_TOKEN — a Service Key, or a legacy private app's token — or an OAuth install's refresh
 * token, from the store or HUBSPOT_REFRESH_TOKEN with the app's HUBSPOT_CLIENT_ID and _SECRET), how it
 * connects, its OAuth install, its property names.
 */
import { z } from 'zod';
import { ConnectorError, type ConnectInput, type ConnectorDefinition, type CustomerScope, type Environment } from '../contract/index.ts';
import { hubspotAppRequests } from './appRequests.ts';
import { OAuthTokenSource, privateAppToken, type TokenSource } from './auth.ts';
import { HubSpotConnector } from './connector.ts';
import { HubSpotOAuth } from './oauth.ts';
import { hubspotWebhooks } from './webhooks.ts';
import { CUSTOMER_OBJECTS, hubspotSection, hubspotSectionSchema, propertyNames, type CustomerObject, type HubSpotSectionSettings, type HubSpotSettings } from './settings.ts';

const set = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

/** HUBSPOT_BASE_URL overrides the API base (the sandbox and tests point it elsewhere). */
function sectionOf(raw: unknown, env: Environment): HubSpotSectionSettings {
  const settings = hubspotSectionSchema.parse(raw);
  const baseUrl = set(env.HUBSPOT_BASE_URL);
  if (baseUrl !== undefined && !z.string().url().safeParse(baseUrl).success) throw new ConnectorError('NOT_CONFIGURED', 'HUBSPOT_BASE_URL: must be a URL');
  return { ...settings, baseUrl: (baseUrl ?? settings.baseUrl).replace(/\/+$/, '') };
}

/** The settings of one customer object: `both` is the host's to split (customerScopes) before it connects. */
function settingsOf(raw: unknown, env: Environment): HubSpotSettings {
  const settings = sectionOf(raw, env);
  const { customerObject } = settings;
  if (customerObject === 'both') throw new ConnectorError('NOT_CONFIGURED', 'hubspot.customerObject both: each object is connected as its own installation (customerScopes), never both at once');
  return { ...settings, customerObject };
}

/** `both`: contacts (the installation's own) and companies (its companion); otherwise the one object. */
const objectsOf = (settings: HubSpotSectionSettings): CustomerObject[] => (settings.customerObject === 'both' ? ['contacts', 'companies'] : [settings.customerObject]);

function customerScopes(raw: unknown): CustomerScope[] {
  const settings = hubspotSectionSchema.parse(raw);
  return objectsOf(settings).map((customerObject) => ({ key: customerObject, settings: { ...settings, customerObject } }));
}

function tokenSource(input: ConnectInput, settings: HubSpotSettings): TokenSource {
  const env = input.env;
  const accessToken = set(env.HUBSPOT_ACCESS_TOKEN);
  if (accessToken) return privateAppToken(accessToken);
  const stored = input.credentials.stored;
  const refreshToken = stored?.refreshToken ?? set(env.HUBSPOT_REFRESH_TOKEN);
  if (!refreshToken) {
    throw new ConnectorError(
      'NOT_CONFIGURED',
      'no HubSpot credentials: set HUBSPOT_ACCESS_TOKEN (a service key, or a legacy private app token), or install the app with OAuth (HUBSPOT_CLIENT_ID, HUBSPOT_CLIENT_SECRET and the admin page, or HUBSPOT_REFRESH_TOKEN)',
    );
  }
  const clientId = set(env.HUBSPOT_CLIENT_ID);
  const clientSecret = set(env.HUBSPOT_CLIENT_SECRET);
  if (!clientId || !clientSecret) throw new ConnectorError('NOT_CONFIGURED', 'HubSpot OAuth needs HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET to refresh its tokens');
  const save = input.credentials.save;
  return new OAuthTokenSource({
    clientId,
    clientSecret,
    baseUrl: settings.baseUrl,
    tokens: { accessToken: stored?.accessToken ?? null, refreshToken, expiresAt: stored?.expiresAt ?? null },
    persist: save
      ? (tokens) => save({ kind: 'oauth', accessToken: tokens.accessToken ?? undefined, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt ?? undefined })
      : undefined,
  });
}

export const hubspotDefinition: ConnectorDefinition = {
  ...hubspotSection,
  hasEnvCredentials: (env) => Boolean(set(env.HUBSPOT_ACCESS_TOKEN) ?? set(env.HUBSPOT_REFRESH_TOKEN)),
  accountVariables: ['HUBSPOT_ACCESS_TOKEN', 'HUBSPOT_REFRESH_TOKEN', 'HUBSPOT_BASE_URL'],
  hasOAuthApp: (env) => Boolean(set(env.HUBSPOT_CLIENT_ID)),
  // The property names are the same on every object, so `both` names them too.
  fieldNames: (raw, env) => propertyNames(sectionOf(raw, env)),
  // `both` unsplit: the installation's own object (contacts); its companion passes its own settings.
  customerRecord: (raw, env) => CUSTOMER_OBJECTS[objectsOf(sectionOf(raw, env))[0] ?? 'contacts'].singular,
  customerScopes,
  installationName: (raw, env) => `HubSpot (${new URL(sectionOf(raw, env).baseUrl).host})`,
  connect(input) {
    const settings = settingsOf(input.settings, input.env);
    return new HubSpotConnector({ settings, fields: input.fields, dealFields: input.dealFields, auth: tokenSource(input, settings), burstShare: input.burstShare, retry: input.retry, log: input.log });
  },
  webhooks: hubspotWebhooks,
  appRequests: hubspotAppRequests,
  oauth(raw, env) {
    return new HubSpotOAuth({
      clientId: set(env.HUBSPOT_CLIENT_ID),
      clientSecret: set(env.HUBSPOT_CLIENT_SECRET),
      apiBaseUrl: sectionOf(raw, env).baseUrl,
      authorizeUrl: set(env.HUBSPOT_AUTHORIZE_URL),
    });
  },
};
