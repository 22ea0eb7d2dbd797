/**
 * The requests HubSpot signs for the app: an app card's `hubspot.fetch` calls, proxied by HubSpot with
 * X-HubSpot-Signature-v3 keyed by the app's client secret (HUBSPOT_CLIENT_SECRET), checked by signature.ts
 * (5-minute window, constant-time compare).
 */
import type { AppRequestVerifier } from '../contract/index.ts';
import { checkSignatureV3, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.ts';

const secretOf = (env: Readonly<Record<string, string | undefined>>): string | undefined => env.HUBSPOT_CLIENT_SECRET || undefined;

export const hubspotAppRequests: AppRequestVerifier = {
  missing: (env) => (secretOf(env) ? null : 'set HUBSPOT_CLIENT_SECRET (the app’s client secret): HubSpot signs the app card’s requests with it'),
  verify(request, env, now) {
    const secret = secretOf(env);
    if (!secret) return { ok: false, reason: 'HUBSPOT_CLIENT_SECRET is not set' };
    return checkSignatureV3(
      { method: request.method, uri: request.uri, body: request.body, timestamp: request.headers[TIMESTAMP_HEADER] ?? '', signature: request.headers[SIGNATURE_HEADER] },
      secret,
      now,
    );
  },
};
