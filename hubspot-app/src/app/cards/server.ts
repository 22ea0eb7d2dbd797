/**
 * Where the card asks for its data: the Lifecycle Sync service's public address (its PUBLIC_URL). Replace
 * it before `hs project upload`, together with the same address in ../app-hsmeta.json (`permittedUrls.fetch`
 * and the OAuth redirect URL): `hubspot.fetch` calls only permitted URLs. test/hubspot/appProject.test.ts
 * checks the three agree.
 */
export const SERVER_URL = 'https://lifecycle-sync.example.com';

/** The records the card is on, by HubSpot's object type id (the record page's `context.crm.objectTypeId`). */
export const CARD_OBJECT_TYPES: Readonly<Record<string, 'contacts' | 'companies'>> = { '0-1': 'contacts', '0-2': 'companies' };

/**
 * The card's request for one record, a contact or a company (HubSpot's proxy adds portalId, userId,
 * userEmail and appId, and signs it).
 */
export function cardUrl(serverUrl: string, objectId: string | number, object: 'contacts' | 'companies' = 'contacts'): string {
  return `${serverUrl.replace(/\/+$/, '')}/hubspot/card/${object}/${encodeURIComponent(String(objectId))}`;
}
