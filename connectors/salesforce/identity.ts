/**
 * The org an identity URL names. Salesforce identity URLs end in /id/{orgId}/{userId} with 18-character
 * ids; the org id (prefix 00D) is the account id of a Salesforce installation. The REST API's version
 * root and every token response carry one.
 */
const ORG_ID = /^00D[0-9A-Za-z]{15}$/;

export function orgIdOfIdentityUrl(identityUrl: string): string | null {
  let path: string;
  try {
    path = new URL(identityUrl).pathname;
  } catch {
    return null;
  }
  const parts = path.split('/').filter(Boolean);
  const orgId = parts.at(-3) === 'id' ? parts.at(-2) : undefined;
  return orgId !== undefined && ORG_ID.test(orgId) ? orgId : null;
}
