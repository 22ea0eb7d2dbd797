/** POST /crm/v4/associations/{from}/{to}/batch/read, and /crm/associations/{version}/… (versions.ts). */
import { z } from 'zod';
import type { ApiRoute } from './api.ts';
import { SINGULAR, associationTypeId, pageOf } from './associations.ts';
import type { Core } from './core.ts';
import { badRequest } from './errors.ts';
import { parseJsonBody, parseWith } from './http.ts';
import { resolveObjectType } from './schema.ts';

const MAX_INPUTS = 1000;

const body = z.object({
  inputs: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String), after: z.string().optional() })),
});

export function associationRoutes(core: Core): ApiRoute[] {
  return [
    {
      method: 'post',
      path: '/crm/v4/associations/:fromObjectType/:toObjectType/batch/read',
      scopes: (p) => [`crm.objects.${resolveObjectType(p.fromObjectType)}.read`, `crm.objects.${resolveObjectType(p.toObjectType)}.read`],
      handle: ({ req, params, version }) => {
        const startedAt = new Date().toISOString();
        const from = resolveObjectType(params.fromObjectType);
        const to = resolveObjectType(params.toObjectType);
        const typeId = associationTypeId(from, to);
        const input = parseWith(body, parseJsonBody(req), 'BatchInputPublicFetchAssociationsBatchRequest');
        if (input.inputs.length > MAX_INPUTS) throw badRequest(`Batch input size ${input.inputs.length} exceeds the limit of ${MAX_INPUTS} inputs per request`);
        const results: Record<string, unknown>[] = [];
        const errors: Record<string, unknown>[] = [];
        for (const { id, after } of input.inputs) {
          const record = core.store.table(from).get(id);
          const ids = record === undefined || record.archived ? [] : core.store.associated(from, id, to);
          const { page, next } = pageOf(ids, after, core.associationPageSize);
          if (page.length === 0) {
            // An object without associations (or that does not exist) is an error entry, not an empty
            // result: HubSpot answers 207 with NO_ASSOCIATIONS_FOUND (seen in public client code).
            errors.push({
              status: 'error',
              category: 'OBJECT_NOT_FOUND',
              subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
              message: `No ${SINGULAR[to]} is associated with ${SINGULAR[from]} ${id}.`,
              context: { fromObjectId: [id], fromObjectType: [SINGULAR[from]], toObjectType: [SINGULAR[to]] },
            });
            continue;
          }
          results.push({
            from: { id },
            to: page.map((toId) => ({
              // v4 answers a JSON number; the date-based reference documents a string.
              toObjectId: version === null ? Number(toId) : toId,
              associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId, label: null }],
            })),
            ...(next === undefined ? {} : { paging: { next: { after: next } } }),
          });
        }
        const envelope = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
        return errors.length === 0
          ? { status: 200, body: envelope }
          : { status: 207, body: { ...envelope, numErrors: errors.length, errors } };
      },
    },
  ];
}
