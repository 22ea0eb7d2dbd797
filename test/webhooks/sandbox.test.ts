/**
 * The real path end to end: the HubSpot sandbox, subscribed as hubspot-app/src/app/webhooks/ declares,
 * sends signed webhooks when its records change through the API, and the service's endpoint turns them
 * into work for the rescore handler (a recorder standing in for the rescore side) and deletions of stored
 * data. And the sandbox's deliveries themselves: signed as the program checks them (connectors/, written
 * apart from the sandbox's), retried on a refusal with the same events and a rising attemptNumber.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkSignatureV3 } from '../../connectors/hubspot/signature.ts';
import { createHubSpotSandbox, DEFAULT_OAUTH_CLIENT, DEFAULT_PRIVATE_APP_TOKEN, type HubSpotSandbox, type WebhookSubscription } from '../../sandboxes/hubspot/index.ts';
import { until } from '../until.ts';
import { APP_ID, PORTAL, SECRET, startWebhookService, type WebhookService } from './webhookService.ts';

const config = z.object({
  type: z.literal('webhooks'),
  config: z.object({
    settings: z.object({ targetUrl: z.string().url(), maxConcurrentRequests: z.number().int().min(1) }),
    subscriptions: z.object({
      legacyCrmObjects: z.array(z.object({ subscriptionType: z.string(), propertyName: z.string().optional(), active: z.boolean() })),
      hubEvents: z.array(z.object({ subscriptionType: z.string(), active: z.boolean() })),
    }),
  }),
}).parse(JSON.parse(readFileSync(new URL('../../hubspot-app/src/app/webhooks/webhooks-hsmeta.json', import.meta.url), 'utf8')));
const SUBSCRIPTIONS: WebhookSubscription[] = [...config.config.subscriptions.legacyCrmObjects, ...config.config.subscriptions.hubEvents];

let sandbox: HubSpotSandbox | null = null;
let ws: WebhookService | null = null;
afterEach(async () => {
  await sandbox?.close();
  await ws?.close();
  sandbox = null;
  ws = null;
});

async function call(s: HubSpotSandbox, method: string, path: string, body?: unknown, token = DEFAULT_PRIVATE_APP_TOKEN): Promise<{ status: number; body: { id?: string } }> {
  const response = await fetch(`${s.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as { id?: string }) : {} };
}

async function appToken(s: HubSpotSandbox): Promise<string> {
  const response = await fetch(`${s.url}/oauth/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: DEFAULT_OAUTH_CLIENT.clientId, client_secret: DEFAULT_OAUTH_CLIENT.clientSecret, redirect_uri: DEFAULT_OAUTH_CLIENT.redirectUri, code: s.issueAuthorizationCode() }),
  });
  return z.object({ access_token: z.string() }).parse(await response.json()).access_token;
}

describe('the HubSpot sandbox’s webhooks, received by the service', () => {
  it('turns changes made through the API into rescores of the contacts concerned and deletions of stored data', async () => {
    ws = await startWebhookService({ debounceMs: 200 });
    const w = ws;
    sandbox = createHubSpotSandbox({ portalId: PORTAL, webhooks: { targetUrl: `${w.service.url}/webhooks/hubspot`, clientSecret: SECRET, appId: APP_ID, subscriptions: SUBSCRIPTIONS, retryDelaysMs: [100, 200] } });
    const s = sandbox;
    await s.listen(0, '127.0.0.1');
    const contact = async (email: string) => (await call(s, 'POST', '/crm/v3/objects/contacts', { properties: { email } })).body.id ?? '';
    const [ann, bob, cat, dan] = [await contact('ann@example.org'), await contact('bob@example.org'), await contact('cat@example.org'), await contact('dan@example.org')];
    const deal = (await call(s, 'POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'Renewal', pipeline: 'default', dealstage: 'appointmentscheduled', amount: '100' },
      associations: [{ to: { id: ann }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }] }],
    })).body.id ?? '';
    await s.webhooks.idle();
    await until('the creations handled', async () => ((await w.store.pendingWebhookWork(w.installationId, 10)).length === 0 && w.calls.length > 0 ? true : null), 10_000);
    const handled = () => ({ customers: new Set(w.calls.flatMap((c) => c.customerIds)), deals: new Set(w.calls.flatMap((c) => c.dealIds)) });
    expect(handled().customers).toEqual(new Set([ann, bob, cat, dan]));
    expect(handled().deals).toEqual(new Set([deal]));

    // Stored data of the people about to go (as a sync would have left it).
    await w.store.upsertCustomers(w.installationId, [cat, dan].map((id) => ({ recordId: id, modifiedAt: 1, signals: {}, crmValues: {}, display: { email: `${id}@stored.example` } })));
    w.calls.length = 0;
    expect((await call(s, 'PATCH', `/crm/v3/objects/deals/${deal}`, { properties: { dealstage: 'closedwon' } })).status).toBe(200);
    expect((await call(s, 'PUT', `/crm/v4/objects/deals/${deal}/associations/default/contacts/${bob}`)).status).toBe(200);
    expect((await call(s, 'POST', '/crm/v3/objects/contacts/merge', { primaryObjectId: ann, objectIdToMerge: cat })).status).toBe(200);
    expect((await call(s, 'POST', '/crm/v3/objects/contacts/gdpr-delete', { objectId: dan })).status).toBe(204);
    // The app's own write (its OAuth token): HubSpot delivers it, the service ignores it.
    const token = await appToken(s);
    expect((await call(s, 'PATCH', `/crm/v3/objects/deals/${deal}`, { properties: { amount: '250' } }, token)).status).toBe(200);
    await s.webhooks.idle();
    await until('the changes handled', async () => ((await w.store.pendingWebhookWork(w.installationId, 10)).length === 0 && w.calls.length > 0 ? true : null), 10_000);
    expect(handled().customers).toEqual(new Set([ann, bob]));
    expect(handled().deals).toEqual(new Set([deal]));
    expect(await w.store.getCustomer(w.installationId, cat)).toBeNull();
    expect(await w.store.getCustomer(w.installationId, dan)).toBeNull();
    const sentTypes = s.webhooks.stats.sent.flat().map((e) => e.subscriptionType);
    expect(sentTypes).toEqual(expect.arrayContaining(['deal.propertyChange', 'contact.associationChange', 'deal.associationChange', 'contact.merge', 'contact.privacyDeletion', 'contact.deletion']));
    expect(s.webhooks.stats.sent.flat().find((e) => e.propertyName === 'amount' && e.propertyValue === '250')).toMatchObject({ changeSource: 'INTEGRATION', sourceId: String(APP_ID) });
    expect(s.webhooks.stats).toMatchObject({ failedAttempts: 0, givenUp: 0 });
    // Deleting the deal: its contacts are the rescore side's to find.
    w.calls.length = 0;
    expect((await call(s, 'DELETE', `/crm/v3/objects/deals/${deal}`)).status).toBe(204);
    await s.webhooks.idle();
    await until('the deletion handled', () => Promise.resolve(w.calls.length > 0 ? true : null), 10_000);
    expect(w.calls).toMatchObject([{ customerIds: [], dealIds: [deal] }]);
  });
});

describe('the sandbox’s deliveries', () => {
  it('sign each request as HubSpot does, batch up to 100 events, and retry a refused one with the same events', async () => {
    const received: { body: string; headers: Record<string, string | undefined>; status: number }[] = [];
    const app = express();
    app.post('/hook', express.raw({ type: () => true }), (req, res) => {
      const status = received.length < 2 ? 503 : 204;
      received.push({ body: Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '', headers: { sig: req.get('x-hubspot-signature-v3'), ts: req.get('x-hubspot-request-timestamp') }, status });
      res.status(status).end();
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      sandbox = createHubSpotSandbox({ webhooks: { targetUrl: target, clientSecret: 'the-app-secret', appId: 7, subscriptions: [{ subscriptionType: 'contact.creation' }], retryDelaysMs: [50, 50, 50] } });
      for (let i = 0; i < 150; i++) sandbox.data.createContact({ email: `p${i}@example.org` });
      await sandbox.webhooks.idle();
      // Two batches (100 + 50 events); the first two requests received were refused and sent again.
      const bodies = received.map((r) => z.array(z.object({ eventId: z.number(), attemptNumber: z.number(), portalId: z.number(), appId: z.number(), subscriptionType: z.string() })).parse(JSON.parse(r.body)));
      const batches = new Map<string, number[]>();
      for (const b of bodies) {
        const key = b.map((e) => e.eventId).join(',');
        batches.set(key, [...(batches.get(key) ?? []), ...new Set(b.map((e) => e.attemptNumber))]);
      }
      expect([...batches.keys()].map((k) => k.split(',').length).sort()).toEqual([100, 50]);
      expect(new Set([...batches.keys()].flatMap((k) => k.split(','))).size).toBe(150);
      // Each batch's attempts numbered 0, 1, ... in order; two refusals in all.
      for (const attempts of batches.values()) expect(attempts).toEqual(attempts.map((_, i) => i));
      expect([...batches.values()].reduce((n, a) => n + a.length, 0)).toBe(4);
      expect(bodies.flat().every((e) => e.appId === 7 && e.portalId === sandbox?.portalId && e.subscriptionType === 'contact.creation')).toBe(true);
      for (const r of received) {
        expect(checkSignatureV3({ method: 'POST', uri: target, body: r.body, timestamp: r.headers.ts ?? '', signature: r.headers.sig }, 'the-app-secret')).toEqual({ ok: true });
        expect(checkSignatureV3({ method: 'POST', uri: target, body: r.body, timestamp: r.headers.ts ?? '', signature: r.headers.sig }, 'another-secret').ok).toBe(false);
      }
      expect(sandbox.webhooks.stats).toMatchObject({ delivered: 2, failedAttempts: 2, givenUp: 0 });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
