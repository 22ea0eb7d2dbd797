/**
 * Which installation an OAuth grant installs: one per CRM account, found by the account id the grant
 * names.
 * - The account has an installation (a reinstall): that one, renamed, active again (an admin who
 *   installs again wants it to run), its credentials and account variables replaced.
 * - Else the installation named after the CRM — the one the environment's credentials use (the
 *   single-installation quick start) — when it is free for this account: not there yet, removed, or
 *   without an account id while its own credentials are this account's or absent. A one-portal setup
 *   keeps the id it had before accounts were told apart (`--installation hubspot`, its run history).
 * - Else a new installation with a generated id.
 */
import type { CrmName, OAuthGrant, Verification } from '../../../connectors/contract/index.ts';
import type { InstallationScope } from '../../service/installation.ts';
import type { Installation, Store } from '../../store/types.ts';

/** What the service knows of its installations (src/service/installation.ts). */
export interface ServedInstallation {
  scope(installationId: string): Promise<InstallationScope>;
  /** Checks an installation's credentials (one call, cached): a success names its account. */
  verify(scope: InstallationScope): Promise<Verification>;
}

export interface GrantInstall {
  installation: Installation;
  /** False for a reinstall of the account. */
  created: boolean;
}

/**
 * Whether the installation named after the CRM is free for the grant's account. Its account, when not
 * recorded yet, is learned with one call through the service (and recorded).
 */
async function homeIsFree(o: { store: Store; served: ServedInstallation; crm: CrmName; accountId: string }): Promise<boolean> {
  const home = await o.store.getInstallation(o.crm);
  if (!home || home.status === 'uninstalled') return true;
  if (home.accountId !== null) return home.accountId === o.accountId;
  const hasStored = (await o.store.installationsWithCredentials()).includes(home.id);
  // Its own credentials: the environment's for this CRM, or those stored for it.
  const verified = await o.served.verify(await o.served.scope(home.id));
  // No credentials at all is free; credentials that fail may be another account's.
  if (!verified.ok) return verified.code === 'NOT_CONFIGURED' && !hasStored;
  // Recorded so the next install need not ask, unless another installation already has that account.
  if (verified.accountId !== o.accountId && !(await o.store.installationOfAccount(o.crm, verified.accountId))) {
    await o.store.upsertInstallation({ id: home.id, crm: home.crm, name: home.name, accountId: verified.accountId });
  }
  return verified.accountId === o.accountId;
}

export async function installGrant(o: { store: Store; served: ServedInstallation; crm: CrmName; grant: OAuthGrant }): Promise<GrantInstall> {
  const { crm, grant } = o;
  const takesHome = !(await o.store.installationOfAccount(crm, grant.accountId)) && (await homeIsFree({ ...o, accountId: grant.accountId }));
  // The installation and its credentials stand or fall together.
  return o.store.transaction(async (tx) => {
    let result: GrantInstall;
    if (takesHome) {
      const before = await tx.getInstallation(crm);
      let installation = await tx.upsertInstallation({ id: crm, crm, name: grant.name, accountId: grant.accountId });
      if (installation.status !== 'active') installation = (await tx.updateInstallation(crm, { status: 'active' })) ?? installation;
      result = { installation, created: !before || before.status === 'uninstalled' };
    } else {
      result = await tx.addInstallation({ crm, name: grant.name, accountId: grant.accountId });
    }
    await tx.saveCredentials(result.installation.id, grant.credentials);
    await tx.saveAccountEnv(result.installation.id, grant.accountEnv);
    return result;
  });
}
