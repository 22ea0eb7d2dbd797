/**
 * The HubSpot account behind the token: GET /account-info/v3/details, whose `portalId` is the account's
 * id. The SDK has no client for it, so it goes through the SDK's generic request, shaped like its
 * generated calls for the transport (an error carries the status, body and headers).
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

/** An HTTP answer other than 2xx, in the shape of the SDK's ApiException (what the transport reads). */
class AnswerError extends Error {
  readonly code: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  constructor(code: number, body: unknown, headers: Record<string, string>) {
    super(`HTTP ${code}`);
    this.code = code;
    this.body = body;
    this.headers = headers;
  }
}

function parsedBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function readHubSpotAccount(transport: HubSpotTransport): Promise<HubSpotAccount> {
  const { data } = await transport.call('api', 'read the account details', async (client) => {
    const response = await client.apiRequest({ method: 'GET', path: '/account-info/v3/details' });
    const headers = Object.fromEntries(response.headers.entries());
    const body = parsedBody(await response.text());
    if (!response.ok) throw new AnswerError(response.status, body, headers);
    return { httpStatusCode: response.status, headers, data: body };
  });
  const details = accountDetails.safeParse(data);
  if (!details.success) throw new ConnectorError('INVALID_RESPONSE', 'HubSpot answered the account details without a portal id');
  return { portalId: String(details.data.portalId), uiDomain: details.data.uiDomain ?? null };
}
