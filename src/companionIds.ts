/**
 * Companion installations' ids (src/customerScopes.ts): the account installation's id, `--`, the kind of
 * customer (`hubspot--companies`). Pure, so the engine and the store's callers can tell an account's
 * installations apart without the connectors. Generated ids (`in_` + hex) and CRM names never hold `--`.
 */
export const COMPANION_SEPARATOR = '--';

/** The account installation and kind an id names (`in_x--companies` → in_x, companies), or null for an account's own id. */
export function splitCompanionId(installationId: string): { accountInstallationId: string; key: string } | null {
  const at = installationId.indexOf(COMPANION_SEPARATOR);
  if (at <= 0) return null;
  return { accountInstallationId: installationId.slice(0, at), key: installationId.slice(at + COMPANION_SEPARATOR.length) };
}

export const isCompanionId = (installationId: string): boolean => splitCompanionId(installationId) !== null;

/** The account's installation of any of its installations (itself, for an account's own id). */
export const accountInstallationOf = (installationId: string): string => splitCompanionId(installationId)?.accountInstallationId ?? installationId;

export const companionId = (accountInstallationId: string, key: string): string => `${accountInstallationId}${COMPANION_SEPARATOR}${key}`;
