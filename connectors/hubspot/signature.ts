/**
 * HubSpot's v3 request signature (X-HubSpot-Signature-v3), on webhook deliveries and on the requests an app
 * card makes through `hubspot.fetch`: base64 HMAC-SHA256, keyed by the app's client secret, over
 * method + URI + body + timestamp, where the URI is the full address HubSpot called with a documented set of
 * percent-encodings decoded. Requests older than five minutes are refused (replays).
 *
 * Written here rather than taken from the SDK: its `Signature.isValid` compares with `===` (not in constant
 * time) and signs the URL exactly as given; the test checks both agree on the digest itself.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hubspot-signature-v3';
export const TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';
/** HubSpot's window: a request signed longer ago than this is refused. */
export const MAX_SIGNATURE_AGE_MS = 5 * 60_000;

/** The percent-encodings HubSpot decodes in the URI before signing (its request-validation guide's table). */
const DECODED: Record<string, string> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$',
  '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

/** The URI as HubSpot signs it. */
export function signedUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODED[m.toUpperCase()] ?? m);
}

export interface SignedRequest {
  method: string;
  /** The full address HubSpot called: scheme, host, path and query (the public URL, not the proxy's). */
  uri: string;
  /** The raw body as received (empty for a GET). */
  body: string;
  /** X-HubSpot-Request-Timestamp: milliseconds since the epoch, as text. */
  timestamp: string;
}

/** The v3 signature of a request: what HubSpot sends, and what the sandbox's deliveries carry. */
export function signatureV3(request: SignedRequest, clientSecret: string): string {
  const source = `${request.method.toUpperCase()}${signedUri(request.uri)}${request.body}${request.timestamp}`;
  return createHmac('sha256', clientSecret).update(source, 'utf8').digest('base64');
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether a request carries a valid, fresh v3 signature. Reasons name what is wrong without echoing the
 * signature or anything derived from the secret.
 */
export function checkSignatureV3(request: SignedRequest & { signature: string | undefined }, clientSecret: string, now: number = Date.now()): SignatureCheck {
  if (!request.signature) return { ok: false, reason: `no ${SIGNATURE_HEADER} header` };
  if (!/^\d{1,16}$/.test(request.timestamp)) return { ok: false, reason: `no valid ${TIMESTAMP_HEADER} header (milliseconds since the epoch)` };
  const age = now - Number(request.timestamp);
  if (age > MAX_SIGNATURE_AGE_MS) return { ok: false, reason: `the request was signed ${Math.round(age / 1000)} s ago; older than ${MAX_SIGNATURE_AGE_MS / 60_000} minutes is refused` };
  // A clock a little ahead of ours is HubSpot's; far ahead is a forged timestamp meant to outlive the window.
  if (age < -MAX_SIGNATURE_AGE_MS) return { ok: false, reason: 'the request timestamp is in the future' };
  const expected = Buffer.from(signatureV3(request, clientSecret), 'base64');
  const given = Buffer.from(request.signature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'the signature does not match' };
  return { ok: true };
}
