/**
 * Requests a CRM makes to this server on an app's behalf, signed with the app's secret (HubSpot's app
 * cards call through `hubspot.fetch`, which signs with the app's client secret). The connector knows the
 * signature scheme and where its secret is; the program passes the request as it arrived and answers
 * only when the check passes.
 */
import type { Environment } from './definition.ts';

export interface AppSignedRequest {
  method: string;
  /** The full address the CRM called: the server's public URL + the path and query as received. */
  uri: string;
  /** The raw body ('' for a GET). */
  body: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
}

/** A reason names what is wrong without echoing the signature or anything derived from the secret. */
export type AppSignatureCheck = { ok: true } | { ok: false; reason: string };

export interface AppRequestVerifier {
  /** Null when the environment holds the app's secret; else what is missing, for the admin. */
  missing(env: Environment): string | null;
  verify(request: AppSignedRequest, env: Environment, now: number): AppSignatureCheck;
}
