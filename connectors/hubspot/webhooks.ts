/**
 * HubSpot's webhook deliveries: the v3 signature (signature.ts) with the app's client secret, and the
 * body — a JSON array of up to 100 events, as HubSpot's webhooks guide documents them — read into the
 * program's canonical changes. Contacts, companies and deals, in both the legacy subscription types
 * (`deal.propertyChange`) and the developer platform's generic ones (`object.propertyChange` with an
 * `objectTypeId`); a contact's or company's change names its kind, so that an installation keeps those
 * about its own customers (`hubspot.customerObject`) only. HubSpot delivers the changes an app makes itself too (`changeSource` INTEGRATION,
 * `sourceId` naming the app): those, and changes to the plugin's own properties, mean nothing here, so the
 * plugin's writes never start a rescore of their own.
 */
import { z } from 'zod';
import type { WebhookBatch, WebhookChange, WebhookEvent, WebhookParse, WebhookReceiver } from '../contract/index.ts';
import { hubspotAppRequests } from './appRequests.ts';
import { SIGNATURE_HEADER } from './signature.ts';

/** HubSpot's ids are JSON numbers; a string of digits is taken too. */
const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)]).transform(String);

const eventSchema = z.object({
  eventId: id,
  subscriptionId: id,
  portalId: id,
  appId: id,
  occurredAt: z.number().int().nonnegative(),
  subscriptionType: z.string().min(1).max(100),
  attemptNumber: z.number().int().nonnegative(),
  objectId: id.optional(),
  objectTypeId: z.string().max(20).optional(),
  changeSource: z.string().max(100).optional(),
  sourceId: z.string().max(200).optional(),
  changeFlag: z.string().max(50).optional(),
  propertyName: z.string().max(200).optional(),
  propertyValue: z.string().optional(),
  // Merges.
  primaryObjectId: id.optional(),
  mergedObjectIds: z.array(id).max(1000).optional(),
  newObjectId: id.optional(),
  numberOfPropertiesMoved: z.number().int().optional(),
  // Association changes.
  associationType: z.string().max(100).optional(),
  fromObjectId: id.optional(),
  toObjectId: id.optional(),
  associationRemoved: z.boolean().optional(),
  isPrimaryAssociation: z.boolean().optional(),
});

/** HubSpot sends at most 100 events a request. */
export const hubspotEventsSchema = z.array(eventSchema).min(1).max(100);
type Event = z.infer<typeof eventSchema>;

type ObjectKind = 'contact' | 'company' | 'deal';
const TYPE_IDS: Record<string, ObjectKind> = { '0-1': 'contact', '0-2': 'company', '0-3': 'deal' };

/** The object and the action of an event, from either subscription naming. */
function kindOf(e: Event): { object: ObjectKind | null; action: string } {
  const [prefix, action = ''] = e.subscriptionType.split('.', 2);
  if (prefix === 'object') return { object: TYPE_IDS[e.objectTypeId ?? ''] ?? null, action };
  return { object: prefix === 'contact' || prefix === 'company' || prefix === 'deal' ? prefix : null, action };
}

/** The change is the app's own (HubSpot names the app in `sourceId`, as "123" or "appId:123"). */
function madeByThisApp(e: Event): boolean {
  const source = e.sourceId;
  if (source === undefined) return false;
  return source === e.appId || source.endsWith(`:${e.appId}`);
}

/**
 * A customer–deal association's two ids (from either side) and the customer's kind, or null for another
 * pair of objects. A contact event without a type is a contact–deal one (the legacy default).
 */
function customerAndDeal(e: Event, object: ObjectKind): { customerId: string; dealId: string; record: 'contact' | 'company' } | null {
  const type = e.associationType?.toUpperCase() ?? '';
  const from = e.fromObjectId;
  const to = e.toObjectId;
  if (from === undefined || to === undefined) return null;
  if (type === 'CONTACT_TO_DEAL' || (type === '' && object === 'contact')) return { customerId: from, dealId: to, record: 'contact' };
  if (type === 'DEAL_TO_CONTACT') return { customerId: to, dealId: from, record: 'contact' };
  if (type === 'COMPANY_TO_DEAL') return { customerId: from, dealId: to, record: 'company' };
  if (type === 'DEAL_TO_COMPANY') return { customerId: to, dealId: from, record: 'company' };
  return null;
}

/**
 * What an event means. Contacts' and companies' changes name their kind (`record`): an installation
 * keeps those about its own customers only. An association matters only where its customer's kind are
 * the customers, so its deal change names the kind too; a deal's own changes matter everywhere.
 */
function meaning(e: Event, ownFields: ReadonlySet<string>): { changes: WebhookChange[]; ignored?: string } {
  const { object, action } = kindOf(e);
  if (object === null) return { changes: [], ignored: `${e.subscriptionType}: not a contact, company or deal event` };
  const objectId = e.objectId;
  const customer = object === 'deal' ? null : object;
  // Deletions are never skipped, whoever made them: the customer's data goes.
  if (customer && (action === 'deletion' || action === 'privacyDeletion') && objectId !== undefined) {
    return { changes: [{ kind: 'forget', customerId: objectId, privacy: action === 'privacyDeletion', record: customer }] };
  }
  if (madeByThisApp(e)) return { changes: [], ignored: 'made by this app' };
  if (action === 'propertyChange' && customer && e.propertyName !== undefined && ownFields.has(e.propertyName)) {
    return { changes: [], ignored: `${e.propertyName} is the plugin's own property` };
  }
  if (action === 'merge') {
    const survivor = e.newObjectId ?? e.primaryObjectId ?? objectId;
    if (survivor === undefined) return { changes: [], ignored: 'a merge without its ids' };
    const gone = [...(e.mergedObjectIds ?? []), ...(e.primaryObjectId !== undefined ? [e.primaryObjectId] : [])].filter((x) => x !== survivor);
    if (customer) {
      return { changes: [...gone.map((c): WebhookChange => ({ kind: 'forget', customerId: c, privacy: false, record: customer })), { kind: 'rescore', customerId: survivor, record: customer }] };
    }
    return { changes: [...gone.map((d): WebhookChange => ({ kind: 'deal', dealId: d, deleted: true })), { kind: 'deal', dealId: survivor, deleted: false }] };
  }
  if (action === 'associationChange') {
    const pair = customerAndDeal(e, object);
    if (!pair) return { changes: [], ignored: `association ${e.associationType ?? '(unnamed)'}: not between a contact or company and a deal` };
    return { changes: [{ kind: 'rescore', customerId: pair.customerId, record: pair.record }, { kind: 'deal', dealId: pair.dealId, deleted: false, record: pair.record }] };
  }
  if (objectId === undefined) return { changes: [], ignored: `${e.subscriptionType} without an objectId` };
  if (customer) return { changes: [{ kind: 'rescore', customerId: objectId, record: customer }] };
  return { changes: [{ kind: 'deal', dealId: objectId, deleted: action === 'deletion' }] };
}

/** A verified body's events, grouped by portal. */
export function readHubSpotEvents(body: string, ownFields: readonly string[]): WebhookParse {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  const parsed = hubspotEventsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `not a batch of HubSpot events (an array of 1 to 100): ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'}` };
  }
  const own = new Set(ownFields);
  const byPortal = new Map<string, WebhookEvent[]>();
  for (const e of parsed.data) {
    const event: WebhookEvent = { eventId: e.eventId, occurredAt: e.occurredAt, ...meaning(e, own) };
    const list = byPortal.get(e.portalId) ?? [];
    list.push(event);
    byPortal.set(e.portalId, list);
  }
  const batches: WebhookBatch[] = [...byPortal].map(([accountId, events]) => ({ accountId, events }));
  return { ok: true, batches };
}

/** Signed as the app card's requests are (appRequests.ts: the client secret, five minutes); the signature names the request for replays. */
export const hubspotWebhooks: WebhookReceiver = {
  missing: (env) => (hubspotAppRequests.missing(env) === null ? null : 'set HUBSPOT_CLIENT_SECRET (the app’s client secret) to receive HubSpot webhooks'),
  verify(request, env, now) {
    const check = hubspotAppRequests.verify(request, env, now);
    const signature = request.headers[SIGNATURE_HEADER];
    if (!check.ok) return check;
    return signature === undefined ? { ok: false, reason: 'no signature' } : { ok: true, signature };
  },
  parse: (body, _env, ownFields) => readHubSpotEvents(body, ownFields),
};
