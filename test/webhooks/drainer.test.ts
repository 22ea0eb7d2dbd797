/**
 * Draining with several processes (replicas) on one store: one drainer at a time per installation (a
 * lease in the store), every piece of work handed over, none twice once done; on both stores. The handler
 * is the test's recorder standing in for the rescore side.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/types.ts';
import { WebhookDrainer, type RescoreHandler } from '../../src/webhooks/drainer.ts';
import { until } from '../until.ts';
import { STORE_KINDS, storePlaces } from '../stores.ts';

describe.each(STORE_KINDS)('webhook drainers on one %s store', (kind) => {
  const place = storePlaces(kind);

  it('drain an installation one at a time, and hand over every piece of work', async () => {
    const p = await place();
    const stores: Store[] = [await p.open({}), await p.open({})];
    let active = 0;
    let most = 0;
    const handed = new Map<string, number>();
    const handler: RescoreHandler = async (_id, work) => {
      active++;
      most = Math.max(most, active);
      for (const c of work.customerIds) handed.set(c, (handed.get(c) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 30));
      active--;
    };
    const drainers = stores.map((store) => new WebhookDrainer({ store, log: silentLogger(), handler, debounceMs: 20, batchSize: 25, leaseMs: 10_000 }));
    try {
      for (let round = 0; round < 6; round++) {
        const work = Array.from({ length: 40 }, (_, i) => ({ object: 'contact' as const, recordId: `c${round * 40 + i}`, action: 'rescore' as const, occurredAt: round }));
        // Each "replica" records half of the round's events and pokes its own drainer.
        await stores[0].addWebhookWork('inst', work.slice(0, 20), Date.now());
        drainers[0].poke('inst');
        await stores[1].addWebhookWork('inst', work.slice(20), Date.now());
        drainers[1].poke('inst');
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
      await until('everything drained', async () => ((await stores[0].pendingWebhookWork('inst', 1)).length === 0 && active === 0 ? true : null), 30_000);
      expect(most).toBe(1);
      expect(handed.size).toBe(240);
      expect([...handed.values()].every((n) => n === 1)).toBe(true);
    } finally {
      for (const d of drainers) await d.stop();
      for (const s of stores) await s.close();
    }
  });

  it('after a restart, its sweep finds the work left pending and drains it (the service passes no clock of its own)', async () => {
    const p = await place();
    const store = await p.open({});
    const handed: string[] = [];
    const handler: RescoreHandler = async (_id, work) => {
      await Promise.resolve();
      handed.push(...work.customerIds);
    };
    // Recorded by a process that stopped before draining it.
    await store.addWebhookWork('inst', [{ object: 'contact', recordId: 'left-1', action: 'rescore', occurredAt: 1 }], Date.now());
    const drainer = new WebhookDrainer({ store, log: silentLogger(), handler, debounceMs: 20, clock: undefined });
    try {
      await drainer.sweep();
      await until('the pending work drained', async () => ((await store.pendingWebhookWork('inst', 1)).length === 0 && handed.length > 0 ? true : null), 10_000);
      expect(handed).toEqual(['left-1']);
    } finally {
      await drainer.stop();
      await store.close();
    }
  });
});
