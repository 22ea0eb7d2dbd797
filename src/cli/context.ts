/** What every CRM command needs: config, store, logger, the chosen installation and its connector. */
import { existsSync } from 'node:fs';
import type { CrmName } from '../../connectors/contract/index.ts';
import { effectiveConfig, readOverrides } from '../config/installationSettings.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { connect, openConfiguredStore, resolveCrm, type Connection, type Env } from '../crm.ts';
import { LifecycleSyncError } from '../errors.ts';
import { createLogger, type Logger } from '../log.ts';
import { storeLocation } from '../store/open.ts';
import type { Installation, Store } from '../store/types.ts';

export interface CrmFlags {
  crm?: string;
  config?: string;
  installation?: string;
  json?: boolean;
}

export interface CommandContext {
  /** The configuration file's, with the installation's own settings over it. */
  config: Config;
  store: Store;
  log: Logger;
  crm: CrmName;
  installationId: string;
  /** The installation's row (null for the environment's installation before its first run). */
  installation: Installation | null;
  connection(): Promise<Connection>;
  close(): Promise<void>;
}

/** What a command works on: an installation's id and CRM. */
export interface InstallationChoice {
  installationId: string;
  crm: CrmName;
  /** Its row, when the store has one (the environment's installation has none before its first run). */
  installation: Installation | null;
}

/**
 * The installation a command works on: `--installation ID`; else, as on a single machine, the CRM the
 * flag, the configuration or the environment's credentials name (its id is the CRM's name); else the one
 * installation the store holds. Several and no `--installation` is an error that lists them.
 */
export async function chooseInstallation(store: Store, config: Config, env: Env, flags: Pick<CrmFlags, 'crm' | 'installation'>): Promise<InstallationChoice> {
  if (flags.installation !== undefined) {
    const installation = await store.getInstallation(flags.installation);
    if (!installation || installation.status === 'uninstalled') {
      throw new LifecycleSyncError('NOT_FOUND', `no installation ${flags.installation}${installation ? ' (it was removed)' : ''}: \`lifecycle-sync installations list\` shows them`);
    }
    const crm = resolveCrm(config, env, flags.crm ?? installation.crm);
    if (crm !== installation.crm) throw new LifecycleSyncError('CONFIG_INVALID', `installation ${installation.id} is on ${installation.crm}, not ${crm ?? 'another CRM'}`);
    return { installationId: installation.id, crm: installation.crm, installation };
  }
  const crm = resolveCrm(config, env, flags.crm);
  if (crm) return { installationId: crm, crm, installation: await store.getInstallation(crm) };
  const installed = (await store.listInstallations()).filter((i) => i.status !== 'uninstalled');
  const only = installed.length === 1 ? installed[0] : undefined;
  if (only) return { installationId: only.id, crm: only.crm, installation: only };
  if (installed.length > 1) {
    throw new LifecycleSyncError('NOT_CONFIGURED', `${installed.length} installations: pass --installation ID (${installed.map((i) => `${i.id} ${i.name}`).join(', ')})`);
  }
  throw notConfigured();
}

function notConfigured(): LifecycleSyncError {
  return new LifecycleSyncError(
    'NOT_CONFIGURED',
    'no CRM configured: pass --crm hubspot|salesforce, set crm in your config, set the CRM credentials (e.g. HUBSPOT_ACCESS_TOKEN), or add an installation (`lifecycle-sync installations add`); `npm start` runs the demo',
  );
}

export async function commandContext(flags: CrmFlags, env: NodeJS.ProcessEnv = process.env): Promise<CommandContext> {
  const fileConfig = loadConfig({ file: flags.config, env });
  // Nothing names a CRM and there is no state file to hold an installation: said without creating one.
  const where = storeLocation(fileConfig.store, env);
  if (flags.installation === undefined && where.kind === 'sqlite' && !existsSync(where.path) && !resolveCrm(fileConfig, env, flags.crm)) throw notConfigured();
  const store = await openConfiguredStore(fileConfig, env);
  try {
    const { installationId, crm, installation } = await chooseInstallation(store, fileConfig, env, flags);
    const config = installation ? effectiveConfig(fileConfig, readOverrides(installation.settings, installationId), installationId) : fileConfig;
    const log = createLogger();
    let connection: Promise<Connection> | null = null;
    return {
      config,
      store,
      log,
      crm,
      installationId,
      installation,
      connection: () => (connection ??= connect({ config, env, store, crm, installationId, log })),
      close: () => store.close(),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
