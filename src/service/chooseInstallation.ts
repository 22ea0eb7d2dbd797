/**
 * Which installation a command or an unscoped API route works on, the same rule for the CLI and the
 * admin server: an explicit id; else, as on a single machine, the CRM the flag, the configuration or the
 * environment's credentials name (its id is the CRM's name); else the one installation the store holds.
 * Several and no id is an error that lists them, never a guess: an agency's client must not be synced
 * because it happened to be installed last.
 */
import type { CrmName } from '../../connectors/contract/index.ts';
import type { Config } from '../config/schema.ts';
import { resolveCrm, type Env } from '../crm.ts';
import { companionIds, isCompanionId, splitCompanionId } from '../customerScopes.ts';
import { LifecycleSyncError } from '../errors.ts';
import type { Installation, Store } from '../store/types.ts';

/** What a command works on: an installation's id and CRM. */
export interface InstallationChoice {
  installationId: string;
  crm: CrmName;
  /** Its row, when the store has one (the environment's installation has none before its first run). */
  installation: Installation | null;
}

export interface ChoiceFlags {
  crm?: string;
  installation?: string;
}

/** How the choice is worded when several installations need an id (the CLI's flag, the API's path). */
export interface ChoiceWording {
  several: (count: number, list: string) => Error;
  notFound: (id: string, removed: boolean) => string;
  /** Nothing is configured or installed. */
  none: () => Error;
}

export const cliWording: ChoiceWording = {
  several: (count, list) => new LifecycleSyncError('INSTALLATION_REQUIRED', `${count} installations: pass --installation ID (${list})`),
  notFound: (id, removed) => `no installation ${id}${removed ? ' (it was removed)' : ''}: \`lifecycle-sync installations list\` shows them`,
  none: () => notConfigured(),
};

export async function chooseInstallation(store: Store, config: Config, env: Env, flags: ChoiceFlags, wording: ChoiceWording = cliWording): Promise<InstallationChoice> {
  if (flags.installation !== undefined) {
    const installation = await store.getInstallation(flags.installation);
    // The environment's installation's companion (customerScopes.ts) answers before its first run records it.
    const companion = installation ? null : splitCompanionId(flags.installation);
    if (companion) {
      const crm = resolveCrm(config, env, flags.crm);
      if (crm !== null && companion.accountInstallationId === crm && companionIds(crm, config.connectors[crm], crm).includes(flags.installation)) {
        return { installationId: flags.installation, crm, installation: null };
      }
    }
    if (!installation || installation.status === 'uninstalled') throw new LifecycleSyncError('NOT_FOUND', wording.notFound(flags.installation, installation !== null));
    const crm = resolveCrm(config, env, flags.crm ?? installation.crm);
    if (crm !== installation.crm) throw new LifecycleSyncError('CONFIG_INVALID', `installation ${installation.id} is on ${installation.crm}, not ${crm ?? 'another CRM'}`);
    return { installationId: installation.id, crm: installation.crm, installation };
  }
  const crm = resolveCrm(config, env, flags.crm);
  if (crm) return { installationId: crm, crm, installation: await store.getInstallation(crm) };
  const installed = (await store.listInstallations()).filter((i) => i.status !== 'uninstalled');
  // An account's companions (other kinds of its customers) are named, never the default.
  const accounts = installed.filter((i) => !isCompanionId(i.id));
  const only = accounts.length === 1 ? accounts[0] : undefined;
  if (only) return { installationId: only.id, crm: only.crm, installation: only };
  if (installed.length > 1) {
    const shown = installed.slice(0, 10).map((i) => `${i.id} ${i.name}`);
    throw wording.several(installed.length, `${shown.join(', ')}${installed.length > shown.length ? ', …' : ''}`);
  }
  throw wording.none();
}

export function notConfigured(): LifecycleSyncError {
  return new LifecycleSyncError(
    'NOT_CONFIGURED',
    'no CRM configured: pass --crm hubspot|salesforce, set crm in your config, set the CRM credentials (e.g. HUBSPOT_ACCESS_TOKEN), or add an installation (`lifecycle-sync installations add`); `npm start` runs the demo',
  );
}
