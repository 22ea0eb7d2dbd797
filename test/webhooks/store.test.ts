/**
 * The webhook concerns of both stores: keys claimed once (concurrently too) and again after expiry;
 * work coalesced per object, the latest event's action standing; work removed only at the version handled.
 */
import { describe, expect, it } from 'vitest';
import { STORE_KINDS, storePlaces } from '../stores.ts';

describe.each(STORE_KINDS)('webhook work on the %s store', (kind) => {
  const place = storePlaces(kind);

  it('claims a key once, also when claimed twice at the same time, and again once it expired', async () => {
    const store = await (await place()).open({});
    try {
      const [a, b] = await Promise.all([store.claimWebhookKeys(['k1', 'k2', 'k2'], 100, 200), store.claimWebhookKeys(['k2', 'k3'], 100, 200)]);
      expect([...a, ...b].sort()).toEqual(['k1', 'k2', 'k3']);
      expect(await store.claimWebhookKeys(['k1', 'k4'], 150, 250)).toEqual(['k4']);
      // Expired at 200: claimed afresh.
      expect(await store.claimWebhookKeys(['k1'], 200, 300)).toEqual(['k1']);
      await store.setWebhookKeys([{ key: 't', at: 50 }, { key: 't', at: 40 }], 300);
      await store.setWebhookKeys([{ key: 't', at: 30 }], 300);
      expect(await store.webhookKeysAt(['t', 'k2', 'none'], 210)).toEqual(new Map([['t', 50]]));
      expect(await store.pruneWebhookKeys(260)).toBe(3);
    } finally {
      await store.close();
    }
  });

  it('keeps one row per object, the latest event deciding, and removes only the version handled', async () => {
    const store = await (await place()).open({});
    try {
      for (let i = 0; i < 50; i++) await store.addWebhookWork('i', [{ object: 'contact', recordId: String(i % 5), action: 'rescore', occurredAt: i }, { object: 'deal', recordId: 'd1', action: 'rescore', occurredAt: i }], 1000 + i);
      await store.addWebhookWork('other', [{ object: 'contact', recordId: '0', action: 'rescore', occurredAt: 1 }], 1);
      const rows = await store.pendingWebhookWork('i', 100);
      expect(rows).toHaveLength(6);
      expect(rows.find((r) => r.object === 'deal')).toMatchObject({ recordId: 'd1', version: 50, occurredAt: 49 });
      // A deletion at 100, then an older event: the deletion stands; then a later one: rescored.
      await store.addWebhookWork('i', [{ object: 'contact', recordId: '0', action: 'forget', occurredAt: 100 }], 2000);
      await store.addWebhookWork('i', [{ object: 'contact', recordId: '0', action: 'rescore', occurredAt: 99 }, { object: 'contact', recordId: '1', action: 'forget', occurredAt: 100 }, { object: 'contact', recordId: '1', action: 'rescore', occurredAt: 101 }], 2001);
      const after = await store.pendingWebhookWork('i', 100);
      expect(after.find((r) => r.recordId === '0' && r.object === 'contact')).toMatchObject({ action: 'forget', occurredAt: 100 });
      expect(after.find((r) => r.recordId === '1' && r.object === 'contact')).toMatchObject({ action: 'rescore', occurredAt: 101 });
      // Handled at one version; an event came in meanwhile for contact 2: it stays.
      const handled = after.filter((r) => r.object === 'contact');
      await store.addWebhookWork('i', [{ object: 'contact', recordId: '2', action: 'rescore', occurredAt: 500 }], 3000);
      await store.finishWebhookWork('i', handled);
      expect((await store.pendingWebhookWork('i', 100)).map((r) => `${r.object}:${r.recordId}`).sort()).toEqual(['contact:2', 'deal:d1']);
      expect((await store.installationsWithWebhookWork()).sort()).toEqual(['i', 'other']);
      expect(await store.pendingWebhookWork('i', 1)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
