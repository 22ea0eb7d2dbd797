/** What every CRM command needs: config, store, logger, the chosen installation and its connector. */
import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { CrmName } from '../../connectors/contract/index.ts';
import { effectiveConfig, readOverrides } from '../config/installationSettings.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { connect, openConfiguredStore, resolveCrm, type Connection } from '../crm.ts';
import { chooseInstallation, notConfigured } from '../service/chooseInstallation.ts';
import { createLogger, type Logger } from '../log.ts';
import { routedStream } from './progress.ts';
import { storeLocation } from '../store/open.ts';
import type { Installation, Store } from '../store/types.ts';

export { chooseInstallation, type InstallationChoice } from '../service/chooseInstallation.ts';

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
  /** Sends the log lines to `to` (a progress bar's logStream) instead of stderr; null: stderr again. */
  routeLog(to: Writable | null): void;
  crm: CrmName;
  installationId: string;
  /** The installation's row (null for the environment's installation before its first run). */
  installation: Installation | null;
  connection(): Promise<Connection>;
  close(): Promise<void>;
}

export async function commandContext(flags: CrmFlags, env: NodeJS.ProcessEnv = process.env): Promise<CommandContext> {
  const fileConfig = loadConfig({ file: flags.config, env });
  // Nothing names a CRM and there is no state file to hold an installation: said without creating one.
  const where = storeLocation(fileConfig.store, env);
  if (flags.installation === undefined && where.kind === 'sqlite' && !existsSync(where.path) && !resolveCrm(fileConfig, env, flags.crm)) throw notConfigured();
  const store = await openConfiguredStore(fileConfig, env);
  try {
    const { installationId, crm, installation } = await chooseInstallation(store, fileConfig, env, flags);
    const config = effectiveConfig(fileConfig, installation ? readOverrides(installation.settings, installationId) : {}, installationId);
    const logOut = routedStream();
    const log = createLogger({ stream: logOut.stream });
    let connection: Promise<Connection> | null = null;
    return {
      config,
      store,
      log,
      routeLog: (to) => logOut.route(to),
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
