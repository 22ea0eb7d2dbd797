/**
 * Bearer tokens and OAuth: static tokens (legacy private apps, and Service Keys — account-level keys
 * with scopes, made under Development > Keys > Service keys, sent as the same bearer token), and an
 * OAuth app flow with single-use authorization codes, expiring access tokens and long-lived refresh
 * tokens. HubSpot documents no format for either static token, so none is checked.
 */
import { randomBytes } from 'node:crypto';
import { HubSpotError, INVALID_AUTHENTICATION_MESSAGE } from './errors.ts';
import { iso, type Reply } from './http.ts';
import { OBJECT_TYPES } from './schema.ts';

export const ALL_SCOPES: readonly string[] = OBJECT_TYPES.flatMap((t) => [
  `crm.objects.${t}.read`, `crm.objects.${t}.write`, `crm.schemas.${t}.read`, `crm.schemas.${t}.write`,
]);

export interface Principal {
  kind: 'private' | 'service_key' | 'oauth';
  token: string;
  scopes: ReadonlySet<string>;
  /** Whose burst window the request uses: each private app or service key, or each OAuth app in the account. */
  rateKey: string;
}

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

interface AccessToken {
  clientId: string;
  scopes: ReadonlySet<string>;
  expiresAt: number;
}

interface AuthCode {
  clientId: string;
  scopes: readonly string[];
  expiresAt: number;
  used: boolean;
}

interface RefreshToken {
  clientId: string;
  scopes: readonly string[];
}

/** How long an authorization code can be exchanged; HubSpot only says "short-lived". */
const CODE_TTL_MS = 10 * 60_000;
export const SANDBOX_APP_ID = 1234567;

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function oauthError(status: string, message: string, error: string): Reply {
  return { status: 400, body: { status, message, error, error_description: message } };
}

function expiredMessage(agoMs: number): string {
  const seconds = Math.max(0, Math.floor(agoMs / 1000));
  return seconds < 86_400
    ? `The OAuth token used to make this call expired ${seconds} second(s) ago.`
    : `The OAuth token used to make this call expired ${Math.floor(seconds / 86_400)} day(s) ago.`;
}

export class AuthRegistry {
  private readonly clock: () => number;
  private readonly ttlSeconds: number;
  /** The account every token here belongs to (a sandbox is one HubSpot account). */
  private readonly portalId: number;
  private readonly privateTokens = new Map<string, ReadonlySet<string>>();
  private readonly serviceKeys = new Map<string, ReadonlySet<string>>();
  private readonly clients = new Map<string, OAuthClient>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly codes = new Map<string, AuthCode>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  /** Optional scopes the consent screen's admin unticks: an install is granted the rest. */
  private readonly declined: ReadonlySet<string>;

  constructor(options: {
    clock: () => number;
    accessTokenTtlSeconds: number;
    portalId: number;
    privateAppTokens: readonly { token: string; scopes?: readonly string[] }[];
    serviceKeys?: readonly { token: string; scopes?: readonly string[] }[];
    oauthClients: readonly OAuthClient[];
    declinedOptionalScopes?: readonly string[];
  }) {
    this.clock = options.clock;
    this.declined = new Set(options.declinedOptionalScopes ?? []);
    this.ttlSeconds = options.accessTokenTtlSeconds;
    this.portalId = options.portalId;
    for (const t of options.privateAppTokens) this.privateTokens.set(t.token, new Set(t.scopes ?? ALL_SCOPES));
    for (const t of options.serviceKeys ?? []) this.serviceKeys.set(t.token, new Set(t.scopes ?? ALL_SCOPES));
    for (const c of options.oauthClients) this.clients.set(c.clientId, c);
  }

  /** The caller of an API request, or the 401 HubSpot gives. */
  authenticate(header: string | undefined): Principal {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    const token = match?.[1];
    if (token === undefined) throw new HubSpotError(401, 'INVALID_AUTHENTICATION', INVALID_AUTHENTICATION_MESSAGE);
    const scopes = this.privateTokens.get(token);
    if (scopes !== undefined) return { kind: 'private', token, scopes, rateKey: `private:${token}` };
    const keyScopes = this.serviceKeys.get(token);
    // A key holds only the scopes picked for it, enforced like an app's: 403 MISSING_SCOPES otherwise.
    if (keyScopes !== undefined) return { kind: 'service_key', token, scopes: keyScopes, rateKey: `service_key:${token}` };
    const access = this.accessTokens.get(token);
    if (access === undefined) throw new HubSpotError(401, 'INVALID_AUTHENTICATION', INVALID_AUTHENTICATION_MESSAGE);
    const now = this.clock();
    if (now >= access.expiresAt) {
      throw new HubSpotError(401, 'EXPIRED_AUTHENTICATION', expiredMessage(now - access.expiresAt), {
        context: { 'expire time': [iso(access.expiresAt)] },
      });
    }
    return { kind: 'oauth', token, scopes: access.scopes, rateKey: `oauth:${access.clientId}` };
  }

  /** As if a user approved the app's install: a single-use code for the token endpoint. */
  issueCode(clientId?: string, scopes?: readonly string[]): string {
    const client = clientId === undefined ? this.clients.values().next().value : this.clients.get(clientId);
    if (client === undefined) throw new Error(`unknown OAuth client ${clientId ?? '(none configured)'}`);
    const code = crypto.randomUUID();
    const granted = [...new Set(['oauth', ...(scopes ?? ALL_SCOPES)])];
    this.codes.set(code, { clientId: client.clientId, scopes: granted, expiresAt: this.clock() + CODE_TTL_MS, used: false });
    return code;
  }

  /** Every access token issued so far expires now. */
  expireAll(): void {
    const now = this.clock();
    for (const t of this.accessTokens.values()) t.expiresAt = Math.min(t.expiresAt, now);
  }

  /**
   * GET /oauth/authorize: HubSpot would show a consent screen; the sandbox approves at once and
   * redirects with a code, so a demo can run the real browser flow. The grant holds every scope of
   * `scope` (required: the install fails without them) and those of `optional_scope` the admin did not
   * decline (the sandbox's `declinedOptionalScopes`).
   */
  authorize(query: { clientId?: string; redirectUri?: string; scope?: string; optionalScope?: string; state?: string }): Reply {
    const client = query.clientId === undefined ? undefined : this.clients.get(query.clientId);
    if (client === undefined) return oauthError('BAD_CLIENT_ID', 'missing or unknown client id', 'invalid_client');
    if (query.redirectUri !== client.redirectUri) return oauthError('BAD_REDIRECT_URI', 'redirect_uri does not match the app settings', 'invalid_request');
    const list = (text: string | undefined) => (text ?? '').split(/\s+/).filter((s) => s !== '');
    const scopes = list(query.scope);
    const optional = list(query.optionalScope).filter((s) => !this.declined.has(s));
    const code = this.issueCode(client.clientId, scopes.length > 0 ? [...scopes, ...optional] : undefined);
    const target = new URL(client.redirectUri);
    target.searchParams.set('code', code);
    if (query.state !== undefined) target.searchParams.set('state', query.state);
    return { status: 302, headers: { Location: target.toString() } };
  }

  /** POST /oauth/v1/token (and v3): form fields as the SDK sends them. */
  token(form: URLSearchParams, version: 'v1' | 'v3'): Reply {
    const grantType = form.get('grant_type');
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      return oauthError('BAD_GRANT_TYPE', 'missing or unknown grant type', 'unsupported_grant_type');
    }
    const client = this.clients.get(form.get('client_id') ?? '');
    if (client === undefined) return oauthError('BAD_CLIENT_ID', 'missing or unknown client id', 'invalid_client');
    if (form.get('client_secret') !== client.clientSecret) {
      return oauthError('BAD_CLIENT_SECRET', 'missing or invalid client secret', 'invalid_client');
    }
    let scopes: readonly string[];
    let refreshToken: string;
    if (grantType === 'authorization_code') {
      if (form.get('redirect_uri') !== client.redirectUri) {
        return oauthError('BAD_REDIRECT_URI', 'redirect_uri does not match initial auth request', 'invalid_grant');
      }
      const code = this.codes.get(form.get('code') ?? '');
      if (code === undefined || code.used || code.clientId !== client.clientId || this.clock() >= code.expiresAt) {
        return oauthError('EXPIRED_AUTH_CODE', 'auth code is invalid, expired or already used', 'invalid_grant');
      }
      code.used = true;
      scopes = code.scopes;
      refreshToken = `na1-${randomToken(6)}-${crypto.randomUUID()}`;
      this.refreshTokens.set(refreshToken, { clientId: client.clientId, scopes });
    } else {
      refreshToken = form.get('refresh_token') ?? '';
      const stored = this.refreshTokens.get(refreshToken);
      if (stored === undefined || stored.clientId !== client.clientId) {
        return oauthError('BAD_REFRESH_TOKEN', 'missing or invalid refresh token', 'invalid_grant');
      }
      scopes = stored.scopes;
    }
    const accessToken = randomToken(48);
    this.accessTokens.set(accessToken, { clientId: client.clientId, scopes: new Set(scopes), expiresAt: this.clock() + this.ttlSeconds * 1000 });
    // HubSpot refresh tokens do not rotate: the same one comes back on every refresh.
    const body = { token_type: 'bearer', refresh_token: refreshToken, access_token: accessToken, expires_in: this.ttlSeconds };
    return { status: 200, body: version === 'v1' ? body : { ...body, hub_id: this.portalId, scopes } };
  }

  /** GET /oauth/v1/access-tokens/{token}: metadata of an access token. */
  accessTokenInfo(token: string): Reply {
    const access = this.accessTokens.get(token);
    const now = this.clock();
    if (access === undefined || now >= access.expiresAt) {
      return { status: 404, body: { status: 'error', message: 'The token is invalid or has expired', correlationId: crypto.randomUUID(), category: 'OBJECT_NOT_FOUND' } };
    }
    return {
      status: 200,
      body: {
        token, user: 'sandbox@example.com', hub_domain: 'sandbox.example.com', scopes: [...access.scopes],
        hub_id: this.portalId, app_id: SANDBOX_APP_ID, expires_in: Math.floor((access.expiresAt - now) / 1000),
        user_id: 1, token_type: 'access',
      },
    };
  }
}

/** 403 MISSING_SCOPES unless the caller holds one of the acceptable scopes. */
export function requireScope(principal: Principal, anyOf: readonly string[]): void {
  if (anyOf.length === 0 || anyOf.some((s) => principal.scopes.has(s))) return;
  throw new HubSpotError(
    403,
    'MISSING_SCOPES',
    "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
    {
      errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: [...anyOf] } }],
      links: { scopes: 'https://developers.hubspot.com/scopes' },
    },
  );
}
