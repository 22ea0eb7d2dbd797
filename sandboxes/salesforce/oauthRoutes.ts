/**
 * Login-side routes: the OAuth endpoints (form-encoded), the identity URL jsforce's `identity()` reads,
 * and the list of API versions (which needs no session).
 */
import type { Request } from 'express';
import type { PublicRoute } from './api.ts';
import type { Core } from './core.ts';
import { queryValue, rawBody, type Reply } from './http.ts';
import { releaseLabel } from './versions.ts';
import { formatDateTime } from './values.ts';

function formOf(req: Request): URLSearchParams {
  return /^application\/x-www-form-urlencoded/i.test(req.get('content-type') ?? '') ? new URLSearchParams(rawBody(req)) : new URLSearchParams();
}

function queryRecord(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of Object.keys(req.query)) out[key] = queryValue(req.query[key]);
  return out;
}

/** GET /id/{orgId}/{userId}: the access token comes as a bearer header or as `oauth_token`. */
function identity(core: Core, req: Request, baseUrl: string): Reply {
  const header = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
  const token = header ?? queryValue(req.query.oauth_token);
  let userId: string;
  try {
    userId = core.auth.authenticate(token).userId;
  } catch {
    // The identity service answers a bad token with a plain 403, not the REST API's 401.
    return { status: 403, text: 'Bad_OAuth_Token' };
  }
  const params = req.params as Record<string, string>;
  if (params.orgId !== core.orgId || params.userId !== userId) return { status: 403, text: 'Bad_Id' };
  const user = core.store.table('User').get(userId);
  const rest = `${baseUrl}/services/data/v{version}/`;
  const org15 = core.orgId.slice(0, 15);
  return {
    status: 200,
    body: {
      id: `${baseUrl}/id/${core.orgId}/${userId}`,
      asserted_user: true,
      user_id: userId,
      organization_id: core.orgId,
      username: user?.Username ?? null,
      nick_name: String(user?.Username ?? '').split('@')[0],
      display_name: user?.Name ?? null,
      email: user?.Email ?? null,
      email_verified: true,
      first_name: user?.FirstName ?? null,
      last_name: user?.LastName ?? null,
      timezone: 'GMT',
      photos: { picture: `${baseUrl}/profilephoto/005/F`, thumbnail: `${baseUrl}/profilephoto/005/T` },
      active: user?.IsActive ?? true,
      user_type: 'STANDARD',
      language: 'en_US',
      locale: 'en_US',
      utcOffset: 0,
      last_modified_date: typeof user?.LastModifiedDate === 'number' ? formatDateTime(user.LastModifiedDate) : null,
      is_app_installed: true,
      urls: {
        enterprise: `${baseUrl}/services/Soap/c/{version}/${org15}`,
        metadata: `${baseUrl}/services/Soap/m/{version}/${org15}`,
        partner: `${baseUrl}/services/Soap/u/{version}/${org15}`,
        rest,
        sobjects: `${rest}sobjects/`,
        search: `${rest}search/`,
        query: `${rest}query/`,
        recent: `${rest}recent/`,
        tooling_rest: `${rest}tooling/`,
        profile: `${baseUrl}/${userId}`,
        custom_domain: baseUrl,
      },
    },
  };
}

export function oauthRoutes(core: Core): PublicRoute[] {
  return [
    { method: 'post', path: '/services/oauth2/token', kind: 'oauth.token', handle: (req, baseUrl) => core.auth.token(formOf(req), baseUrl) },
    { method: 'get', path: '/services/oauth2/authorize', kind: 'oauth.authorize', handle: (req) => core.auth.authorize(queryRecord(req)) },
    { method: 'post', path: '/services/oauth2/revoke', kind: 'oauth.revoke', handle: (req) => core.auth.revoke(formOf(req).get('token') ?? '') },
    { method: 'get', path: '/id/:orgId/:userId', kind: 'identity', handle: (req, baseUrl) => identity(core, req, baseUrl) },
    {
      method: 'get',
      path: '/services/data',
      kind: 'versions',
      handle: () => ({
        status: 200,
        body: [...core.versions].sort((a, b) => Number(a) - Number(b)).map((v) => ({ label: releaseLabel(v), url: `/services/data/v${v}`, version: v })),
      }),
    },
  ];
}
