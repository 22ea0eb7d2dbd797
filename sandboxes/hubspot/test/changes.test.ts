// Merges, GDPR deletions and single associations over raw HTTP, and the webhook events each sends.
import { afterEach, describe, expect, it } from 'vitest';
import { createHubSpotSandbox, type HubSpotSandbox } from '../index.ts';

const TOKEN = 'sandbox-private-app-token';
let sandbox: HubSpotSandbox | null = null;
afterEach(async () => {
  await sandbox?.close();
  sandbox = null;
});

async function call(s: HubSpotSandbox, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(s.url + path, { method, headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** A sandbox subscribed to everything these routes send, delivering to nowhere (the events are kept in its stats). */
async function started(): Promise<HubSpotSandbox> {
  const s = createHubSpotSandbox({
    webhooks: {
      targetUrl: 'http://127.0.0.1:9/unreachable',
      clientSecret: 'secret',
      appId: 5,
      subscriptions: ['contact.merge', 'contact.deletion', 'contact.privacyDeletion', 'contact.associationChange', 'deal.associationChange'].map((subscriptionType) => ({ subscriptionType })),
      retryDelaysMs: [],
      timeoutMs: 500,
    },
  });
  await s.listen(0, '127.0.0.1');
  return s;
}

describe('record changes webhooks report', () => {
  it('merges two contacts: the primary keeps its id, gains the empty properties and the associations; one merge event', async () => {
    const s = (sandbox = await started());
    const primary = s.data.createContact({ email: 'p@example.org' });
    const merged = s.data.createContact({ email: 'm@example.org', firstname: 'Mo' });
    const deal = s.data.createDeal({ dealname: 'D', pipeline: 'default', dealstage: 'closedwon', amount: '5' }, [merged]);
    await s.webhooks.idle();
    s.webhooks.stats.sent.length = 0;
    const answer = await call(s, 'POST', '/crm/v3/objects/contacts/merge', { primaryObjectId: primary, objectIdToMerge: merged });
    expect(answer).toMatchObject({ status: 200, body: { id: primary } });
    expect(s.data.getContact(primary)?.properties).toMatchObject({ email: 'p@example.org', firstname: 'Mo' });
    expect(s.data.getContact(merged)?.archived).toBe(true);
    expect(s.data.dealIdsOf(primary)).toEqual([deal]);
    await s.webhooks.idle();
    expect(s.webhooks.stats.sent.flat()).toMatchObject([{ subscriptionType: 'contact.merge', objectId: Number(primary), primaryObjectId: Number(primary), mergedObjectIds: [Number(merged)], newObjectId: Number(primary), numberOfPropertiesMoved: 1, changeSource: 'API' }]);
    expect((await call(s, 'POST', '/crm/v3/objects/contacts/merge', { primaryObjectId: primary, objectIdToMerge: primary })).status).toBe(400);
  });

  it('deletes a contact for privacy: archived, its properties gone, a privacyDeletion then a deletion event', async () => {
    const s = (sandbox = await started());
    const id = s.data.createContact({ email: 'gone@example.org', firstname: 'Gone' });
    expect((await call(s, 'POST', '/crm/v3/objects/contacts/gdpr-delete', { objectId: id })).status).toBe(204);
    expect(s.data.getContact(id)).toMatchObject({ archived: true, properties: { hs_object_id: id } });
    expect(Object.keys(s.data.getContact(id)?.properties ?? {})).toEqual(['hs_object_id']);
    // The e-mail is free again.
    expect(s.data.createContact({ email: 'gone@example.org' })).not.toBe(id);
    await s.webhooks.idle();
    expect(s.webhooks.stats.sent.flat().map((e) => e.subscriptionType)).toEqual(['contact.privacyDeletion', 'contact.deletion']);
    expect((await call(s, 'POST', '/crm/v3/objects/contacts/gdpr-delete', { objectId: id })).status).toBe(404);
  });

  it('creates and removes one default association, an event from each side each time', async () => {
    const s = (sandbox = await started());
    const contact = s.data.createContact({ email: 'a@example.org' });
    const deal = s.data.createDeal({ dealname: 'D', pipeline: 'default', dealstage: 'appointmentscheduled' });
    expect((await call(s, 'PUT', `/crm/v4/objects/contacts/${contact}/associations/default/deals/${deal}`)).status).toBe(200);
    expect(s.data.dealIdsOf(contact)).toEqual([deal]);
    expect((await call(s, 'DELETE', `/crm/v4/objects/deals/${deal}/associations/contacts/${contact}`)).status).toBe(204);
    expect(s.data.dealIdsOf(contact)).toEqual([]);
    await s.webhooks.idle();
    expect(s.webhooks.stats.sent.flat().map((e) => `${String(e.subscriptionType)} ${String(e.associationType)} ${String(e.associationRemoved)}`)).toEqual([
      'contact.associationChange CONTACT_TO_DEAL false',
      'deal.associationChange DEAL_TO_CONTACT false',
      'contact.associationChange CONTACT_TO_DEAL true',
      'deal.associationChange DEAL_TO_CONTACT true',
    ]);
    expect(s.webhooks.stats.givenUp).toBe(4);
  });
});
