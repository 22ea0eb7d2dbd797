/**
 * The record changes besides create/update/archive that webhooks report: merging two records
 * (POST /crm/v3/objects/{type}/merge), a contact's GDPR deletion (POST /crm/v3/objects/contacts/gdpr-delete),
 * and a default association created or removed one at a time
 * (PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}, DELETE /crm/v4/objects/{from}/{id}/associations/{to}/{toId}).
 *
 * A merge keeps the primary record's id (HubSpot's merges may give a new id; its event names both, and
 * here they are the same), fills the primary's empty properties from the merged record, moves its
 * associations, and archives it: one `*.merge` event, nothing else. A GDPR deletion archives the contact
 * and wipes its properties: `contact.privacyDeletion`, then the `contact.deletion` every archive sends.
 */
import { z } from 'zod';
import type { ApiRoute } from './api.ts';
import { SINGULAR, associationTypeId } from './associations.ts';
import { changeSource } from './changeEvents.ts';
import type { Core } from './core.ts';
import { badRequest } from './errors.ts';
import { parseJsonBody, parseWith } from './http.ts';
import { idValue, objectNotFound, objectViews, writeScopes } from './objectViews.ts';
import { OBJECT_TYPES, resolveObjectType, type ObjectType } from './schema.ts';

const mergeBody = z.object({ primaryObjectId: idValue, objectIdToMerge: idValue });
const gdprBody = z.object({ objectId: idValue, idProperty: z.string().optional() });

export function changeRoutes(core: Core): ApiRoute[] {
  const { store, writer } = core;
  const { render, findBy } = objectViews(core);
  const live = (type: ObjectType, id: string) => {
    const snap = store.table(type).get(id);
    if (snap === undefined || snap.archived) throw objectNotFound(id);
    return snap;
  };
  const event = (e: Record<string, unknown> & { subscriptionType: string }) =>
    core.webhooks.emit({ occurredAt: core.clock(), ...changeSource(core.actor, core.webhooks.appId), ...e });

  return [
    {
      method: 'post',
      path: '/crm/v3/objects/:objectType/merge',
      scopes: writeScopes,
      handle: ({ req, params }) => {
        const type = resolveObjectType(params.objectType);
        const input = parseWith(mergeBody, parseJsonBody(req), 'PublicMergeInput');
        if (input.primaryObjectId === input.objectIdToMerge) throw badRequest('Cannot merge an object with itself');
        const primary = live(type, input.primaryObjectId);
        const merged = live(type, input.objectIdToMerge);
        const moved: Record<string, string> = {};
        for (const [name, value] of Object.entries(merged.props)) {
          if (primary.props[name] === undefined && writer.check(type, { [name]: value }, primary).issues.length === 0) moved[name] = value;
        }
        const result = core.webhooks.muted(() => {
          for (const other of OBJECT_TYPES) {
            const pair = store.pair(type, other);
            if (pair === undefined) continue;
            for (const id of [...store.associated(type, merged.id, other)]) {
              pair.set(type, merged.id, id, false);
              pair.set(type, primary.id, id, true);
            }
          }
          writer.archive(type, merged);
          // An email belongs to one contact: the merged one's leaves with it.
          delete moved.email;
          return Object.keys(moved).length > 0 ? writer.update(type, primary, moved) : primary;
        });
        event({
          subscriptionType: `${SINGULAR[type]}.merge`,
          objectId: Number(primary.id),
          primaryObjectId: Number(primary.id),
          mergedObjectIds: [Number(merged.id)],
          newObjectId: Number(primary.id),
          numberOfPropertiesMoved: Object.keys(moved).length,
        });
        return { status: 200, body: render(type, result, { properties: undefined, propertiesWithHistory: undefined, associations: undefined }) };
      },
    },
    {
      method: 'post',
      path: '/crm/v3/objects/contacts/gdpr-delete',
      scopes: () => ['crm.objects.contacts.write'],
      handle: ({ req }) => {
        const input = parseWith(gdprBody, parseJsonBody(req), 'PublicGdprDeleteInput');
        const snap = input.idProperty === undefined ? store.contacts.get(input.objectId) : findBy('contacts', input.objectId, input.idProperty);
        if (snap === undefined || snap.archived) throw objectNotFound(input.objectId);
        event({ subscriptionType: 'contact.privacyDeletion', objectId: Number(snap.id) });
        const archived = writer.archive('contacts', snap);
        // Permanently deleted: nothing of the person stays, only the id's place in the table.
        store.contacts.put({ ...archived, props: { hs_object_id: snap.id } });
        return { status: 204 };
      },
    },
    {
      method: 'put',
      path: '/crm/v4/objects/:fromObjectType/:fromObjectId/associations/default/:toObjectType/:toObjectId',
      scopes: (p) => [`crm.objects.${resolveObjectType(p.fromObjectType)}.write`],
      handle: ({ params }) => {
        const from = resolveObjectType(params.fromObjectType);
        const to = resolveObjectType(params.toObjectType);
        const typeId = associationTypeId(from, to);
        live(from, params.fromObjectId);
        live(to, params.toObjectId);
        store.pair(from, to)?.set(from, params.fromObjectId, params.toObjectId, true);
        const now = new Date(core.clock()).toISOString();
        return {
          status: 200,
          body: {
            status: 'COMPLETE',
            results: [{ from: { id: params.fromObjectId }, to: { id: params.toObjectId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId } }],
            startedAt: now,
            completedAt: now,
          },
        };
      },
    },
    {
      method: 'delete',
      path: '/crm/v4/objects/:fromObjectType/:fromObjectId/associations/:toObjectType/:toObjectId',
      scopes: (p) => [`crm.objects.${resolveObjectType(p.fromObjectType)}.write`],
      handle: ({ params }) => {
        const from = resolveObjectType(params.fromObjectType);
        const to = resolveObjectType(params.toObjectType);
        associationTypeId(from, to);
        store.pair(from, to)?.set(from, params.fromObjectId, params.toObjectId, false);
        return { status: 204 };
      },
    },
  ];
}
