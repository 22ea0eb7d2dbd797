/**
 * Rescoring a few customers between runs (src/sync/rescore.ts): nothing written when nothing changed; a
 * deal closed won moves its customer only, audited as a `rescore` run that can be rolled back; the next
 * run agrees with what was written; a run holding the lease defers the rescore, and the ids wait.
 */
import { describe, expect, it } from 'vitest';
import type { FieldKey } from '../../connectors/contract/index.ts';
import { allAudit, allCustomers } from '../storeReads.ts';
import { INSTALLATION, STORE_KINDS, TODAY, type World, worldsClosedAfterEach } from './harness.ts';

/** A customer with one open deal and no purchase (a prospect in consideration), and that deal. */
function prospectWithOpenDeal(w: World): { customerId: string; dealId: string } {
  for (const deal of [...w.crm.deals.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (deal.status !== 'open' || deal.customerIds.length !== 1) continue;
    const [customerId] = deal.customerIds;
    const others = [...w.crm.deals.values()].filter((d) => d.customerIds.includes(customerId));
    if (others.length === 1) return { customerId, dealId: deal.id };
  }
  throw new Error('the seeded base has no prospect with an open deal');
}

/** The sales rep closes the deal won today; the store learns of it (as the watch's pull or a webhook refresh does). */
async function closeWon(w: World, dealId: string, amount: number): Promise<void> {
  const deal = w.crm.deals.get(dealId);
  if (!deal) throw new Error(`no deal ${dealId}`);
  Object.assign(deal, { status: 'won', amount, closeDay: TODAY, modifiedAt: w.crm.tick() });
  await w.store.upsertDeals(INSTALLATION, [{ recordId: deal.id, customerIds: [...deal.customerIds], status: 'won', amount, closeDay: TODAY, modifiedAt: deal.modifiedAt }]);
}

describe.each(STORE_KINDS)('rescoring a few customers, on the %s store', (kind) => {
  const world = worldsClosedAfterEach(kind);

  it('writes nothing after a run when nothing changed, and records no write', async () => {
    const w = world();
    await w.sync();
    const ids = (await allCustomers(w.store, INSTALLATION)).map((c) => c.recordId).slice(0, 20);
    const before = w.values();
    const outcome = await w.rescore(ids);
    expect(outcome).toMatchObject({ status: 'done', summary: { kind: 'rescore', status: 'succeeded', classified: 20, changed: 0, written: 0, requests: 0 } });
    expect(w.differing(before)).toEqual([]);
  });

  it('a deal closed won: its contact gets stage, LTV, churn risk and CLV, nobody else; the next run agrees; rollback restores', async () => {
    const w = world();
    await w.sync();
    const { customerId, dealId } = prospectWithOpenDeal(w);
    const before = w.values();
    expect(before.get(customerId)).toMatchObject({ stage: 'consideration', ltv: '0', churnRisk: null, predictedClv: null });
    await closeWon(w, dealId, 480);
    const everyone = (await allCustomers(w.store, INSTALLATION)).map((c) => c.recordId);
    const scoresOf = async () => new Map(await Promise.all(everyone.map(async (id) => [id, (await w.store.getCustomer(INSTALLATION, id))?.scores] as const)));
    const scoresBefore = await scoresOf();
    const outcome = await w.rescore([customerId]);
    if (outcome.status !== 'done') throw new Error(`not rescored: ${JSON.stringify(outcome)}`);
    expect(outcome.summary).toMatchObject({ kind: 'rescore', status: 'succeeded', written: 1, failed: 0 });
    expect(w.differing(before)).toEqual([customerId]);
    const now = w.values().get(customerId);
    expect(now).toMatchObject({ stage: 'purchase', ltv: '480' });
    expect(['top', 'middle', 'bottom']).toContain(now?.valueTier);
    expect(Number(now?.churnRisk)).toBeGreaterThanOrEqual(0);
    expect(Number(now?.predictedClv)).toBeGreaterThan(0);
    const written = new Set((await allAudit(w.store, outcome.summary.runId)).map((e) => e.field));
    for (const field of ['stage', 'ltv', 'churnRisk', 'predictedClv'] as FieldKey[]) expect(written, field).toContain(field);
    // What explain and the page read: the new scores, the list's row.
    const stored = await w.store.getCustomer(INSTALLATION, customerId);
    expect(stored?.scores?.values).toMatchObject({ stage: 'purchase', ltv: '480' });
    // The others on its score page read back as they were.
    const scoresAfter = await scoresOf();
    for (const id of everyone) if (id !== customerId) expect(scoresAfter.get(id), id).toEqual(scoresBefore.get(id));
    const row = (await w.store.customerList(INSTALLATION, { sort: 'clv', order: 'desc', offset: 0, limit: 1000 })).rows.find((r) => r.recordId === customerId);
    expect(row).toMatchObject({ stage: 'purchase', ltv: 480 });
    expect((await w.store.listRuns(INSTALLATION, 5)).map((r) => r.kind)).toEqual(['rescore', 'sync']);
    // What a schedule looks at: the syncs only, however many rescores came since.
    expect((await w.store.listRuns(INSTALLATION, 5, ['sync'])).map((r) => r.kind)).toEqual(['sync']);

    // The next run (incremental, the same fit) writes nothing for that contact.
    const next = await w.sync();
    expect(next.status).toBe('succeeded');
    expect((await allAudit(w.store, next.runId)).filter((e) => e.recordId === customerId)).toEqual([]);

    // The rescore can be rolled back like a run: the contact holds its earlier values again.
    const rollback = await w.rollback(outcome.summary.runId);
    expect(rollback).toMatchObject({ status: 'succeeded', written: 1 });
    expect(w.values().get(customerId)).toEqual(before.get(customerId));
  });

  it('waits while a run holds the lease: deferred, the ids kept, rescored at the next attempt', async () => {
    const w = world();
    await w.sync();
    const { customerId, dealId } = prospectWithOpenDeal(w);
    await closeWon(w, dealId, 300);
    await w.store.acquireLock(INSTALLATION, 'elsewhere:1:run', 60_000);
    const deferred = await w.rescore([customerId]);
    expect(deferred).toMatchObject({ status: 'deferred', pending: 1 });
    expect(w.values().get(customerId)?.stage).toBe('consideration');
    await w.store.releaseLock(INSTALLATION, 'elsewhere:1:run');
    const later = await w.rescore([]);
    expect(later).toMatchObject({ status: 'done', pending: 0, summary: { written: 1 } });
    expect(w.values().get(customerId)?.stage).toBe('purchase');
    expect(await w.rescore([])).toEqual({ status: 'idle' });
  });

  it('refuses politely before any run has scored the installation (the first sync scores everyone)', async () => {
    const w = world();
    await w.ready;
    const outcome = await w.rescore(['c001']);
    expect(outcome.status).toBe('deferred');
    expect(outcome.status === 'deferred' ? outcome.reason : '').toContain('no run has scored');
  });

  it('a record the CRM refuses: reported with its id, queued to be retried first by the next run, which writes it', async () => {
    const w = world();
    await w.sync();
    const { customerId, dealId } = prospectWithOpenDeal(w);
    await closeWon(w, dealId, 90);
    w.crm.failingWrites.set(customerId, 'UNAVAILABLE');
    const outcome = await w.rescore([customerId]);
    expect(outcome).toMatchObject({ status: 'done', summary: { written: 0, failed: 1 } });
    if (outcome.status !== 'done') return;
    expect((await w.store.listRunErrors(outcome.summary.runId)).map((e) => e.recordId)).toEqual([customerId]);
    expect((await w.store.listRetries(INSTALLATION)).map((r) => r.recordId)).toEqual([customerId]);
    w.crm.failingWrites.delete(customerId);
    const next = await w.sync();
    expect(next.status).toBe('succeeded');
    expect(w.values().get(customerId)).toMatchObject({ stage: 'purchase', ltv: '90' });
    expect(await w.store.listRetries(INSTALLATION)).toEqual([]);
  });

  it('the daily share spent: the rescore stops cleanly before writing, the ids wait for the next day', async () => {
    const w = world();
    await w.sync();
    const { customerId, dealId } = prospectWithOpenDeal(w);
    await closeWon(w, dealId, 120);
    // An allowance whose plugin share (50 %) the first sync's requests already used up today.
    w.crm.dailyLimit = 2 * (await w.store.requestUsage(INSTALLATION, new Date(w.crm.now).toISOString().slice(0, 10)));
    const stopped = await w.rescore([customerId]);
    expect(stopped).toMatchObject({ status: 'done', pending: 1, summary: { status: 'stopped', written: 0, requests: 0 } });
    expect(w.values().get(customerId)?.stage).toBe('consideration');
    w.crm.now += 86_400_000;
    w.crm.usedToday = 0;
    const nextDay = await w.rescore([]);
    expect(nextDay).toMatchObject({ status: 'done', pending: 0, summary: { status: 'succeeded', written: 1 } });
  });
});
