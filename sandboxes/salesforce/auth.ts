/**
 * Sessions and OAuth 2.0: the web-server flow (authorization codes, PKCE), refresh tokens and
 * the JWT bearer flow, for the connected apps configured on the sandbox. Access tokens are opaque
 * (`00D…!…`), never JWT-shaped, since jsforce refuses SOAP calls with JWT-looking tokens.
 * A session expires after `accessTokenTtlSeconds` without use (Salesforce's session timeout).
 */
import { createHash, createHmac, randomBytes, type KeyObject } from 'node:crypto';
import { invalidSession } from './errors.ts';
import type { Reply } from './http.ts';
import { AssertionError, publicKeyOf, readAssertion, verifySignature } from './jwt.ts';

export interface ConnectedApp {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** PEM certificate or public key for the JWT bearer flow. */
  publicKeyPem?: string;
}

export interface Session {
  token: string;
  userId: string;
  clientId: string | null;
  expiresAt: number;
}

interface AuthCode {
  clientId: string;
  userId: string;
  redirectUri: string;
  scope: string;
  challenge?: string;
  expiresAt: number;
  used: boolean;
}

interface RefreshGrant {
  clientId: string;
  userId: string;
  scope: string;
}

/** Codes are short-lived; Salesforce says 15 minutes for the web-server flow. */
const CODE_TTL_MS = 15 * 60_000;
const DEFAULT_SCOPE = 'api refresh_token id';

function oauthError(error: string, description: string, status = 400): Reply {
  return { status, body: { error, error_description: description } };
}

export class AuthRegistry {
  private readonly clock: () => number;
  private readonly ttlMs: number;
  private readonly orgId: string;
  private readonly apps = new Map<string, ConnectedApp & { key?: KeyObject }>();
  private readonly sessions = new Map<string, Session>();
  private readonly codes = new Map<string, AuthCode>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly userIds: (username: string) => string | undefined;
  private readonly defaultUserId: () => string;

  constructor(options: {
    clock: () => number;
    accessTokenTtlSeconds: number;
    orgId: string;
    connectedApps: readonly ConnectedApp[];
    userIdOf: (username: string) => string | undefined;
    defaultUserId: () => string;
  }) {
    this.clock = options.clock;
    this.ttlMs = options.accessTokenTtlSeconds * 1000;
    this.orgId = options.orgId;
    this.userIds = options.userIdOf;
    this.defaultUserId = options.defaultUserId;
    for (const app of options.connectedApps) {
      this.apps.set(app.clientId, { ...app, ...(app.publicKeyPem === undefined ? {} : { key: publicKeyOf(app.publicKeyPem) }) });
    }
  }

  /** A session that exists from the start (the sandbox's stand-in for a token obtained elsewhere). */
  addStaticSession(token: string, userId: string): void {
    this.sessions.set(token, { token, userId, clientId: null, expiresAt: Infinity });
  }

  /** The session of a bearer token, or the 401 Salesforce answers; using a session extends it. */
  authenticate(token: string | undefined): Session {
    const session = token === undefined ? undefined : this.sessions.get(token);
    const now = this.clock();
    if (session === undefined || now >= session.expiresAt) throw invalidSession();
    if (session.expiresAt !== Infinity) session.expiresAt = now + this.ttlMs;
    return session;
  }

  /** Every session issued so far (the static one included) is invalid from now on. */
  expireAll(): void {
    const now = this.clock();
    for (const s of this.sessions.values()) s.expiresAt = Math.min(s.expiresAt, now);
  }

  private newSession(userId: string, clientId: string | null): Session {
    const token = `${this.orgId.slice(0, 15)}!AQ${randomBytes(40).toString('base64url').replace(/[-_]/g, 'x')}`;
    const session = { token, userId, clientId, expiresAt: this.clock() + this.ttlMs };
    this.sessions.set(token, session);
    return session;
  }

  private tokenBody(baseUrl: string, app: ConnectedApp, session: Session, scope: string, refreshToken?: string): Record<string, string> {
    const id = `${baseUrl}/id/${this.orgId}/${session.userId}`;
    const issuedAt = String(this.clock());
    const signature = createHmac('sha256', app.clientSecret).update(id + issuedAt).digest('base64');
    return {
      access_token: session.token,
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
      signature,
      scope,
      instance_url: baseUrl,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    };
  }

  /** As if the user approved the app: a single-use code for the token endpoint. */
  issueCode(clientId: string | undefined, options: { userId?: string; redirectUri?: string; scope?: string; challenge?: string } = {}): string {
    const app = clientId === undefined ? this.apps.values().next().value : this.apps.get(clientId);
    if (app === undefined) throw new Error(`unknown connected app ${clientId ?? '(none configured)'}`);
    const code = `aPr${randomBytes(24).toString('base64url')}`;
    this.codes.set(code, {
      clientId: app.clientId,
      userId: options.userId ?? this.defaultUserId(),
      redirectUri: options.redirectUri ?? app.redirectUri,
      scope: options.scope ?? DEFAULT_SCOPE,
      ...(options.challenge === undefined ? {} : { challenge: options.challenge }),
      expiresAt: this.clock() + CODE_TTL_MS,
      used: false,
    });
    return code;
  }

  /** GET /services/oauth2/authorize: approves at once as the integration user and redirects with a code. */
  authorize(query: Record<string, string | undefined>): Reply {
    if (query.response_type !== 'code') return oauthError('unsupported_response_type', 'response type not supported');
    const app = this.apps.get(query.client_id ?? '');
    if (app === undefined) return oauthError('invalid_client_id', 'client identifier invalid');
    if (query.redirect_uri !== app.redirectUri) return oauthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
    const code = this.issueCode(app.clientId, { redirectUri: app.redirectUri, ...(query.scope === undefined ? {} : { scope: query.scope }), ...(query.code_challenge === undefined ? {} : { challenge: query.code_challenge }) });
    const target = new URL(app.redirectUri);
    target.searchParams.set('code', code);
    if (query.state !== undefined) target.searchParams.set('state', query.state);
    return { status: 302, headers: { Location: target.toString() } };
  }

  /** POST /services/oauth2/token (form-encoded). Unknown extra parameters are ignored, as jsforce sends some. */
  token(form: URLSearchParams, baseUrl: string): Reply {
    switch (form.get('grant_type')) {
      case 'authorization_code':
        return this.codeGrant(form, baseUrl);
      case 'refresh_token':
        return this.refreshGrant(form, baseUrl);
      case 'urn:ietf:params:oauth:grant-type:jwt-bearer':
        return this.jwtGrant(form, baseUrl);
      case null:
        return oauthError('invalid_request', 'grant type is missing');
      default:
        return oauthError('unsupported_grant_type', 'grant type not supported');
    }
  }

  private client(form: URLSearchParams, secretRequired: boolean): ConnectedApp | Reply {
    const app = this.apps.get(form.get('client_id') ?? '');
    if (app === undefined) return oauthError('invalid_client_id', 'client identifier invalid');
    const secret = form.get('client_secret');
    if ((secretRequired || secret !== null) && secret !== app.clientSecret) return oauthError('invalid_client', 'invalid client credentials');
    return app;
  }

  private codeGrant(form: URLSearchParams, baseUrl: string): Reply {
    const app = this.client(form, true);
    if ('status' in app) return app;
    const code = this.codes.get(form.get('code') ?? '');
    if (code === undefined || code.used || code.clientId !== app.clientId) return oauthError('invalid_grant', 'invalid authorization code');
    if (this.clock() >= code.expiresAt) return oauthError('invalid_grant', 'expired authorization code');
    if (form.get('redirect_uri') !== code.redirectUri) return oauthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
    const verifier = form.get('code_verifier');
    if (code.challenge !== undefined) {
      if (verifier === null) return oauthError('invalid_grant', 'invalid code verifier');
      if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) return oauthError('invalid_request', 'invalid code verifier');
    }
    code.used = true;
    const session = this.newSession(code.userId, app.clientId);
    const scopes = code.scope.split(/\s+/);
    let refreshToken: string | undefined;
    // A refresh token only comes with the refresh_token (or offline_access) scope.
    if (scopes.includes('refresh_token') || scopes.includes('offline_access')) {
      refreshToken = `5Aep${randomBytes(32).toString('base64url').replace(/[-_]/g, 'x')}`;
      this.refreshTokens.set(refreshToken, { clientId: app.clientId, userId: code.userId, scope: code.scope });
    }
    return { status: 200, body: this.tokenBody(baseUrl, app, session, code.scope, refreshToken) };
  }

  private refreshGrant(form: URLSearchParams, baseUrl: string): Reply {
    const app = this.client(form, false);
    if ('status' in app) return app;
    const grant = this.refreshTokens.get(form.get('refresh_token') ?? '');
    if (grant === undefined || grant.clientId !== app.clientId) return oauthError('invalid_grant', 'expired access/refresh token');
    const session = this.newSession(grant.userId, app.clientId);
    // Refresh tokens do not rotate (the connected app's default policy): none comes back.
    return { status: 200, body: this.tokenBody(baseUrl, app, session, grant.scope) };
  }

  private jwtGrant(form: URLSearchParams, baseUrl: string): Reply {
    try {
      const { claims, signed, signature } = readAssertion(form.get('assertion') ?? '');
      const app = this.apps.get(claims.iss);
      if (app === undefined) return oauthError('invalid_client_id', 'client identifier invalid');
      if (app.key === undefined || !verifySignature(signed, signature, app.key)) return oauthError('invalid_grant', 'invalid assertion');
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      const accepted = new Set([baseUrl, 'https://login.salesforce.com', 'https://test.salesforce.com']);
      if (!audiences.some((a) => accepted.has(a.replace(/\/$/, '')))) return oauthError('invalid_grant', 'audience is invalid');
      // exp is in seconds; an expired assertion gets the same description Salesforce gives.
      if (claims.exp * 1000 <= this.clock()) return oauthError('invalid_grant', 'expired authorization code');
      const userId = this.userIds(claims.sub);
      if (userId === undefined) return oauthError('invalid_grant', "user hasn't approved this consumer");
      const session = this.newSession(userId, app.clientId);
      const body = this.tokenBody(baseUrl, app, session, 'api id');
      return { status: 200, body };
    } catch (e) {
      if (e instanceof AssertionError) return oauthError(e.error, e.message);
      throw e;
    }
  }

  /** POST /services/oauth2/revoke: an access or refresh token stops working (200 either way). */
  revoke(token: string): Reply {
    const session = this.sessions.get(token);
    if (session !== undefined) session.expiresAt = Math.min(session.expiresAt, this.clock());
    this.refreshTokens.delete(token);
    return { status: 200 };
  }
}
