/**
 * Where the card asks for its data: the Lifecycle Sync service's public address (its PUBLIC_URL). Replace
 * it before `hs project upload`, together with the same address in ../app-hsmeta.json (`permittedUrls.fetch`
 * and the OAuth redirect URL): `hubspot.fetch` calls only permitted URLs. test/hubspot/appProject.test.ts
 * checks the three agree.
 */
export const SERVER_URL = 'https://lifecycle-sync.example.com';

/** The card's request for one contact (HubSpot's proxy adds portalId, userId, userEmail and appId, and signs it). */
export function cardUrl(serverUrl: string, objectId: string | number): string {
  return `${serverUrl.replace(/\/+$/, '')}/hubspot/card/contacts/${encodeURIComponent(String(objectId))}`;
}
