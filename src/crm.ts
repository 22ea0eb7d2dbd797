/**
 * From configuration and environment to a working connection, through the connector registry: which
 * CRM, which store file, which credentials. Secrets come from the environment or, for OAuth installs
 * and renewed sessions, from the store (encrypted). Nothing here names a CRM.
 */
import { ConnectorError, quoted, type Connector, type CredentialStore, type CrmName, type Environment, type Verification } from '../connectors/contract/index.ts';
import { connectorDefinition, connectorDefinitions, connectorNames } from '../connectors/registry.ts';
import type { Config } from './config/schema.ts';
import { installationCustomers, splitCompanionId } from './customerScopes.ts';
import { LifecycleSyncError } from './errors.ts';
import type { Logger } from './log.ts';
import { openStateStore } from './store/open.ts';
import type { Store } from './store/types.ts';
import { dealFieldSpecs } from './sync/dealFields.ts';
import { fieldSpecs } from './sync/fields.ts';

export type Env = Environment;

/** The state store the configuration and environment name (Postgres with DATABASE_URL, else SQLite). */
export function openConfiguredStore(config: Config, env: Env, options: { busyTimeoutMs?: number } = {}): Promise<Store> {
  return openStateStore(config.store, env, options);
}

/** The CRM to use: the flag, else the config, else the first connector whose credentials the environment holds. */
export function resolveCrm(config: Config, env: Env, flag?: string): CrmName | null {
  const choice = flag ?? config.crm;
  if (choice) {
    if (connectorDefinition(choice)) return choice;
    throw new LifecycleSyncError('CONFIG_INVALID', `unknown CRM ${quoted(choice)} (${connectorNames()})`);
  }
  return connectorDefinitions().find((d) => d.hasEnvCredentials(env))?.name ?? null;
}

/** A registered connector, or a clear error (a name read from the store or a URL). */
export function requireDefinition(crm: CrmName) {
  const definition = connectorDefinition(crm);
  if (!definition) throw new LifecycleSyncError('NOT_CONFIGURED', `no connector named ${quoted(crm)} in this build (${connectorNames()})`);
  return definition;
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

/** The installation's credentials in the store; without ENCRYPTION_KEY nothing is read or kept. */
async function storedCredentials(o: ConnectOptions, installationId: string): Promise<CredentialStore> {
  const canStore = Boolean(o.env.ENCRYPTION_KEY);
  return {
    stored: canStore ? await o.store.loadCredentials(installationId) : null,
    save: canStore ? (credentials) => o.store.saveCredentials(installationId, credentials) : null,
  };
}

/**
 * The environment an installation connects with. The installation of the environment's credentials (its
 * id is the CRM's name) has the process's; any other has the account variables stored for it
 * (\`installations add\`'s; an OAuth install's API location, its tokens being in its credentials), never the process's:
 * an agency's client must not be synced with another client's token that happens to be set.
 */
async function installationEnv(o: Pick<ConnectOptions, 'env' | 'store' | 'crm'>, installationId: string): Promise<Env> {
  if (installationId === o.crm) return o.env;
  return withAccountEnv(o.env, o.crm, o.env.ENCRYPTION_KEY ? await o.store.loadAccountEnv(installationId) : null);
}

export async function connect(o: ConnectOptions): Promise<Connection> {
  const installationId = o.installationId ?? o.crm;
  const definition = requireDefinition(o.crm);
  const settings = o.config.connectors[o.crm];
  // One kind of customer per installation: a companion (customerScopes.ts) connects as its account's installation.
  const customers = installationCustomers(o.crm, settings, installationId);
  const accountId = customers.accountInstallationId;
  const credentials = await storedCredentials(o, accountId);
  const env = await installationEnv(o, accountId);
  // Deals are the account's: scored by its own installation only (config/installationSettings.ts says the same).
  const connector = buildConnector(o.config, o.crm, env, credentials, o.log, customers.settings, o.config.sync.deals.enabled && accountId === installationId);
  // The environment's installation is recorded (or renamed) as it connects; any other was added before.
  if (accountId === o.crm) await o.store.upsertInstallation({ id: accountId, crm: o.crm, name: definition.installationName(settings, env) });
  await recordCompanions(o.store, o.crm, accountId, installationId === accountId ? customers.companionIds : [installationId]);
  return { installationId, connector };
}

/**
 * Companion installations (customerScopes.ts) get their row as their account's installation (or they)
 * connect, and as the service reads its installations: listed, chosen, scheduled and watched like any.
 */
export async function recordCompanions(store: Store, crm: CrmName, accountId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const account = await store.getInstallation(accountId);
  if (!account || account.status === 'uninstalled') return;
  for (const id of ids) {
    if (await store.getInstallation(id)) continue;
    const key = splitCompanionId(id)?.key ?? id;
    await store.upsertInstallation({ id, crm, name: `${account.name} · ${key}` });
  }
}

/**
 * The variables of one CRM account in the environment (its definition's accountVariables that are set),
 * for \`installations add\`; an error naming what to set when the environment holds none of its credentials.
 */
export function accountVariablesIn(crm: CrmName, env: Env): Record<string, string> {
  const definition = requireDefinition(crm);
  if (!definition.hasEnvCredentials(env)) {
    throw new LifecycleSyncError('NOT_CONFIGURED', `no ${definition.label} credentials in the environment: set ${definition.accountVariables.join(' / ')} (see README) and run the command again`);
  }
  const out: Record<string, string> = {};
  for (const name of definition.accountVariables) {
    const value = env[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

/** Checks an account's variables with one authenticated call, before anything is stored. */
export async function verifyAccount(o: { config: Config; env: Env; crm: CrmName; variables: Record<string, string>; log: Logger }): Promise<Verification> {
  const env = withAccountEnv(o.env, o.crm, o.variables);
  // The account's own kind of customer is enough to check its credentials.
  return buildConnector(o.config, o.crm, env, { stored: null, save: null }, o.log, installationCustomers(o.crm, o.config.connectors[o.crm], o.crm).settings).verify();
}

/** The process's environment with one account's variables in place of the CRM's (none: without them). */
function withAccountEnv(processEnv: Env, crm: CrmName, variables: Record<string, string> | null): Env {
  const env: Record<string, string | undefined> = { ...processEnv };
  for (const name of requireDefinition(crm).accountVariables) delete env[name];
  return { ...env, ...variables };
}

/** The registry's connector for the CRM, with the host's settings; missing credentials said as configuration. */
function buildConnector(config: Config, crm: CrmName, env: Env, credentials: CredentialStore, log: Logger, settings: unknown = config.connectors[crm], deals = config.sync.deals.enabled): Connector {
  try {
    return requireDefinition(crm).connect({
      settings,
      env,
      fields: fieldSpecs(config.classifier, config.sync),
      // Deal scoring is off unless configured: without deal fields the connector has no `deals`.
      ...(deals ? { dealFields: dealFieldSpecs() } : {}),
      credentials,
      log,
      burstShare: config.sync.burstShare,
      retry: config.sync.retry,
    });
  } catch (error) {
    // Missing credentials are the admin's to set: said as a configuration problem, not a CRM failure.
    if (error instanceof ConnectorError && error.code === 'NOT_CONFIGURED') throw new LifecycleSyncError('NOT_CONFIGURED', error.message);
    throw error;
  }
}
