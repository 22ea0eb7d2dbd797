/** Properties API v3 routes: definitions and groups. */
import { z } from 'zod';
import type { ApiRoute } from './api.ts';
import type { Core } from './core.ts';
import { parseJsonBody, parseQuery, parseWith } from './http.ts';
import { groupCreateSchema, propertyCreateSchema, propertyJson, propertyUpdateSchema } from './properties.ts';
import { resolveObjectType } from './schema.ts';

const readScopes = (p: Record<string, string>): string[] => {
  const t = resolveObjectType(p.objectType);
  return [`crm.schemas.${t}.read`, `crm.objects.${t}.read`];
};
const writeScopes = (p: Record<string, string>): string[] => [`crm.schemas.${resolveObjectType(p.objectType)}.write`];

const listQuery = z.object({ archived: z.enum(['true', 'false']).optional() });

export function propertyRoutes(core: Core): ApiRoute[] {
  const { registry } = core;
  return [
    {
      method: 'get',
      path: '/crm/v3/properties/:objectType',
      scopes: readScopes,
      handle: ({ req, params }) => {
        const q = parseQuery(listQuery, req.query);
        const results = registry.list(resolveObjectType(params.objectType), q.archived === 'true').map(propertyJson);
        return { status: 200, body: { results } };
      },
    },
    // Groups before /:propertyName, which would otherwise match "groups".
    {
      method: 'get',
      path: '/crm/v3/properties/:objectType/groups',
      scopes: readScopes,
      handle: ({ params }) => ({ status: 200, body: { results: registry.listGroups(resolveObjectType(params.objectType)) } }),
    },
    {
      method: 'post',
      path: '/crm/v3/properties/:objectType/groups',
      scopes: writeScopes,
      handle: ({ req, params }) => {
        const input = parseWith(groupCreateSchema, parseJsonBody(req), 'PropertyGroupCreate');
        return { status: 201, body: registry.createGroup(resolveObjectType(params.objectType), input) };
      },
    },
    {
      method: 'get',
      path: '/crm/v3/properties/:objectType/groups/:groupName',
      scopes: readScopes,
      handle: ({ params }) => ({ status: 200, body: registry.getGroup(resolveObjectType(params.objectType), params.groupName) }),
    },
    {
      method: 'get',
      path: '/crm/v3/properties/:objectType/:propertyName',
      scopes: readScopes,
      handle: ({ req, params }) => {
        const q = parseQuery(listQuery, req.query);
        const p = registry.getOrThrow(resolveObjectType(params.objectType), params.propertyName, q.archived === 'true');
        return { status: 200, body: propertyJson(p) };
      },
    },
    {
      method: 'post',
      path: '/crm/v3/properties/:objectType',
      scopes: writeScopes,
      handle: ({ req, params }) => {
        const input = parseWith(propertyCreateSchema, parseJsonBody(req), 'PropertyCreate');
        return { status: 201, body: propertyJson(registry.create(resolveObjectType(params.objectType), input)) };
      },
    },
    {
      method: 'patch',
      path: '/crm/v3/properties/:objectType/:propertyName',
      scopes: writeScopes,
      handle: ({ req, params }) => {
        const input = parseWith(propertyUpdateSchema, parseJsonBody(req), 'PropertyUpdate');
        return { status: 200, body: propertyJson(registry.update(resolveObjectType(params.objectType), params.propertyName, input)) };
      },
    },
    {
      method: 'delete',
      path: '/crm/v3/properties/:objectType/:propertyName',
      scopes: writeScopes,
      handle: ({ params }) => {
        registry.archive(resolveObjectType(params.objectType), params.propertyName);
        return { status: 204 };
      },
    },
  ];
}
