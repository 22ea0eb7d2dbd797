/**
 * The Salesforce connector as the registry lists it: its settings (config `salesforce:`, with
 * SALESFORCE_LOGIN_URL, _INSTANCE_URL and _API_VERSION overriding), its credentials (an access token; a
 * refresh token from an OAuth install or SALESFORCE_REFRESH_TOKEN with the app's client id and secret;
 * or the JWT bearer flow with SALESFORCE_USERNAME and SALESFORCE_PRIVATE_KEY_FILE), how it connects,
 * its OAuth install, its field API names. Sessions it obtains are saved with the installation.
 */
import { readFileSync } from 'node:fs';
import { ConnectorError, type ConnectInput, type ConnectorDefinition, type Environment } from '../contract/index.ts';
import { accessTokenAuth, jwtAuth, refreshTokenAuth, type SalesforceAuth, type Session } from './auth.ts';
import { SalesforceConnector } from './connector.ts';
import { SalesforceOAuth } from './oauth.ts';
import { fieldApiNames, salesforceSection, salesforceSettingsSchema, type SalesforceSettings } from './settings.ts';

const set = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
const ENV_OVERRIDES = { loginUrl: 'SALESFORCE_LOGIN_URL', instanceUrl: 'SALESFORCE_INSTANCE_URL', apiVersion: 'SALESFORCE_API_VERSION' } as const;

/** The settings with the environment's overrides applied, checked like the configuration file (naming the variable). */
function settingsOf(raw: unknown, env: Environment): SalesforceSettings {
  const base = salesforceSettingsSchema.parse(raw);
  const merged = {
    ...base,
    loginUrl: set(env.SALESFORCE_LOGIN_URL) ?? base.loginUrl,
    instanceUrl: set(env.SALESFORCE_INSTANCE_URL) ?? base.instanceUrl,
    apiVersion: set(env.SALESFORCE_API_VERSION) ?? base.apiVersion,
  };
  const parsed = salesforceSettingsSchema.safeParse(merged);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = String(issue.path[0] ?? '');
  const variable = key in ENV_OVERRIDES ? ENV_OVERRIDES[key as keyof typeof ENV_OVERRIDES] : `salesforce.${key}`;
  throw new ConnectorError('NOT_CONFIGURED', `${variable}: ${issue.message}`);
}

function auth(input: ConnectInput, settings: SalesforceSettings): SalesforceAuth {
  const env = input.env;
  const stored = input.credentials.stored;
  // An install through the admin page stores the identity URL (…/id/orgId/userId); the connector stores userId.
  const userId = stored?.extra?.userId ?? stored?.extra?.identityUrl?.split('/').filter(Boolean).pop();
  const storedSession: Session | null =
    stored?.accessToken && stored.extra?.instanceUrl ? { accessToken: stored.accessToken, instanceUrl: stored.extra.instanceUrl, ...(userId ? { userId } : {}) } : null;
  const save = (kind: 'oauth' | 'jwt', session: Session, refreshToken?: string) =>
    input.credentials.save?.({
      kind,
      accessToken: session.accessToken,
      ...(refreshToken ? { refreshToken } : {}),
      extra: { instanceUrl: session.instanceUrl, ...(session.userId ? { userId: session.userId } : {}) },
    });
  const accessToken = set(env.SALESFORCE_ACCESS_TOKEN);
  if (accessToken) {
    if (!settings.instanceUrl) throw new ConnectorError('NOT_CONFIGURED', 'SALESFORCE_ACCESS_TOKEN needs SALESFORCE_INSTANCE_URL (https://yourdomain.my.salesforce.com)');
    return accessTokenAuth({ accessToken, instanceUrl: settings.instanceUrl });
  }
  const clientId = set(env.SALESFORCE_CLIENT_ID);
  const keyFile = set(env.SALESFORCE_PRIVATE_KEY_FILE);
  const username = set(env.SALESFORCE_USERNAME);
  if (keyFile || username) {
    if (!clientId || !username || !keyFile) throw new ConnectorError('NOT_CONFIGURED', 'the Salesforce JWT login needs SALESFORCE_CLIENT_ID, SALESFORCE_USERNAME and SALESFORCE_PRIVATE_KEY_FILE');
    let pem: string;
    try {
      pem = readFileSync(keyFile, 'utf8');
    } catch (error) {
      throw new ConnectorError('NOT_CONFIGURED', `SALESFORCE_PRIVATE_KEY_FILE: cannot read ${keyFile} (${error instanceof Error ? error.message : String(error)})`);
    }
    return jwtAuth({ clientId, username, loginUrl: settings.loginUrl, privateKeyPem: pem, stored: stored?.kind === 'jwt' ? storedSession : null, persist: (session) => save('jwt', session) });
  }
  const refreshToken = stored?.refreshToken ?? set(env.SALESFORCE_REFRESH_TOKEN);
  if (!refreshToken) {
    throw new ConnectorError(
      'NOT_CONFIGURED',
      'no Salesforce credentials: set SALESFORCE_ACCESS_TOKEN with SALESFORCE_INSTANCE_URL, or SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET and SALESFORCE_REFRESH_TOKEN (or install through the admin page), or SALESFORCE_CLIENT_ID, SALESFORCE_USERNAME and SALESFORCE_PRIVATE_KEY_FILE (JWT)',
    );
  }
  const clientSecret = set(env.SALESFORCE_CLIENT_SECRET);
  if (!clientId || !clientSecret) throw new ConnectorError('NOT_CONFIGURED', 'Salesforce OAuth needs SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET to refresh its sessions');
  return refreshTokenAuth({
    clientId,
    clientSecret,
    loginUrl: settings.loginUrl,
    refreshToken,
    stored: stored?.kind === 'oauth' ? storedSession : null,
    persist: (t) => save('oauth', t, t.refreshToken),
  });
}

export const salesforceDefinition: ConnectorDefinition = {
  ...salesforceSection,
  hasEnvCredentials: (env) => Boolean(set(env.SALESFORCE_ACCESS_TOKEN) ?? set(env.SALESFORCE_REFRESH_TOKEN) ?? set(env.SALESFORCE_USERNAME)),
  accountVariables: ['SALESFORCE_INSTANCE_URL', 'SALESFORCE_LOGIN_URL', 'SALESFORCE_ACCESS_TOKEN', 'SALESFORCE_REFRESH_TOKEN', 'SALESFORCE_USERNAME', 'SALESFORCE_PRIVATE_KEY_FILE'],
  hasOAuthApp: (env) => Boolean(set(env.SALESFORCE_CLIENT_ID)),
  fieldNames: (raw, env) => fieldApiNames(settingsOf(raw, env)),
  installationName(raw, env) {
    const s = settingsOf(raw, env);
    return `Salesforce (${new URL(s.instanceUrl ?? s.loginUrl).host})`;
  },
  connect(input) {
    const settings = settingsOf(input.settings, input.env);
    return new SalesforceConnector({ settings, fields: input.fields, dealFields: input.dealFields, auth: auth(input, settings), retry: input.retry, log: input.log });
  },
  oauth(raw, env) {
    return new SalesforceOAuth({ clientId: set(env.SALESFORCE_CLIENT_ID), clientSecret: set(env.SALESFORCE_CLIENT_SECRET), loginUrl: settingsOf(raw, env).loginUrl });
  },
};
