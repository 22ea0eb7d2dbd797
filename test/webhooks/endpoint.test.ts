/**
 * POST /webhooks/hubspot as HubSpot calls it: signed requests recorded as work and handed to the rescore
 * handler (a recorder standing in for the rescore side); bad or old signatures, replays, malformed
 * bodies and unknown portals refused with a JSON 4xx and nothing recorded; the plugin's own writes,
 * duplicates and late events change nothing; deletions and merges remove the person's stored data.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookWork } from '../../src/store/types.ts';
import { until } from '../until.ts';
import { APP_ID, hubspotEvent, startWebhookService, type WebhookService } from './webhookService.ts';

let ws: WebhookService | null = null;
afterEach(async () => {
  await ws?.close();
  ws = null;
});

const pending = async (w: WebhookService): Promise<Omit<WebhookWork, 'occurredAt'>[]> =>
  (await w.store.pendingWebhookWork(w.installationId, 1000)).map(({ occurredAt: _, ...rest }) => rest).sort((a, b) => `${a.object}${a.recordId}`.localeCompare(`${b.object}${b.recordId}`));

describe('the HubSpot webhook endpoint', () => {
  it('records a deal stage change and a contact creation, answers 204, and hands them over once the burst settles', async () => {
    ws = await startWebhookService();
    const w = ws;
    const answer = await w.post(JSON.stringify([
      hubspotEvent({ subscriptionType: 'deal.propertyChange', objectId: 9001, propertyName: 'dealstage', propertyValue: 'closedwon' }),
      hubspotEvent({ subscriptionType: 'contact.creation', objectId: 501 }),
    ]));
    expect(answer.status).toBe(204);
    await until('the handler', () => Promise.resolve(w.calls.length > 0 ? true : null), 10_000);
    expect(w.calls).toMatchObject([{ installationId: w.installationId, customerIds: ['501'], dealIds: ['9001'] }]);
    await until('the work done', async () => ((await pending(w)).length === 0 ? true : null), 5_000);
  });

  it('refuses bad, old, replayed, malformed and unknown-portal requests with a JSON 4xx, recording nothing', async () => {
    ws = await startWebhookService({ debounceMs: 60_000 });
    const w = ws;
    const body = JSON.stringify([hubspotEvent({ subscriptionType: 'contact.creation', objectId: 777 })]);
    const refusals: [string, Promise<{ status: number; body: unknown }>, number, string][] = [
      ['another secret', w.post(body, { secret: 'not-the-secret' }), 401, 'BAD_SIGNATURE'],
      ['no signature', w.post(body, { signature: null }), 401, 'BAD_SIGNATURE'],
      ['signed six minutes ago', w.post(body, { timestamp: Date.now() - 6 * 60_000 }), 401, 'BAD_SIGNATURE'],
      ['signed for another address', w.post(body, { signedUri: 'https://elsewhere.example.com/webhooks/hubspot' }), 401, 'BAD_SIGNATURE'],
      ['not JSON', w.post('[{"eventId": 1,'), 400, 'INVALID_BODY'],
      ['not an array', w.post(JSON.stringify(hubspotEvent({ objectId: 1 }))), 400, 'INVALID_BODY'],
      ['101 events', w.post(JSON.stringify(Array.from({ length: 101 }, (_, i) => hubspotEvent({ objectId: i + 1 })))), 400, 'INVALID_BODY'],
      ['an event without its eventId', w.post(JSON.stringify([{ ...hubspotEvent({ objectId: 1 }), eventId: undefined }])), 400, 'INVALID_BODY'],
      ['an unknown portal', w.post(JSON.stringify([hubspotEvent({ objectId: 1, portalId: 99999 })])), 404, 'UNKNOWN_ACCOUNT'],
      ['a known and an unknown portal', w.post(JSON.stringify([hubspotEvent({ objectId: 2 }), hubspotEvent({ objectId: 3, portalId: 99999 })])), 404, 'UNKNOWN_ACCOUNT'],
    ];
    for (const [what, answer, status, code] of refusals) {
      const a = await answer;
      expect({ what, status: a.status, body: a.body }).toMatchObject({ what, status, body: { error: { code } } });
    }
    // A body changed after signing.
    const timestamp = Date.now();
    const signed = await w.post(body, { timestamp });
    expect(signed.status).toBe(204);
    const tampered = await w.post(body.replace('777', '778'), { timestamp, signature: signed.signature });
    expect(tampered).toMatchObject({ status: 401, body: { error: { code: 'BAD_SIGNATURE' } } });
    // The same signed request again: a replay.
    const replay = await w.post(body, { timestamp, signature: signed.signature });
    expect(replay).toMatchObject({ status: 409, body: { error: { code: 'REPLAY' } } });
    // Only the one accepted request's work, once.
    expect(await pending(w)).toEqual([{ object: 'contact', recordId: '777', action: 'rescore', version: 1 }]);
    expect(w.calls).toEqual([]);
  });

  it('takes the address HubSpot signed from PUBLIC_URL (behind a proxy), not from the request', async () => {
    ws = await startWebhookService({ debounceMs: 60_000, env: { PUBLIC_URL: 'https://lifecycle.example.com' } });
    const w = ws;
    const body = JSON.stringify([hubspotEvent({ subscriptionType: 'contact.creation', objectId: 5 })]);
    expect((await w.post(body, { signedUri: 'https://lifecycle.example.com/webhooks/hubspot' })).status).toBe(204);
    expect((await w.post(body, { signedUri: `${w.url}/webhooks/hubspot` })).status).toBe(401);
    // The query is part of what is signed.
    expect((await w.post(body, { path: '/webhooks/hubspot?source=hubspot', signedUri: 'https://lifecycle.example.com/webhooks/hubspot?source=hubspot' })).status).toBe(204);
  });

  it("ignores the plugin's own writes: changes to its lcs_ properties, and changes HubSpot says this app made", async () => {
    ws = await startWebhookService({ debounceMs: 60_000 });
    const w = ws;
    const answer = await w.post(JSON.stringify([
      hubspotEvent({ subscriptionType: 'contact.propertyChange', objectId: 10, propertyName: 'lcs_stage', propertyValue: 'loyalty', changeSource: 'INTEGRATION', sourceId: 'userId:1' }),
      hubspotEvent({ subscriptionType: 'contact.propertyChange', objectId: 11, propertyName: 'lcs_predicted_clv', propertyValue: '120.5' }),
      hubspotEvent({ subscriptionType: 'deal.propertyChange', objectId: 12, propertyName: 'amount', propertyValue: '10', changeSource: 'INTEGRATION', sourceId: String(APP_ID) }),
      hubspotEvent({ subscriptionType: 'deal.propertyChange', objectId: 13, propertyName: 'amount', propertyValue: '10', changeSource: 'INTEGRATION', sourceId: `appId:${APP_ID}` }),
      hubspotEvent({ subscriptionType: 'company.creation', objectId: 14 }),
      // Somebody else's change of the contact's e-mail: rescored (its display refreshed).
      hubspotEvent({ subscriptionType: 'contact.propertyChange', objectId: 15, propertyName: 'email', propertyValue: 'x@example.org' }),
    ]));
    expect(answer.status).toBe(204);
    expect(await pending(w)).toEqual([{ object: 'contact', recordId: '15', action: 'rescore', version: 1 }]);
  });

  it('counts an event once however often it is delivered, and an older event never undoes a later deletion', async () => {
    ws = await startWebhookService({ debounceMs: 60_000 });
    const w = ws;
    const t = Date.now();
    const dealChange = hubspotEvent({ subscriptionType: 'deal.propertyChange', objectId: 70, propertyName: 'amount', occurredAt: t });
    expect((await w.post(JSON.stringify([dealChange]))).status).toBe(204);
    // HubSpot's retry of the same event (a new attempt, a new signature): accepted, not recorded again.
    expect((await w.post(JSON.stringify([{ ...dealChange, attemptNumber: 1 }]), { timestamp: Date.now() + 1 })).status).toBe(204);
    expect(await pending(w)).toEqual([{ object: 'deal', recordId: '70', action: 'rescore', version: 1 }]);

    // Contact 80 deleted at t; its creation at t - 1000 arrives afterwards: it stays deleted.
    await w.post(JSON.stringify([hubspotEvent({ subscriptionType: 'contact.deletion', objectId: 80, occurredAt: t })]));
    await w.post(JSON.stringify([hubspotEvent({ subscriptionType: 'contact.propertyChange', objectId: 80, propertyName: 'email', occurredAt: t - 1000 })]));
    expect((await pending(w)).find((r) => r.recordId === '80')).toMatchObject({ action: 'forget' });
    // A restore after the deletion: rescored.
    await w.post(JSON.stringify([hubspotEvent({ subscriptionType: 'contact.restore', objectId: 80, occurredAt: t + 1000 })]));
    expect((await pending(w)).find((r) => r.recordId === '80')).toMatchObject({ action: 'rescore' });
  });

  it('removes a deleted, privacy-deleted or merged-away contact’s stored data and rescores the merge’s survivor', async () => {
    ws = await startWebhookService();
    const w = ws;
    const person = (id: string) => ({ recordId: id, modifiedAt: 1, signals: {}, crmValues: {}, display: { name: `P${id}`, email: `${id}@example.org` } });
    await w.store.upsertCustomers(w.installationId, ['201', '202', '203', '204', '205'].map(person));
    const t = Date.now();
    expect((await w.post(JSON.stringify([
      hubspotEvent({ subscriptionType: 'contact.deletion', objectId: 201, occurredAt: t }),
      hubspotEvent({ subscriptionType: 'contact.privacyDeletion', objectId: 202, occurredAt: t }),
      hubspotEvent({ subscriptionType: 'contact.merge', objectId: 203, primaryObjectId: 203, mergedObjectIds: [204], newObjectId: 203, numberOfPropertiesMoved: 3, occurredAt: t }),
    ]))).status).toBe(204);
    await until('the work done', async () => ((await pending(w)).length === 0 && w.calls.length > 0 ? true : null), 10_000);
    for (const gone of ['201', '202', '204']) expect(await w.store.getCustomer(w.installationId, gone)).toBeNull();
    for (const kept of ['203', '205']) expect(await w.store.getCustomer(w.installationId, kept)).not.toBeNull();
    expect(w.calls.flatMap((c) => c.customerIds)).toEqual(['203']);
    // A late event about a deleted contact, older than its deletion, after the deletion was carried out: dropped.
    expect((await w.post(JSON.stringify([hubspotEvent({ subscriptionType: 'contact.propertyChange', objectId: 201, propertyName: 'email', occurredAt: t - 1 })]))).status).toBe(204);
    expect(await pending(w)).toEqual([]);
  });

  it('turns a contact–deal association change into both, from either side', async () => {
    ws = await startWebhookService({ debounceMs: 60_000 });
    const w = ws;
    expect((await w.post(JSON.stringify([
      hubspotEvent({ subscriptionType: 'contact.associationChange', associationType: 'CONTACT_TO_DEAL', fromObjectId: 301, toObjectId: 9301, associationRemoved: false, isPrimaryAssociation: false }),
      hubspotEvent({ subscriptionType: 'deal.associationChange', associationType: 'DEAL_TO_CONTACT', fromObjectId: 9302, toObjectId: 302, associationRemoved: true, isPrimaryAssociation: false }),
      hubspotEvent({ subscriptionType: 'deal.associationChange', associationType: 'DEAL_TO_COMPANY', fromObjectId: 9303, toObjectId: 303, associationRemoved: false, isPrimaryAssociation: false }),
    ]))).status).toBe(204);
    expect((await pending(w)).map((r) => `${r.object}:${r.recordId}`)).toEqual(['contact:301', 'contact:302', 'deal:9301', 'deal:9302']);
  });

  it('keeps the work while the handler fails, and retries it with backoff until it succeeds', async () => {
    let attempts = 0;
    const seen: string[][] = [];
    ws = await startWebhookService({
      handler: (_id, work) => {
        attempts++;
        seen.push(work.customerIds);
        return attempts <= 2 ? Promise.reject(new Error('the CRM is down')) : Promise.resolve();
      },
    });
    const w = ws;
    expect((await w.post(JSON.stringify([hubspotEvent({ subscriptionType: 'contact.creation', objectId: 401 })]))).status).toBe(204);
    await until('three attempts', () => Promise.resolve(attempts >= 3 ? true : null), 10_000);
    await until('the work done', async () => ((await pending(w)).length === 0 ? true : null), 5_000);
    expect(seen).toEqual([['401'], ['401'], ['401']]);
  });
});

describe('a flood of events', () => {
  it('absorbs 10,000 events about 300 contacts, 100 a request: every request 2xx, each contact handed over after its last event, in few calls', async () => {
    ws = await startWebhookService({ debounceMs: 300, batchSize: 100 });
    const w = ws;
    const contacts = 300;
    const start = Date.now() - 60_000;
    const events = Array.from({ length: 10_000 }, (_, i) => {
      const contact = 1000 + ((i * 7919) % contacts);
      // A minute's worth of occurredAt, in a shuffled order of delivery.
      const occurredAt = start + Math.floor((i * 6000) / 1000);
      return i % 3 === 0
        ? hubspotEvent({ subscriptionType: 'contact.propertyChange', objectId: contact, propertyName: 'email', occurredAt })
        : hubspotEvent({ subscriptionType: 'contact.associationChange', associationType: 'CONTACT_TO_DEAL', fromObjectId: contact, toObjectId: 50_000 + (i % 40), occurredAt });
    });
    const requests: HubSpotBatch[] = [];
    for (let i = 0; i < events.length; i += 100) requests.push(events.slice(i, i + 100));
    const lastAnswered = new Map<string, number>();
    const statuses: number[] = [];
    // HubSpot's concurrency: a few requests at a time.
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < requests.length) {
        const batch = requests[next++];
        const answer = await w.post(JSON.stringify(batch));
        statuses.push(answer.status);
        const at = Date.now();
        for (const e of batch) lastAnswered.set(String(e.fromObjectId ?? e.objectId), at);
      }
    }));
    expect(statuses.filter((s) => s < 200 || s > 299)).toEqual([]);
    expect(statuses).toHaveLength(100);
    await until('the flood drained', async () => ((await pending(w)).length === 0 ? true : null), 60_000);
    for (let c = 1000; c < 1000 + contacts; c++) {
      const id = String(c);
      const answered = lastAnswered.get(id);
      expect(answered).toBeDefined();
      // Handed over in a call that began after the request carrying its last event was answered.
      expect(w.calls.some((call) => call.customerIds.includes(id) && call.at >= (answered ?? Infinity))).toBe(true);
    }
    // Coalesced: 340 objects, 100 a call, a few drains while the flood lasts (16 when measured) — not a
    // call per request (100), let alone per event.
    expect(w.calls.length).toBeLessThan(40);
    expect(w.calls.length).toBeGreaterThan(0);
  }, 120_000);
});

type HubSpotBatch = Record<string, unknown>[];
