/**
 * From configuration and environment to a working connection: which CRM, which store file, which
 * credentials. Secrets come from the environment or, for OAuth installs, from the store (encrypted).
 */
import { OAuthTokenSource, privateAppToken, type TokenSource } from '../connectors/hubspot/auth.ts';
import { HubSpotConnector } from '../connectors/hubspot/connector.ts';
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
  return openStore(storePath(config, env), { encryptionKey: env.ENCRYPTION_KEY || undefined });
}

/** The CRM to use: the flag, else the config, else the one whose credentials are present. */
export function resolveCrm(config: Config, env: Env, flag?: string): CrmName | null {
  const choice = flag ?? config.crm;
  if (choice === 'hubspot' || choice === 'salesforce') return choice;
  if (choice) throw new LifecycleSyncError('CONFIG_INVALID', `unknown CRM "${choice}" (hubspot or salesforce)`);
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

export function connect(o: ConnectOptions): Connection {
  const installationId = o.installationId ?? o.crm;
  if (o.crm === 'salesforce') throw new LifecycleSyncError('NOT_CONFIGURED', 'the Salesforce connector is not available in this version');
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
