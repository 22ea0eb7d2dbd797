/**
 * Which installation a request from a CRM account belongs to (a HubSpot portal id in a signed card request):
 * the installation recorded with that account; else an installation whose account is not recorded yet (the
 * environment's credentials, before an OAuth install names its account) whose credentials check says they
 * belong to it (cached a minute by Installations.verify). Removed installations answer for no account.
 * Null when none does: the caller answers as for any unknown account, whatever the reason.
 */
import type { CrmName } from '../../connectors/contract/index.ts';
import { isCompanionId } from '../customerScopes.ts';
import type { Store } from '../store/types.ts';
import type { InstallationScope, Installations } from './installation.ts';

export async function installationOfAccount(store: Store, installations: Installations, crm: CrmName, accountId: string): Promise<InstallationScope | null> {
  const recorded = await store.installationOfAccount(crm, accountId);
  if (recorded) return recorded.status === 'uninstalled' ? null : installations.scope(recorded.id);
  // A companion (customerScopes.ts) is reached through its account's installation, never as the account's.
  const unrecorded = (await store.listInstallations()).filter((i) => i.crm === crm && i.accountId === null && i.status !== 'uninstalled' && !isCompanionId(i.id));
  const scopes: InstallationScope[] = await Promise.all(unrecorded.map((i) => installations.scope(i.id)));
  // The environment's installation answers before its first run has recorded it.
  try {
    const fallback = await installations.defaultScope();
    if (fallback.crm === crm && fallback.installation === null) scopes.push(fallback);
  } catch {
    // No default installation (none, or several): nothing more to try.
  }
  for (const scope of scopes) {
    const verified = await installations.verify(scope);
    if (verified.ok && verified.accountId === accountId) return scope;
  }
  return null;
}
