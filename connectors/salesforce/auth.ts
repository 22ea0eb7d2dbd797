/**
 * Salesforce sessions: a plain access token (tests, short jobs), the OAuth refresh-token flow of a
 * connected app (web-server installs), or the JWT bearer flow (server-to-server: a certificate
 * uploaded to the connected app, no browser, no refresh token — a fresh assertion is signed instead).
 * Token requests go through jsforce's OAuth2 client; JWTs are signed here with node:crypto (jsforce
 * has no JWT signing). New sessions are handed to `persist` so they can be stored, encrypted.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { OAuth2 } from 'jsforce';
import { z } from 'zod';
import { ConnectorError, upstreamText } from '../contract/index.ts';

/**
 * jsforce's OAuth2 client, made at the first token request: importing jsforce costs a third of a second,
 * and the registry (so every command, `--help` and `classify` too) imports this file.
 */
function lazyOAuth2(options: { clientId?: string; clientSecret?: string; loginUrl: string }): () => Promise<OAuth2> {
  let made: Promise<OAuth2> | null = null;
  return () => (made ??= import('jsforce').then(({ OAuth2: Client }) => new Client(options)));
}

export interface Session {
  accessToken: string;
  instanceUrl: string;
  /** The user the session belongs to, when the token response said (its identity URL ends in /orgId/userId). */
  userId?: string;
}

export interface SalesforceAuth {
  readonly kind: 'access_token' | 'oauth' | 'jwt';
  /** The session to start with (logs in when none is stored). */
  session(): Promise<Session>;
  /** A new session after Salesforce said the current one is invalid; AUTH_FAILED when impossible. */
  refresh(): Promise<Session>;
}

const tokenResponse = z.object({ access_token: z.string().min(1), instance_url: z.string().url(), refresh_token: z.string().min(1).optional(), id: z.string().optional() });

function sessionOf(t: z.infer<typeof tokenResponse>): Session {
  const userId = t.id?.split('/').filter(Boolean).pop();
  return { accessToken: t.access_token, instanceUrl: t.instance_url, ...(userId && /^005[a-zA-Z0-9]{12,15}$/.test(userId) ? { userId } : {}) };
}

/**
 * jsforce reports token errors as an Error named after the OAuth error ("invalid_grant"). Its text is
 * Salesforce's (or a proxy's): cut short, with the secrets this request sent and token shapes masked.
 */
function tokenFailure(what: string, error: unknown, sent: string[]): ConnectorError {
  const reason = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return new ConnectorError('AUTH_FAILED', `Salesforce refused ${what} (${upstreamText(reason, sent)})`, { cause: error });
}

export function accessTokenAuth(session: Session): SalesforceAuth {
  return {
    kind: 'access_token',
    session: () => Promise.resolve(session),
    refresh: () =>
      Promise.reject(
        new ConnectorError('AUTH_FAILED', 'Salesforce rejected the access token (expired or revoked): set SALESFORCE_ACCESS_TOKEN anew, or configure OAuth or JWT so sessions renew themselves'),
      ),
  };
}

/** One refresh at a time: concurrent requests that all saw the expiry wait for the same new session. */
function singleFlight(fn: () => Promise<Session>): () => Promise<Session> {
  let inFlight: Promise<Session> | null = null;
  return () => (inFlight ??= fn().finally(() => (inFlight = null)));
}

export interface RefreshTokenOptions {
  clientId: string;
  clientSecret: string;
  loginUrl: string;
  refreshToken: string;
  /** A session stored by an earlier run (used until Salesforce says it expired). */
  stored: Session | null;
  /** Salesforce may rotate refresh tokens: the new one must be kept. */
  persist?: (tokens: Session & { refreshToken: string }) => Promise<void> | void;
}

export function refreshTokenAuth(o: RefreshTokenOptions): SalesforceAuth {
  let refreshToken = o.refreshToken;
  const oauth2 = lazyOAuth2({ clientId: o.clientId, clientSecret: o.clientSecret, loginUrl: o.loginUrl });
  const refresh = singleFlight(async () => {
    let raw: unknown;
    try {
      raw = await (await oauth2()).refreshToken(refreshToken);
    } catch (error) {
      throw tokenFailure('to refresh the session: reinstall the app (the refresh token is invalid, expired or revoked)', error, [refreshToken, o.clientSecret]);
    }
    const parsed = tokenResponse.safeParse(raw);
    if (!parsed.success) throw new ConnectorError('INVALID_RESPONSE', 'Salesforce answered the token refresh without an access token and instance URL');
    refreshToken = parsed.data.refresh_token ?? refreshToken;
    const session = sessionOf(parsed.data);
    await o.persist?.({ ...session, refreshToken });
    return session;
  });
  return { kind: 'oauth', session: () => (o.stored ? Promise.resolve(o.stored) : refresh()), refresh };
}

export interface JwtOptions {
  clientId: string;
  username: string;
  loginUrl: string;
  /** PEM text of the private key whose certificate is uploaded to the connected app. */
  privateKeyPem: string;
  stored: Session | null;
  persist?: (session: Session) => Promise<void> | void;
  clock?: () => number;
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** An RS256 assertion: iss = the connected app, sub = the user, aud = the login server, short expiry. */
export function jwtAssertion(o: { clientId: string; username: string; audience: string; key: KeyObject; now: number }): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  // Salesforce accepts assertions that expire within 3 minutes.
  const claims = base64url(JSON.stringify({ iss: o.clientId, sub: o.username, aud: o.audience, exp: Math.floor(o.now / 1000) + 180 }));
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), o.key);
  return `${header}.${claims}.${base64url(signature)}`;
}

export function jwtAuth(o: JwtOptions): SalesforceAuth {
  let key: KeyObject;
  try {
    key = createPrivateKey(o.privateKeyPem);
  } catch (error) {
    throw new ConnectorError('AUTH_FAILED', 'the JWT private key (SALESFORCE_PRIVATE_KEY_FILE) is not a PEM private key', { cause: error });
  }
  const clock = o.clock ?? Date.now;
  // No client secret here: it is not part of the JWT flow, and jsforce would otherwise send it.
  const oauth2 = lazyOAuth2({ loginUrl: o.loginUrl });
  const login = singleFlight(async () => {
    const audience = o.loginUrl.replace(/\/+$/, '');
    const assertion = jwtAssertion({ clientId: o.clientId, username: o.username, audience, key, now: clock() });
    let raw: unknown;
    try {
      raw = await (await oauth2()).requestToken({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
    } catch (error) {
      throw tokenFailure(`the JWT login of ${o.username}: check the connected app's certificate, that the user is pre-authorized, and SALESFORCE_LOGIN_URL`, error, [assertion]);
    }
    const parsed = tokenResponse.safeParse(raw);
    if (!parsed.success) throw new ConnectorError('INVALID_RESPONSE', 'Salesforce answered the JWT login without an access token and instance URL');
    const session = sessionOf(parsed.data);
    await o.persist?.(session);
    return session;
  });
  return { kind: 'jwt', session: () => (o.stored ? Promise.resolve(o.stored) : login()), refresh: login };
}
