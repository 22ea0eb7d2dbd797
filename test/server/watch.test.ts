/**
 * The service runs the light watch for an installation whose sync.watchIntervalSeconds is set: a deal
 * closed won reaches its contact within 60 s, and the rescore is listed among the runs. One watcher per
 * installation however many processes share the store (the watcher lease), another taking over when it stops.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { Watchers } from '../../src/service/watchers.ts';
import { until } from '../until.ts';
import { createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

let sh: ServiceHarness | undefined;
afterEach(async () => {
  await sh?.close();
  sh = undefined;
});

describe('the service watches installations with sync.watchIntervalSeconds', () => {
  it('writes a closed deal\u2019s contact within 60 s, as a rescore run the API lists', async () => {
    sh = await createServiceHarness({ dataset: { contacts: 200 }, config: { sync: { watchIntervalSeconds: 5 } } });
    const { h, service } = sh;
    const contactId = h.sandbox.data.createContact({ email: 'watch.prospect@example.com', firstname: 'Wanda' });
    const dealId = h.sandbox.data.createDeal({ dealname: 'Wanda opportunity', amount: '410.00', pipeline: 'default', dealstage: 'qualifiedtobuy', closedate: new Date(Date.now() + 20 * 86_400_000).toISOString() }, [contactId]);
    expect((await h.sync()).status).toBe('succeeded');
    const before = h.crmValues();
    await service.watchers?.reconcile();
    expect(service.watchers?.watching()).toEqual(['hubspot']);

    const closedAt = Date.now();
    h.sandbox.data.updateDeal(dealId, { dealstage: 'closedwon', closedate: new Date(closedAt).toISOString() });
    await until('the contact written', () => Promise.resolve(h.crmValues().get(contactId)?.lcs_ltv === '410' ? true : null), 60_000);
    expect(Date.now() - closedAt).toBeLessThan(60_000);
    expect(h.crmValues().get(contactId)?.lcs_stage).toBe('purchase');
    for (const [id, v] of h.crmValues()) if (id !== contactId) expect(v, `contact ${id}`).toEqual(before.get(id));
    const runs = await sh.api('/api/runs');
    expect(runs.status).toBe(200);
    const listed = (runs.body as { runs: { kind: string; stats: { written: number } }[] }).runs;
    expect(listed.find((r) => r.kind === 'rescore')?.stats.written).toBe(1);
  }, 120_000);

  it.each(['sqlite', 'postgres'] as const)('one watcher per installation across processes; another takes over when it stops (%s)', async (store) => {
    sh = await createServiceHarness({ dataset: { contacts: 50 }, store, config: { sync: { watchIntervalSeconds: 30 } } });
    const { h, service } = sh;
    expect((await h.sync()).status).toBe('succeeded');
    await service.watchers?.reconcile();
    expect(service.watchers?.watching()).toEqual(['hubspot']);
    // A second process on the same store (its own Watchers): the lease is held, so it does not watch.
    const other = new Watchers({ store: h.store, installations: service.context.installations, env: h.env, log: silentLogger(), everyMs: 60_000 });
    try {
      await other.reconcile();
      expect(other.watching()).toEqual([]);
      await service.watchers?.stop();
      await other.reconcile();
      expect(other.watching()).toEqual(['hubspot']);
    } finally {
      await other.stop();
    }
  }, 120_000);
});
