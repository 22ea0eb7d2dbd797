/**
 * The light watch (src/sync/watch.ts): an idle cycle sends a couple of pull requests and writes nothing;
 * a deal closed won in the CRM reaches its contact's fields in the next cycle, and nothing else is
 * written; the cycle after does not read back its own write; the next run agrees; a run holding the
 * lease makes the cycle skip, and the change is caught up later.
 */
import { describe, expect, it } from 'vitest';
import { acquireLease } from '../../src/sync/lock.ts';
import { allAudit } from '../storeReads.ts';
import { INSTALLATION, STORE_KINDS, TODAY, type World, worldsClosedAfterEach } from './harness.ts';

function prospectWithOpenDeal(w: World): { customerId: string; dealId: string } {
  for (const deal of [...w.crm.deals.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (deal.status !== 'open' || deal.customerIds.length !== 1) continue;
    const [customerId] = deal.customerIds;
    if ([...w.crm.deals.values()].filter((d) => d.customerIds.includes(customerId)).length === 1) return { customerId, dealId: deal.id };
  }
  throw new Error('the seeded base has no prospect with an open deal');
}

/** A sales rep closes the deal won in the CRM (its last-modified time moves). */
function closeWonInCrm(w: World, dealId: string, amount: number): void {
  const deal = w.crm.deals.get(dealId);
  if (!deal) throw new Error(`no deal ${dealId}`);
  Object.assign(deal, { status: 'won', amount, closeDay: TODAY, modifiedAt: w.crm.tick() });
}

describe.each(STORE_KINDS)('the watch, on the %s store', (kind) => {
  const world = worldsClosedAfterEach(kind);

  it('waits for the first run; then idle cycles cost a couple of requests and write nothing', async () => {
    const w = world();
    expect(await w.watch()).toMatchObject({ status: 'waiting', pullRequests: 0 });
    await w.sync();
    const before = w.values();
    // The first cycle looks back to the run's pull (its own writes skipped); later ones to the last cycle.
    await w.watch();
    w.crm.now += 60_000;
    const connector = w.connector();
    const idle = await w.watch(connector);
    expect(idle).toMatchObject({ status: 'idle', touched: 0, pulled: { customers: 0, deals: 0 } });
    expect(idle.pullRequests).toBe(2); // one page of contacts, one of deals
    expect(w.differing(before)).toEqual([]);
  });

  it('a deal closed won: the next cycle writes its contact only; the cycle after reads nothing back; the next run agrees', async () => {
    const w = world();
    await w.sync();
    await w.watch();
    const { customerId, dealId } = prospectWithOpenDeal(w);
    const before = w.values();
    w.crm.now += 30_000;
    closeWonInCrm(w, dealId, 750);
    const cycle = await w.watch();
    expect(cycle).toMatchObject({ status: 'rescored', touched: 1, pulled: { deals: 1 } });
    expect(cycle.rescore).toMatchObject({ status: 'done', summary: { kind: 'rescore', written: 1 } });
    expect(w.differing(before)).toEqual([customerId]);
    expect(w.values().get(customerId)).toMatchObject({ stage: 'purchase', ltv: '750' });
    w.crm.now += 60_000;
    expect(await w.watch()).toMatchObject({ status: 'idle', touched: 0 });
    const next = await w.sync();
    expect((await allAudit(w.store, next.runId)).filter((e) => e.recordId === customerId)).toEqual([]);
  });

  it('skips a cycle while a run holds the lease, and catches the change up in the next', async () => {
    const w = world();
    await w.sync();
    await w.watch();
    const { customerId, dealId } = prospectWithOpenDeal(w);
    w.crm.now += 30_000;
    closeWonInCrm(w, dealId, 200);
    await w.store.acquireLock(INSTALLATION, 'elsewhere:1:run', 60_000);
    expect(await w.watch()).toMatchObject({ status: 'locked', pullRequests: 0 });
    await w.store.releaseLock(INSTALLATION, 'elsewhere:1:run');
    w.crm.now += 30_000;
    expect(await w.watch()).toMatchObject({ status: 'rescored', touched: 1 });
    expect(w.values().get(customerId)?.stage).toBe('purchase');
  });

  it('a contact touched without a change that matters: rescored, its scores stored, no run recorded', async () => {
    const w = world();
    await w.sync();
    await w.watch();
    const runs = (await w.store.listRuns(INSTALLATION, 50)).length;
    const [id] = [...w.crm.customers.keys()].sort();
    const contact = w.crm.customers.get(id);
    if (!contact) throw new Error('no contact');
    w.crm.now += 30_000;
    contact.modifiedAt = w.crm.tick(); // someone edited a field the plugin does not read
    const cycle = await w.watch();
    expect(cycle).toMatchObject({ status: 'rescored', touched: 1, rescore: { status: 'scored', customers: 1 } });
    expect((await w.store.listRuns(INSTALLATION, 50)).length).toBe(runs);
  });

  it('a run whose start falls inside a watch cycle waits for the cycle instead of being refused', async () => {
    const w = world();
    await w.sync();
    const cycle = await acquireLease(w.store, INSTALLATION, 60_000, {}, { watch: true });
    setTimeout(() => void cycle.release(), 600);
    const run = await w.sync();
    expect(run.status).toBe('succeeded');
  });
});
