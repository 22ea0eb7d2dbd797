/** POST /crm/v3/objects/{type}/search. */
import type { ApiRoute } from './api.ts';
import type { Core } from './core.ts';
import { badRequest } from './errors.ts';
import { parseWith, rawBody } from './http.ts';
import { resolveObjectType } from './schema.ts';
import { MAX_BODY_CHARS, runSearch, searchRequestSchema } from './search.ts';
import { publicObject, selectProperties } from './serialize.ts';

export function searchRoutes(core: Core): ApiRoute[] {
  return [
    {
      method: 'post',
      path: '/crm/v3/objects/:objectType/search',
      search: true,
      scopes: (p) => [`crm.objects.${resolveObjectType(p.objectType)}.read`],
      handle: ({ req, params, now }) => {
        const type = resolveObjectType(params.objectType);
        const text = rawBody(req);
        if (text.length > MAX_BODY_CHARS) {
          throw badRequest(`Search request body is ${text.length} characters; the maximum is ${MAX_BODY_CHARS}.`);
        }
        let json: unknown = {};
        try {
          if (text.trim() !== '') json = JSON.parse(text);
        } catch (e) {
          throw badRequest(`Invalid input JSON: ${(e as Error).message}`);
        }
        const request = parseWith(searchRequestSchema, json, 'PublicObjectSearchRequest');
        const outcome = runSearch(
          { type, registry: core.registry, index: core.search[type], associated: (from, id) => core.store.associated(from, id) },
          request,
          now,
        );
        const names = selectProperties(core.registry, type, request.properties);
        return {
          status: 200,
          body: {
            total: outcome.total,
            results: outcome.results.map((s) => publicObject(s, names)),
            ...(outcome.nextAfter === undefined ? {} : { paging: { next: { after: outcome.nextAfter } } }),
          },
        };
      },
    },
  ];
}
