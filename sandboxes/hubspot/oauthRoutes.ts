/** OAuth endpoints: token exchange (form-encoded), a self-approving authorize, token info. */
import { z } from 'zod';
import type { PublicRoute } from './api.ts';
import type { Core } from './core.ts';
import { parseQuery, rawBody, type Reply } from './http.ts';

const authorizeQuery = z.object({
  client_id: z.string().optional(),
  redirect_uri: z.string().optional(),
  scope: z.string().optional(),
  optional_scope: z.string().optional(),
  state: z.string().optional(),
});

/** Only form-encoded bodies are read; anything else looks like a request without fields. */
function formOf(contentType: string | undefined, body: string): URLSearchParams {
  return /^application\/x-www-form-urlencoded/i.test(contentType ?? '') ? new URLSearchParams(body) : new URLSearchParams();
}

export function oauthRoutes(core: Core): PublicRoute[] {
  const token = (version: 'v1' | 'v3') => (req: Parameters<PublicRoute['handle']>[0]): Reply =>
    core.auth.token(formOf(req.get('content-type'), rawBody(req)), version);
  return [
    { method: 'post', path: '/oauth/v1/token', handle: token('v1') },
    { method: 'post', path: '/oauth/v3/token', handle: token('v3') },
    {
      method: 'get',
      path: '/oauth/authorize',
      handle: (req) => {
        const q = parseQuery(authorizeQuery, req.query);
        return core.auth.authorize({ clientId: q.client_id, redirectUri: q.redirect_uri, scope: q.scope, optionalScope: q.optional_scope, state: q.state });
      },
    },
    {
      method: 'get',
      path: '/oauth/v1/access-tokens/:token',
      handle: (req) => core.auth.accessTokenInfo(String(req.params.token)),
    },
  ];
}
