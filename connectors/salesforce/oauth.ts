/**
 * Salesforce connected-app install (OAuth 2 web-server flow with PKCE): the consent page at
 * {login}/services/oauth2/authorize, the code exchanged at {login}/services/oauth2/token. The answer
 * carries the org's instance URL, which every API call needs, and its identity URL, which names the org;
 * both are stored with the tokens (encrypted).
 * Salesforce access tokens have no stated lifetime: the connector refreshes on a 401.
 */
import { z } from 'zod';
import { ConnectorError, type OAuthGrant, type OAuthProvider } from '../contract/index.ts';
import { codeChallenge, describeOAuthError, postForm } from '../oauthHttp.ts';
import { orgIdOfIdentityUrl } from './identity.ts';

/** REST API access, and a refresh token for nightly runs without a person present. */
export const SALESFORCE_SCOPES = ['api', 'refresh_token'];

const tokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1, 'no refresh token: add the "refresh_token" scope to the connected app'),
  instance_url: z.string().url(),
  id: z.string().url(),
  issued_at: z.string().optional(),
  token_type: z.string().optional(),
});

export interface SalesforceOAuthOptions {
  clientId?: string;
  clientSecret?: string;
  /** SALESFORCE_LOGIN_URL: https://login.salesforce.com, https://test.salesforce.com or a My Domain. */
  loginUrl?: string;
}

export class SalesforceOAuth implements OAuthProvider {
  readonly crm = 'salesforce';
  readonly label = 'Salesforce';
  private readonly o: SalesforceOAuthOptions;

  constructor(options: SalesforceOAuthOptions) {
    this.o = options;
  }

  private get loginUrl(): string {
    return (this.o.loginUrl ?? 'https://login.salesforce.com').replace(/\/+$/, '');
  }

  missing(): string | null {
    return this.o.clientId && this.o.clientSecret ? null : 'set SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET (the connected app’s consumer key and secret) to install with OAuth';
  }

  authorizeUrl(o: { state: string; redirectUri: string; codeVerifier: string }): string {
    const url = new URL(`${this.loginUrl}/services/oauth2/authorize`);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.o.clientId ?? '');
    url.searchParams.set('redirect_uri', o.redirectUri);
    url.searchParams.set('scope', SALESFORCE_SCOPES.join(' '));
    url.searchParams.set('state', o.state);
    url.searchParams.set('code_challenge', codeChallenge(o.codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
    return url.toString();
  }

  async exchange(o: { code: string; redirectUri: string; codeVerifier: string }): Promise<OAuthGrant> {
    const answer = await postForm(`${this.loginUrl}/services/oauth2/token`, {
      grant_type: 'authorization_code',
      code: o.code,
      client_id: this.o.clientId ?? '',
      client_secret: this.o.clientSecret ?? '',
      redirect_uri: o.redirectUri,
      code_verifier: o.codeVerifier,
    });
    if (answer.status !== 200) throw new ConnectorError('AUTH_FAILED', `Salesforce refused the authorization code: ${describeOAuthError(answer.body, answer.status, [this.o.clientSecret ?? '', o.code, o.codeVerifier])}`, { status: answer.status });
    const tokens = tokenResponse.safeParse(answer.body);
    if (!tokens.success) throw new ConnectorError('INVALID_RESPONSE', `Salesforce answered the code exchange without usable tokens: ${tokens.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const instanceUrl = tokens.data.instance_url.replace(/\/+$/, '');
    // The identity URL names the org that granted access: the installation is that org's.
    const orgId = orgIdOfIdentityUrl(tokens.data.id);
    if (!orgId) throw new ConnectorError('INVALID_RESPONSE', 'Salesforce answered the code exchange without an identity URL naming the org');
    const extra: Record<string, string> = { instanceUrl, loginUrl: this.loginUrl, identityUrl: tokens.data.id };
    return {
      credentials: { kind: 'oauth', accessToken: tokens.data.access_token, refreshToken: tokens.data.refresh_token, extra },
      name: `Salesforce (${new URL(instanceUrl).host})`,
      accountId: orgId,
      accountEnv: { SALESFORCE_LOGIN_URL: this.loginUrl },
    };
  }
}
