/**
 * OAuth installs. The admin page asks POST /api/install/:crm (admin token) for a one-time link to
 * /install/:crm, which sets the flow's cookie and sends the browser to the CRM's consent page; the CRM
 * sends it back to /oauth/:crm/callback with a code, exchanged for tokens that are stored encrypted with
 * the installation of the account that granted them (oauth/installGrant.ts).
 * Browser-facing failures go back to the page with a message (no secrets in it).
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { type CrmName, type OAuthProvider, upstreamText } from '../../../connectors/contract/index.ts';
import { LifecycleSyncError } from '../../errors.ts';
import { redactOutput } from '../../secrets.ts';
import type { AdminContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { installGrant } from '../oauth/installGrant.ts';
import { STATE_TTL_MS } from '../oauth/state.ts';
import { parseInput } from '../validate.ts';

const COOKIE = 'lcs_oauth';
// Any name: a CRM without an OAuth install (or unknown) is a 404 from providerFor.
const crmParams = z.object({ crm: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, 'must be the name of a CRM such as hubspot') });
const ticketQuery = z.object({ ticket: z.string().min(1, 'is missing: start the install from the admin page') });
const callbackQuery = z.union([
  z.object({ code: z.string().min(1), state: z.string().min(1) }),
  z.object({ error: z.string(), error_description: z.string().optional(), state: z.string().optional() }),
]);

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** The page shows these as text; an error from the CRM's token endpoint is cut short and redacted first. */
function backToPage(res: Response, params: Record<string, string>): void {
  const safe = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, upstreamText(redactOutput(v))]));
  res.redirect(303, `/?${new URLSearchParams(safe).toString()}`);
}

export function installApiRoutes(ctx: AdminContext): Router {
  const router = Router();
  router.post('/install/:crm', (req, res) => {
    const { crm } = parseInput(crmParams, req.params, 'params');
    const provider = providerFor(ctx, crm);
    res.json({ url: `/install/${crm}?ticket=${encodeURIComponent(ctx.oauth.states.issueTicket(crm))}`, redirectUri: redirectUri(ctx, provider.crm) });
  });
  return router;
}

function providerFor(ctx: AdminContext, crm: CrmName): OAuthProvider {
  const provider = ctx.oauth.providers.find((p) => p.crm === crm);
  if (!provider) throw new HttpError(404, 'NOT_FOUND', `no OAuth install for ${crm}`);
  const missing = provider.missing();
  if (missing) throw new LifecycleSyncError('NOT_CONFIGURED', missing);
  if (!ctx.oauth.canStoreTokens) throw new LifecycleSyncError('NOT_CONFIGURED', 'set ENCRYPTION_KEY (e.g. `openssl rand -hex 32`) so the CRM tokens can be stored encrypted');
  return provider;
}

/** Where a CRM sends the admin back after consent; the HubSpot project's redirectUrls must end in it. */
export function oauthCallbackPath(crm: CrmName): string {
  return `/oauth/${crm}/callback`;
}

function redirectUri(ctx: AdminContext, crm: CrmName): string {
  return `${ctx.publicUrl()}${oauthCallbackPath(crm)}`;
}

export function installBrowserRoutes(ctx: AdminContext): Router {
  const router = Router();

  router.get('/install/:crm', (req, res) => {
    try {
      const { crm } = parseInput(crmParams, req.params, 'params');
      const provider = providerFor(ctx, crm);
      ctx.oauth.states.redeemTicket(parseInput(ticketQuery, req.query, 'query').ticket, crm);
      const { state, nonce } = ctx.oauth.states.issueState(crm);
      res.cookie(COOKIE, nonce, {
        httpOnly: true,
        // Lax: the CRM's redirect back is a top-level GET from another site, which Strict would not send it on.
        sameSite: 'lax',
        secure: ctx.publicUrl().startsWith('https:'),
        path: '/oauth',
        maxAge: STATE_TTL_MS,
      });
      res.redirect(302, provider.authorizeUrl({ state, redirectUri: redirectUri(ctx, crm), codeVerifier: ctx.oauth.states.codeVerifier(nonce) }));
    } catch (error) {
      backToPage(res, { install_error: error instanceof Error ? error.message : String(error) });
    }
  });

  router.get('/oauth/:crm/callback', async (req, res) => {
    res.clearCookie(COOKIE, { path: '/oauth' });
    let crm: CrmName | null = null;
    try {
      crm = parseInput(crmParams, req.params, 'params').crm;
      const provider = providerFor(ctx, crm);
      const query = parseInput(callbackQuery, req.query, 'query');
      if ('error' in query) throw new HttpError(400, 'CONSENT_DENIED', `${provider.label} did not grant access: ${query.error_description ?? query.error}`);
      const nonce = ctx.oauth.states.verifyState(query.state, crm, cookieValue(req, COOKIE));
      const grant = await provider.exchange({ code: query.code, redirectUri: redirectUri(ctx, crm), codeVerifier: ctx.oauth.states.codeVerifier(nonce) });
      const { installation, created } = await installGrant({ store: ctx.store, served: ctx.installations, crm, grant });
      await ctx.installations.reset();
      ctx.log.info(created ? 'installed with OAuth' : 'reinstalled with OAuth', { crm, installation: installation.id, accountId: grant.accountId, account: grant.name });
      backToPage(res, { installed: crm });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      ctx.log.warn('OAuth install failed', { crm, error: message });
      backToPage(res, { install_error: message });
    }
  });

  return router;
}
