/**
 * From configuration and environment to a working connection: which CRM, which store file, which
 * credentials. Secrets come from the environment or, for OAuth installs, from the store (encrypted).
 */
import { quoted } from '../connectors/excerpt.ts';
import { OAuthTokenSource, privateAppToken, type TokenSource } from '../connectors/hubspot/auth.ts';
import { HubSpotConnector } from '../connectors/hubspot/connector.ts';
import { accessTokenAuth, jwtAuth, refreshTokenAuth, type SalesforceAuth, type Session } from '../connectors/salesforce/auth.ts';
import { SalesforceConnector } from '../connectors/salesforce/connector.ts';
import { salesforceSettingsSchema, type SalesforceSettings } from '../connectors/salesforce/settings.ts';
import { readFileSync } from 'node:fs';
import type { Connector, CrmName } from '../connectors/types.ts';
import type { Config } from './config/schema.ts';
import { LifecycleSyncError } from './errors.ts';
import type { Logger } from './log.ts';
import { openStore, type SqliteStore } from './store/sqlite.ts';
import type { Store } from './store/types.ts';
import { fieldSpecs } from './sync/fields.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export function storePath(config: Config, env: Env): string {
  return env.LIFECYCLE_SYNC_DB || config.store.path;
}

export function openConfiguredStore(config: Config, env: Env): SqliteStore {
  return openStore(storePath(config, env), { encryptionKey: env.ENCRYPTION_KEY || undefined, busyTimeoutMs: config.store.busyTimeoutMs });
}

/** The CRM to use: the flag, else the config, else the one whose credentials are present. */
export function resolveCrm(config: Config, env: Env, flag?: string): CrmName | null {
  const choice = flag ?? config.crm;
  if (choice === 'hubspot' || choice === 'salesforce') return choice;
  if (choice) throw new LifecycleSyncError('CONFIG_INVALID', `unknown CRM ${quoted(choice)} (hubspot or salesforce)`);
  if (env.HUBSPOT_ACCESS_TOKEN || env.HUBSPOT_REFRESH_TOKEN) return 'hubspot';
  if (env.SALESFORCE_ACCESS_TOKEN || env.SALESFORCE_REFRESH_TOKEN || env.SALESFORCE_USERNAME) return 'salesforce';
  return null;
}

export interface ConnectOptions {
  config: Config;
  env: Env;
  store: Store;
  crm: CrmName;
  /** Defaults to the CRM's name: one installation per CRM unless several are configured. */
  installationId?: string;
  log: Logger;
}

export interface Connection {
  installationId: string;
  connector: Connector;
}

function hubspotAuth(o: ConnectOptions, installationId: string, baseUrl: string): TokenSource {
  const env = o.env;
  if (env.HUBSPOT_ACCESS_TOKEN) return privateAppToken(env.HUBSPOT_ACCESS_TOKEN);
  const stored = env.ENCRYPTION_KEY ? o.store.loadCredentials(installationId) : null;
  const refreshToken = stored?.refreshToken ?? env.HUBSPOT_REFRESH_TOKEN;
  if (!refreshToken) {
    throw new LifecycleSyncError(
      'NOT_CONFIGURED',
      'no HubSpot credentials: set HUBSPOT_ACCESS_TOKEN (a private app token), or install the app with OAuth (HUBSPOT_CLIENT_ID, HUBSPOT_CLIENT_SECRET and the admin page, or HUBSPOT_REFRESH_TOKEN)',
    );
  }
  if (!env.HUBSPOT_CLIENT_ID || !env.HUBSPOT_CLIENT_SECRET) {
    throw new LifecycleSyncError('NOT_CONFIGURED', 'HubSpot OAuth needs HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET to refresh its tokens');
  }
  return new OAuthTokenSource({
    clientId: env.HUBSPOT_CLIENT_ID,
    clientSecret: env.HUBSPOT_CLIENT_SECRET,
    baseUrl,
    tokens: { accessToken: stored?.accessToken ?? null, refreshToken, expiresAt: stored?.expiresAt ?? null },
    persist: env.ENCRYPTION_KEY
      ? (tokens) =>
          o.store.saveCredentials(installationId, {
            kind: 'oauth',
            accessToken: tokens.accessToken ?? undefined,
            refreshToken: tokens.refreshToken,
            expiresAt: tokens.expiresAt ?? undefined,
          })
      : undefined,
  });
}

/** Salesforce settings with the environment's overrides applied (and checked like the config file). */
function salesforceSettings(o: ConnectOptions): SalesforceSettings {
  const env = o.env;
  const merged = {
    ...o.config.salesforce,
    loginUrl: env.SALESFORCE_LOGIN_URL || o.config.salesforce.loginUrl,
    instanceUrl: env.SALESFORCE_INSTANCE_URL || o.config.salesforce.instanceUrl,
    apiVersion: env.SALESFORCE_API_VERSION || o.config.salesforce.apiVersion,
  };
  const parsed = salesforceSettingsSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue.path[0] ?? '');
    const variable = { loginUrl: 'SALESFORCE_LOGIN_URL', instanceUrl: 'SALESFORCE_INSTANCE_URL', apiVersion: 'SALESFORCE_API_VERSION' }[key] ?? `salesforce.${key}`;
    throw new LifecycleSyncError('CONFIG_INVALID', `${variable}: ${issue.message}`);
  }
  return parsed.data;
}

function salesforceAuth(o: ConnectOptions, installationId: string, settings: SalesforceSettings): SalesforceAuth {
  const env = o.env;
  const stored = env.ENCRYPTION_KEY ? o.store.loadCredentials(installationId) : null;
  // An install through the admin page stores the identity URL (…/id/orgId/userId); the connector stores userId.
  const userId = stored?.extra?.userId ?? stored?.extra?.identityUrl?.split('/').filter(Boolean).pop();
  const storedSession: Session | null =
    stored?.accessToken && stored.extra?.instanceUrl ? { accessToken: stored.accessToken, instanceUrl: stored.extra.instanceUrl, ...(userId ? { userId } : {}) } : null;
  const save = (kind: 'oauth' | 'jwt', session: Session, refreshToken?: string) => {
    if (!env.ENCRYPTION_KEY) return;
    o.store.saveCredentials(installationId, {
      kind,
      accessToken: session.accessToken,
      ...(refreshToken ? { refreshToken } : {}),
      extra: { instanceUrl: session.instanceUrl, ...(session.userId ? { userId: session.userId } : {}) },
    });
  };
  if (env.SALESFORCE_ACCESS_TOKEN) {
    const instanceUrl = settings.instanceUrl;
    if (!instanceUrl) throw new LifecycleSyncError('NOT_CONFIGURED', 'SALESFORCE_ACCESS_TOKEN needs SALESFORCE_INSTANCE_URL (https://yourdomain.my.salesforce.com)');
    return accessTokenAuth({ accessToken: env.SALESFORCE_ACCESS_TOKEN, instanceUrl });
  }
  if (env.SALESFORCE_PRIVATE_KEY_FILE || env.SALESFORCE_USERNAME) {
    if (!env.SALESFORCE_CLIENT_ID || !env.SALESFORCE_USERNAME || !env.SALESFORCE_PRIVATE_KEY_FILE) {
      throw new LifecycleSyncError('NOT_CONFIGURED', 'the Salesforce JWT login needs SALESFORCE_CLIENT_ID, SALESFORCE_USERNAME and SALESFORCE_PRIVATE_KEY_FILE');
    }
    let pem: string;
    try {
      pem = readFileSync(env.SALESFORCE_PRIVATE_KEY_FILE, 'utf8');
    } catch (error) {
      throw new LifecycleSyncError('NOT_CONFIGURED', `SALESFORCE_PRIVATE_KEY_FILE: cannot read ${env.SALESFORCE_PRIVATE_KEY_FILE} (${error instanceof Error ? error.message : String(error)})`);
    }
    return jwtAuth({
      clientId: env.SALESFORCE_CLIENT_ID,
      username: env.SALESFORCE_USERNAME,
      loginUrl: settings.loginUrl,
      privateKeyPem: pem,
      stored: stored?.kind === 'jwt' ? storedSession : null,
      persist: (session) => save('jwt', session),
    });
  }
  const refreshToken = stored?.refreshToken ?? env.SALESFORCE_REFRESH_TOKEN;
  if (!refreshToken) {
    throw new LifecycleSyncError(
      'NOT_CONFIGURED',
      'no Salesforce credentials: set SALESFORCE_ACCESS_TOKEN with SALESFORCE_INSTANCE_URL, or SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET and SALESFORCE_REFRESH_TOKEN (or install through the admin page), or SALESFORCE_CLIENT_ID, SALESFORCE_USERNAME and SALESFORCE_PRIVATE_KEY_FILE (JWT)',
    );
  }
  if (!env.SALESFORCE_CLIENT_ID || !env.SALESFORCE_CLIENT_SECRET) {
    throw new LifecycleSyncError('NOT_CONFIGURED', 'Salesforce OAuth needs SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET to refresh its sessions');
  }
  return refreshTokenAuth({
    clientId: env.SALESFORCE_CLIENT_ID,
    clientSecret: env.SALESFORCE_CLIENT_SECRET,
    loginUrl: settings.loginUrl,
    refreshToken,
    stored: stored?.kind === 'oauth' ? storedSession : null,
    persist: (t) => save('oauth', t, t.refreshToken),
  });
}

function connectSalesforce(o: ConnectOptions, installationId: string): Connection {
  const settings = salesforceSettings(o);
  const connector = new SalesforceConnector({
    settings,
    fields: fieldSpecs(o.config.classifier, o.config.sync),
    auth: salesforceAuth(o, installationId, settings),
    retry: o.config.sync.retry,
    log: o.log,
  });
  const where = settings.instanceUrl ? new URL(settings.instanceUrl).host : new URL(settings.loginUrl).host;
  o.store.upsertInstallation({ id: installationId, crm: o.crm, name: `Salesforce (${where})` });
  return { installationId, connector };
}

export function connect(o: ConnectOptions): Connection {
  const installationId = o.installationId ?? o.crm;
  if (o.crm === 'salesforce') return connectSalesforce(o, installationId);
  const baseUrl = (o.env.HUBSPOT_BASE_URL || o.config.hubspot.baseUrl).replace(/\/+$/, '');
  const settings = { ...o.config.hubspot, baseUrl };
  const connector = new HubSpotConnector({
    settings,
    fields: fieldSpecs(o.config.classifier, o.config.sync),
    auth: hubspotAuth(o, installationId, baseUrl),
    burstShare: o.config.sync.burstShare,
    retry: o.config.sync.retry,
    log: o.log,
  });
  o.store.upsertInstallation({ id: installationId, crm: o.crm, name: `HubSpot (${new URL(baseUrl).host})` });
  return { installationId, connector };
}
