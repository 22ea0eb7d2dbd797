/**
 * The intake on both stores, as several replicas run it: the same signed request at two replicas at once
 * is accepted once (the other is a replay), and HubSpot's retry of the same events through another
 * replica records nothing twice.
 */
import { describe, expect, it } from 'vitest';
import { signatureV3 } from '../../connectors/hubspot/signature.ts';
import { hubspotWebhooks } from '../../connectors/hubspot/webhooks.ts';
import { silentLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/types.ts';
import { receiveWebhook, type IncomingWebhook, type IntakeOptions } from '../../src/webhooks/intake.ts';
import { STORE_KINDS, storePlaces } from '../stores.ts';

const SECRET = 'intake-test-secret';
const URI = 'https://lifecycle.example.com/webhooks/hubspot';

function signed(events: Record<string, unknown>[], timestamp: number): IncomingWebhook {
  const body = JSON.stringify(events);
  return { method: 'POST', uri: URI, body, headers: { 'x-hubspot-signature-v3': signatureV3({ method: 'POST', uri: URI, body, timestamp: String(timestamp) }, SECRET), 'x-hubspot-request-timestamp': String(timestamp) } };
}

const intake = (store: Store): IntakeOptions => ({
  crm: 'hubspot',
  receiver: hubspotWebhooks,
  store,
  env: { HUBSPOT_CLIENT_SECRET: SECRET },
  log: silentLogger(),
  installationOf: async (crm, accountId) => (await store.installationOfAccount(crm, accountId))?.id ?? null,
  ownFields: [],
});

describe.each(STORE_KINDS)('the webhook intake on the %s store', (kind) => {
  const place = storePlaces(kind);

  it('accepts a request once across replicas, and records a retried event once', async () => {
    const p = await place();
    const [a, b] = [await p.open({}), await p.open({})];
    try {
      const installationId = (await a.addInstallation({ crm: 'hubspot', name: 'P', accountId: '777' })).installation.id;
      const now = Date.now();
      const events = Array.from({ length: 100 }, (_, i) => ({ eventId: 5000 + i, subscriptionId: 1, portalId: 777, appId: 9, occurredAt: now - 1000, subscriptionType: 'contact.creation', attemptNumber: 0, objectId: 100 + (i % 10) }));
      const request = signed(events, now);
      // At the same time on Postgres (replicas); one after the other on SQLite, whose one process serves them in turn.
      const both = <T>(x: () => Promise<T>, y: () => Promise<T>): Promise<T[]> => (kind === 'postgres' ? Promise.all([x(), y()]) : x().then(async (r) => [r, await y()]));
      const [first, second] = await both(() => receiveWebhook(intake(a), request), () => receiveWebhook(intake(b), request));
      expect([first.ok, second.ok].sort()).toEqual([false, true]);
      expect([first, second].find((r) => !r.ok)).toMatchObject({ status: 409, code: 'REPLAY' });
      // HubSpot's retry: the same events, a new attempt, a new signature; at both replicas.
      const retried = signed(events.map((e) => ({ ...e, attemptNumber: 1 })), now + 1);
      const retriedElsewhere = signed(events.map((e) => ({ ...e, attemptNumber: 2 })), now + 2);
      const answers = await both(() => receiveWebhook(intake(b), retried), () => receiveWebhook(intake(a), retriedElsewhere));
      expect(answers).toMatchObject([{ ok: true, duplicates: 100, work: 0 }, { ok: true, duplicates: 100, work: 0 }]);
      const work = await a.pendingWebhookWork(installationId, 100);
      expect(work.map((w) => w.recordId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => String(100 + i)));
      // Recorded by the one accepted request only: every row at the same version.
      expect(new Set(work.map((w) => w.version)).size).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
