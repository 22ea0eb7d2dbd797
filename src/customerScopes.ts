/**
 * Several kinds of customers on one CRM account (HubSpot's `customerObject: both`): each kind is scored as
 * its own installation. The installation of the account keeps the first kind (contacts); every other kind
 * is a companion installation whose id is the account installation's followed by `--` and the kind's key
 * (`hubspot--companies`, `in_5f0c2a9e41b7d3c8--companies`). A companion has its own row, settings, runs,
 * lease, customers, fits, list and webhook work — the store's per-installation keys keep the populations
 * and their ids apart — and connects with its account installation's credentials and account variables.
 * The ids themselves: companionIds.ts.
 */
import { quoted, type CrmName } from '../connectors/contract/index.ts';
import { connectorDefinition } from '../connectors/registry.ts';
import { companionId, isCompanionId, splitCompanionId } from './companionIds.ts';
import { LifecycleSyncError } from './errors.ts';

export { isCompanionId, splitCompanionId } from './companionIds.ts';

/** What one installation id scores under the connector's settings. */
export interface InstallationCustomers {
  /** The account's installation: whose credentials and account variables it connects with. */
  accountInstallationId: string;
  /** The kind's key where the settings ask for several kinds ('contacts', 'companies'), else null. */
  key: string | null;
  /** The connector's settings for this kind alone. */
  settings: unknown;
  /** The companions' ids (on the account's installation; none on a companion). */
  companionIds: string[];
}

/** The kinds of customers these settings ask for (one, unless the connector splits them). */
function scopesOf(crm: CrmName, settings: unknown): { key: string; settings: unknown }[] {
  const scopes = connectorDefinition(crm)?.customerScopes?.(settings) ?? [];
  return scopes.length > 0 ? scopes : [{ key: '', settings }];
}

/**
 * What an installation scores and connects with. A companion id whose kind the settings no longer ask for
 * (the setting went back from `both`) is refused, naming the setting: it must not score another kind.
 */
export function installationCustomers(crm: CrmName, settings: unknown, installationId: string): InstallationCustomers {
  const scopes = scopesOf(crm, settings);
  const companion = splitCompanionId(installationId);
  if (companion) {
    const scope = scopes.slice(1).find((s) => s.key === companion.key);
    if (!scope) {
      throw new LifecycleSyncError(
        'CONFIG_INVALID',
        `installation ${installationId} scores the ${quoted(companion.key)} customers of ${companion.accountInstallationId}, which the ${crm} settings no longer ask for (${crm}.customerObject)`,
      );
    }
    return { accountInstallationId: companion.accountInstallationId, key: scope.key, settings: scope.settings, companionIds: [] };
  }
  const [own, ...others] = scopes;
  return {
    accountInstallationId: installationId,
    key: others.length > 0 && own ? own.key : null,
    settings: own?.settings ?? settings,
    companionIds: others.map((s) => companionId(installationId, s.key)),
  };
}

/** The companions' ids of an account's installation (empty unless the settings ask for several kinds). */
export function companionIds(crm: CrmName, settings: unknown, installationId: string): string[] {
  if (isCompanionId(installationId)) return [];
  return installationCustomers(crm, settings, installationId).companionIds;
}
