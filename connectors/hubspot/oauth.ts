/**
 * HubSpot public-app install (OAuth 2 authorization-code flow): the consent page at
 * app.hubspot.com/oauth/authorize, the code exchanged at POST /oauth/v1/token (form-encoded), then the
 * token's metadata (hub id and domain) from /oauth/v1/access-tokens/{token}. The connector refreshes
 * the access token from then on (connectors/hubspot/auth.ts) and stores each new one encrypted.
 */
import { z } from 'zod';
import { ConnectorError, type OAuthGrant, type OAuthProvider } from '../contract/index.ts';
import { describeOAuthError, postForm } from '../oauthHttp.ts';

/**
 * Read and write the contacts and their properties; read deals (the purchases) and their pipelines and
 * associations, and companies (the B2B customers; HubSpot sends a webhook subscription's events only when
 * its object's read scope is required); `oauth` for the account details (which portal granted access).
 * These are exactly the requiredScopes of hubspot-app/src/app/app-hsmeta.json: HubSpot refuses an
 * install whose URL lacks one.
 */
export const HUBSPOT_SCOPES = ['oauth', 'crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.schemas.contacts.read', 'crm.schemas.contacts.write', 'crm.objects.deals.read', 'crm.objects.companies.read'];

/**
 * What the features that are off by default need, asked as HubSpot's optional scopes (the install URL's
 * `optional_scope`; app-hsmeta.json's optionalScopes): the installing admin may decline them and the
 * install still succeeds. Deal scoring (`sync.deals.enabled`) needs the deal ones, companies as customers
 * (`hubspot.customerObject: companies`) the company ones; a run that needs one it was not granted fails
 * naming the scope (the transport's MISSING_SCOPES message, the engine's feature in front).
 */
export const HUBSPOT_OPTIONAL_SCOPES = [
  'crm.objects.deals.write', 'crm.schemas.deals.read', 'crm.schemas.deals.write',
  'crm.objects.companies.write', 'crm.schemas.companies.read', 'crm.schemas.companies.write',
];

const tokenResponse = z.object({ access_token: z.string().min(1), refresh_token: z.string().min(1), expires_in: z.number().positive() });
const tokenInfo = z.object({ hub_id: z.number().int().positive(), hub_domain: z.string().optional() });

export interface HubSpotOAuthOptions {
  clientId?: string;
  clientSecret?: string;
  /** API base (token endpoint): HUBSPOT_BASE_URL or the config's. */
  apiBaseUrl: string;
  /** Consent page: HUBSPOT_AUTHORIZE_URL, default HubSpot's. */
  authorizeUrl?: string;
  clock?: () => number;
}

export class HubSpotOAuth implements OAuthProvider {
  readonly crm = 'hubspot';
  readonly label = 'HubSpot';
  private readonly o: HubSpotOAuthOptions;

  constructor(options: HubSpotOAuthOptions) {
    this.o = options;
  }

  missing(): string | null {
    return this.o.clientId && this.o.clientSecret ? null : 'set HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET (your public app’s Auth settings) to install with OAuth';
  }

  authorizeUrl(o: { state: string; redirectUri: string }): string {
    const url = new URL(this.o.authorizeUrl ?? 'https://app.hubspot.com/oauth/authorize');
    url.searchParams.set('client_id', this.o.clientId ?? '');
    url.searchParams.set('redirect_uri', o.redirectUri);
    url.searchParams.set('scope', HUBSPOT_SCOPES.join(' '));
    url.searchParams.set('optional_scope', HUBSPOT_OPTIONAL_SCOPES.join(' '));
    url.searchParams.set('state', o.state);
    return url.toString();
  }

  async exchange(o: { code: string; redirectUri: string }): Promise<OAuthGrant> {
    const base = this.o.apiBaseUrl.replace(/\/+$/, '');
    const answer = await postForm(`${base}/oauth/v1/token`, {
      grant_type: 'authorization_code',
      client_id: this.o.clientId ?? '',
      client_secret: this.o.clientSecret ?? '',
      redirect_uri: o.redirectUri,
      code: o.code,
    });
    if (answer.status !== 200) throw new ConnectorError('AUTH_FAILED', `HubSpot refused the authorization code: ${describeOAuthError(answer.body, answer.status, [this.o.clientSecret ?? '', o.code])}`, { status: answer.status });
    const tokens = tokenResponse.safeParse(answer.body);
    if (!tokens.success) throw new ConnectorError('INVALID_RESPONSE', 'HubSpot answered the code exchange without usable tokens');
    const now = (this.o.clock ?? Date.now)();
    // The token's metadata says which portal granted it: the installation is that portal's.
    const info = await fetch(`${base}/oauth/v1/access-tokens/${encodeURIComponent(tokens.data.access_token)}`, { signal: AbortSignal.timeout(15_000) })
      .then(async (r) => (r.ok ? tokenInfo.safeParse(await r.json()) : null))
      .catch(() => null);
    if (!info?.success) throw new ConnectorError('INVALID_RESPONSE', 'HubSpot did not say which portal granted access (the access token\u2019s metadata could not be read): try the install again');
    const hubId = String(info.data.hub_id);
    const extra: Record<string, string> = { hubId };
    if (info.data.hub_domain) extra.hubDomain = info.data.hub_domain;
    return {
      credentials: { kind: 'oauth', accessToken: tokens.data.access_token, refreshToken: tokens.data.refresh_token, expiresAt: now + tokens.data.expires_in * 1000, extra },
      name: `HubSpot (${extra.hubDomain ?? `portal ${hubId}`})`,
      accountId: hubId,
      accountEnv: { HUBSPOT_BASE_URL: base },
    };
  }
}
