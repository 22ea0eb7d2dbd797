/**
 * Where the bearer token comes from: a static token — a Service Key, or a legacy private app's token;
 * HubSpot takes both as the same bearer header, with the scopes picked for them — or OAuth
 * (refresh-token flow).
 * OAuth access tokens live 30 minutes; they are refreshed a few minutes before they expire (HubSpot
 * says a 401 is not a reliable signal), and again if the API says one expired anyway. New tokens are
 * handed to `persist` so they can be stored (encrypted) for the next run.
 */
// Loaded at the first refresh, not at import (the registry, and so every command, imports this file).
import type { Client as HubSpotClient } from '@hubspot/api-client';
import { z } from 'zod';
import { ConnectorError } from '../contract/index.ts';

export interface TokenSource {
  readonly kind: 'private_app' | 'oauth';
  token(): Promise<string>;
  /** Forces a refresh (after a 401 EXPIRED_AUTHENTICATION); throws when the source cannot refresh. */
  refresh(): Promise<string>;
}

export function privateAppToken(token: string): TokenSource {
  return {
    kind: 'private_app',
    token: () => Promise.resolve(token),
    refresh: () => Promise.reject(new ConnectorError('AUTH_FAILED', 'HubSpot rejected HUBSPOT_ACCESS_TOKEN (the service key or legacy private app token was rotated, deleted or revoked): create a new service key and set HUBSPOT_ACCESS_TOKEN to it')),
  };
}

export interface OAuthTokens {
  accessToken: string | null;
  refreshToken: string;
  /** Epoch ms. */
  expiresAt: number | null;
}

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  baseUrl: string;
  tokens: OAuthTokens;
  persist?: (tokens: OAuthTokens) => Promise<void> | void;
  clock?: () => number;
  /** Refresh this long before expiry. */
  marginMs?: number;
}

const tokenResponse = z.object({ accessToken: z.string().min(1), refreshToken: z.string().min(1), expiresIn: z.number().positive() });

export class OAuthTokenSource implements TokenSource {
  readonly kind = 'oauth';
  private tokens: OAuthTokens;
  private inFlight: Promise<string> | null = null;
  private readonly options: OAuthOptions;
  private readonly clock: () => number;

  constructor(options: OAuthOptions) {
    this.options = options;
    this.tokens = options.tokens;
    this.clock = options.clock ?? Date.now;
  }

  async token(): Promise<string> {
    const margin = this.options.marginMs ?? 5 * 60_000;
    const { accessToken, expiresAt } = this.tokens;
    if (accessToken && expiresAt !== null && expiresAt - this.clock() > margin) return accessToken;
    return this.refresh();
  }

  refresh(): Promise<string> {
    // One refresh at a time: concurrent requests wait for the same new token.
    this.inFlight ??= this.doRefresh().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async doRefresh(): Promise<string> {
    const { Client } = await import('@hubspot/api-client');
    const client: HubSpotClient = new Client({ basePath: this.options.baseUrl });
    let raw: unknown;
    try {
      raw = await client.oauth.tokensApi.create('refresh_token', undefined, undefined, this.options.clientId, this.options.clientSecret, this.tokens.refreshToken);
    } catch (error) {
      throw new ConnectorError('AUTH_FAILED', 'HubSpot refused to refresh the OAuth token: reinstall the app (the refresh token is invalid, expired or revoked)', {
        cause: error,
      });
    }
    const parsed = tokenResponse.safeParse(raw);
    if (!parsed.success) throw new ConnectorError('INVALID_RESPONSE', 'HubSpot answered the token refresh without a usable token');
    this.tokens = { accessToken: parsed.data.accessToken, refreshToken: parsed.data.refreshToken, expiresAt: this.clock() + parsed.data.expiresIn * 1000 };
    await this.options.persist?.(this.tokens);
    return parsed.data.accessToken;
  }
}
