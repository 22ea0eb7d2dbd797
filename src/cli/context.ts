/** What every CRM command needs: config, store, logger, the chosen CRM and its connector. */
import type { CrmName } from '../../connectors/contract/index.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { connect, openConfiguredStore, resolveCrm, type Connection } from '../crm.ts';
import { LifecycleSyncError } from '../errors.ts';
import { createLogger, type Logger } from '../log.ts';
import type { Store } from '../store/types.ts';

export interface CrmFlags {
  crm?: string;
  config?: string;
  json?: boolean;
}

export interface CommandContext {
  config: Config;
  store: Store;
  log: Logger;
  crm: CrmName;
  connection(): Promise<Connection>;
  close(): Promise<void>;
}

export async function commandContext(flags: CrmFlags, env: NodeJS.ProcessEnv = process.env): Promise<CommandContext> {
  const config = loadConfig({ file: flags.config, env });
  const crm = resolveCrm(config, env, flags.crm);
  if (!crm) {
    throw new LifecycleSyncError(
      'NOT_CONFIGURED',
      'no CRM configured: pass --crm hubspot|salesforce, set crm in your config, or set the CRM credentials (e.g. HUBSPOT_ACCESS_TOKEN); `npm start` runs the demo',
    );
  }
  const store = await openConfiguredStore(config, env);
  const log = createLogger();
  let connection: Promise<Connection> | null = null;
  return {
    config,
    store,
    log,
    crm,
    connection: () => (connection ??= connect({ config, env, store, crm, log })),
    close: () => store.close(),
  };
}
