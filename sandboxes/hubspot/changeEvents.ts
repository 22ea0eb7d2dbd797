/**
 * The sandbox's record changes as HubSpot's webhook events (legacy subscription naming): creations,
 * property changes (one event per property), deletions, contact–deal and company–deal association
 * changes (one event from each side), and who made the change (webhooks.ts says how it is named).
 */
import type { Principal } from './auth.ts';
import type { ObjectType } from './schema.ts';
import type { Snap } from './store.ts';
import type { SandboxEvent, WebhookDispatcher } from './webhooks.ts';

const SINGULAR: Record<ObjectType, string> = { contacts: 'contact', companies: 'company', deals: 'deal' };

/** Who changed it: the request's token, or (none) a user in HubSpot's UI. */
export function changeSource(actor: Principal | null, appId: number): Pick<SandboxEvent, 'changeSource' | 'sourceId'> {
  if (actor === null) return { changeSource: 'CRM_UI', sourceId: 'userId:1' };
  if (actor.kind === 'oauth') return { changeSource: 'INTEGRATION', sourceId: String(appId) };
  return { changeSource: 'API' };
}

export function writeEvents(type: ObjectType, snap: Snap, previous: Snap | undefined, source: Pick<SandboxEvent, 'changeSource' | 'sourceId'>, now: number): SandboxEvent[] {
  const base = { objectId: Number(snap.id), occurredAt: now, ...source };
  const name = SINGULAR[type];
  if (previous === undefined) return [{ subscriptionType: `${name}.creation`, changeFlag: 'CREATED', ...base }];
  if (snap.archived && !previous.archived) return [{ subscriptionType: `${name}.deletion`, changeFlag: 'DELETED', ...base }];
  if (!snap.archived && previous.archived) return [{ subscriptionType: `${name}.restore`, changeFlag: 'RESTORED', ...base }];
  const events: SandboxEvent[] = [];
  const names = new Set([...Object.keys(snap.props), ...Object.keys(previous.props)]);
  for (const property of names) {
    if (snap.props[property] === previous.props[property]) continue;
    events.push({ subscriptionType: `${name}.propertyChange`, propertyName: property, propertyValue: snap.props[property] ?? '', ...base });
  }
  return events;
}

/** A customer (contact or company) and a deal linked or unlinked: one event from each side. */
export function associationEvents(customer: 'contacts' | 'companies', customerId: string, dealId: string, removed: boolean, source: Pick<SandboxEvent, 'changeSource' | 'sourceId'>, now: number): SandboxEvent[] {
  const base = { occurredAt: now, associationRemoved: removed, isPrimaryAssociation: false, ...source };
  const name = SINGULAR[customer];
  const upper = name.toUpperCase();
  return [
    { subscriptionType: `${name}.associationChange`, associationType: `${upper}_TO_DEAL`, fromObjectId: Number(customerId), toObjectId: Number(dealId), ...base },
    { subscriptionType: 'deal.associationChange', associationType: `DEAL_TO_${upper}`, fromObjectId: Number(dealId), toObjectId: Number(customerId), ...base },
  ];
}

/** Wires a core's writes and associations to its dispatcher. */
export function deliverChanges(o: { dispatcher: WebhookDispatcher; appId: () => number; actor: () => Principal | null; clock: () => number }): {
  write: (type: ObjectType, snap: Snap, previous: Snap | undefined) => void;
  association: (customer: 'contacts' | 'companies') => (customerId: string, dealId: string, removed: boolean) => void;
} {
  return {
    write: (type, snap, previous) => {
      if (!o.dispatcher.configured) return;
      for (const e of writeEvents(type, snap, previous, changeSource(o.actor(), o.appId()), o.clock())) o.dispatcher.emit(e);
    },
    association: (customer) => (customerId, dealId, removed) => {
      if (!o.dispatcher.configured) return;
      for (const e of associationEvents(customer, customerId, dealId, removed, changeSource(o.actor(), o.appId()), o.clock())) o.dispatcher.emit(e);
    },
  };
}
