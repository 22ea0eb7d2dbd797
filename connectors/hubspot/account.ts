/**
 * The HubSpot account behind the token: GET /account-info/v3/details, whose `portalId` is the account's
 * id. The SDK has no client for it, so it goes through the transport's raw request (the SDK's generic
 * `apiRequest`).
 */
import { z } from 'zod';
import { ConnectorError } from '../contract/index.ts';
import type { HubSpotTransport } from './transport.ts';

/** What the connector reads of the documented answer; the rest is left alone. */
const accountDetails = z.object({
  portalId: z.number().int().positive(),
  uiDomain: z.string().optional(),
  accountType: z.string().optional(),
});

export interface HubSpotAccount {
  portalId: string;
  uiDomain: string | null;
}

export async function readHubSpotAccount(transport: HubSpotTransport): Promise<HubSpotAccount> {
  const { data } = await transport.request('api', 'read the account details', { method: 'GET', path: '/account-info/v3/details' });
  const details = accountDetails.safeParse(data);
  if (!details.success) throw new ConnectorError('INVALID_RESPONSE', 'HubSpot answered the account details without a portal id');
  return { portalId: String(details.data.portalId), uiDomain: details.data.uiDomain ?? null };
}
