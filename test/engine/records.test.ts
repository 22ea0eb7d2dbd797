/**
 * Records the CRM refuses or no longer has: a refused write is reported with the record's id, queued,
 * and retried first next run; a record gone from the CRM is marked deleted and not retried; a full pull
 * marks what it did not see as deleted, and the base is scored without it.
 */
import { allAudit, allCustomers } from '../storeReads.ts';
import { describe, expect, it } from 'vitest';
import { INSTALLATION, name, TODAY, worldsClosedAfterEach } from './harness.ts';

const world = worldsClosedAfterEach();

/** Records in the order a run wrote them (its audit in id order, each record once). */
/** The records in the order they were written (audit ids grow with each write). */
function writeOrder(entries: { recordId: string; id: number }[]): string[] {
  return [...new Set([...entries].sort((a, b) => a.id - b.id).map((e) => e.recordId))];
}

describe('records whose write failed', () => {
  it('are reported with their id, queued, and retried first next run; a record gone from the CRM is marked deleted and not retried', async () => {
    const w = world();
    const ids = [...w.crm.customers.keys()].sort();
    // The last records in the base's order: they would be written last unless retried first.
    const [gone, refused, refusedTwice] = ids.slice(-3);
    w.crm.failingWrites.set(refused, 'INVALID_OPTION');
    w.crm.failingWrites.set(refusedTwice, 'INVALID_OPTION');
    // Deleted in the CRM after the pull, before the writes reach it.
    w.crm.beforeRequest = (kind) => {
      if (kind === 'write') w.crm.delete(gone);
    };
    const first = await w.sync({ asOfDay: TODAY - 30 });
    w.crm.beforeRequest = null;
    expect(first).toMatchObject({ status: 'succeeded', failed: 3, written: ids.length - 3 });
    expect(first.message).toBe('3 records could not be written; they are retried first next run');
    const errors = await w.store.listRunErrors(first.runId);
    expect(errors).toHaveLength(3);
    expect(errors.find((e) => e.recordId === refused)).toMatchObject({ phase: 'write', code: 'WRITE_FAILED', message: `INVALID_OPTION: the memory CRM refused ${refused}` });
    expect(errors.find((e) => e.recordId === gone)).toMatchObject({ phase: 'write', code: 'WRITE_FAILED', message: 'RECORD_NOT_FOUND: no such record' });
    expect(await w.store.listRetries(INSTALLATION)).toEqual([
      { recordId: refused, reason: `INVALID_OPTION: the memory CRM refused ${refused}`, attempts: 1 },
      { recordId: refusedTwice, reason: `INVALID_OPTION: the memory CRM refused ${refusedTwice}`, attempts: 1 },
    ]);
    expect((await w.store.getCustomer(INSTALLATION, gone))?.deleted).toBe(true);
    expect(w.crm.customers.get(refused)?.fields).toEqual({});

    // A month later most records change; the queued ones go first. One is refused again.
    w.crm.failingWrites.delete(refused);
    const second = await w.sync({ asOfDay: TODAY });
    expect(second).toMatchObject({ status: 'succeeded', failed: 1 });
    expect(second.written).toBeGreaterThan(10);
    const order = writeOrder(await allAudit(w.store, second.runId));
    expect(order.slice(0, 2)).toEqual([refused, refusedTwice]);
    expect(order).not.toContain(gone);
    expect((await w.store.listRunErrors(second.runId)).map((e) => e.recordId)).toEqual([refusedTwice]);
    expect(await w.store.listRetries(INSTALLATION)).toEqual([expect.objectContaining({ recordId: refusedTwice, attempts: 2 })]);
    // The record written at last holds the scores the plugin computed for it.
    expect(w.connector().valuesOf(refused)).toEqual((await w.store.getCustomer(INSTALLATION, refused))?.scores?.values);

    w.crm.failingWrites.clear();
    const third = await w.sync({ asOfDay: TODAY });
    expect(third).toMatchObject({ status: 'succeeded', failed: 0, written: 1 });
    expect(writeOrder(await allAudit(w.store, third.runId))).toEqual([refusedTwice]);
    expect(await w.store.listRetries(INSTALLATION)).toEqual([]);
  });
});

describe('records the CRM’s own validation rules refuse', () => {
  it('are run errors CRM_VALIDATION, not queued first (an earlier queue entry is dropped), and written in their ordinary place once the CRM accepts them', async () => {
    const w = world();
    const ids = [...w.crm.customers.keys()].sort();
    const [ruled] = ids.slice(-1);
    w.crm.failingWrites.set(ruled, 'INVALID_OPTION');
    await w.sync({ asOfDay: TODAY - 30 });
    expect((await w.store.listRetries(INSTALLATION)).map((r) => r.recordId)).toEqual([ruled]);

    // Next time the CRM's rules refuse it: reported, counted, and no longer queued to go first.
    w.crm.failingWrites.set(ruled, 'CRM_VALIDATION');
    const refused = await w.sync({ asOfDay: TODAY });
    expect(refused).toMatchObject({ status: 'succeeded', failed: 1 });
    expect(refused.message).toBe("1 records could not be written: the CRM's validation rules refused them (see the run's errors; fix the record or the rule in the CRM)");
    expect((await w.store.getRun(refused.runId))?.stats.refused).toBe(1);
    expect(await w.store.listRunErrors(refused.runId)).toEqual([expect.objectContaining({ recordId: ruled, phase: 'write', code: 'CRM_VALIDATION', message: `CRM_VALIDATION: the memory CRM refused ${ruled}` })]);
    expect(await w.store.listRetries(INSTALLATION)).toEqual([]);

    // The admin fixes the record: the next run plans it like any other (it still differs) and writes it.
    w.crm.failingWrites.clear();
    const fixed = await w.sync({ asOfDay: TODAY, full: true });
    expect(fixed).toMatchObject({ status: 'succeeded', failed: 0 });
    expect(writeOrder(await allAudit(w.store, fixed.runId))).toContain(ruled);
    expect(w.connector().valuesOf(ruled)).toEqual((await w.store.getCustomer(INSTALLATION, ruled))?.scores?.values);
  });
});

describe('records deleted in the CRM', () => {
  it('are marked deleted by a full pull (not by an incremental one) and left out of the base', async () => {
    const w = world();
    const first = await w.sync();
    expect(first.status).toBe('succeeded');
    const ids = [...w.crm.customers.keys()].sort();
    const removed = [ids[3], ids[17]];
    for (const id of removed) w.crm.delete(id);
    // A won deal deleted from a customer with several: their lifetime value drops by its amount.
    const wonOf = (id: string) => [...w.crm.deals.values()].filter((d) => d.status === 'won' && d.customerIds.includes(id));
    const buyer = ids.find((id) => !removed.includes(id) && wonOf(id).length >= 3) ?? '';
    const [lostDeal, ...kept] = wonOf(buyer);
    w.crm.deals.delete(lostDeal.id);

    const incremental = await w.sync();
    expect(incremental).toMatchObject({ status: 'succeeded', mode: 'incremental', classified: ids.length });
    for (const id of removed) expect((await w.store.getCustomer(INSTALLATION, id))?.deleted).toBe(false);

    const full = await w.sync({ full: true });
    expect(full).toMatchObject({ status: 'succeeded', mode: 'full', failed: 0, classified: ids.length - 2 });
    for (const id of removed) expect((await w.store.getCustomer(INSTALLATION, id))?.deleted).toBe(true);
    expect((await allCustomers(w.store, INSTALLATION)).map((c) => c.recordId)).not.toContain(removed[0]);
    expect((await w.store.dealsOf(INSTALLATION, buyer)).map((d) => d.recordId)).not.toContain(lostDeal.id);
    expect(w.crm.customers.get(buyer)?.fields[name('ltv')]).toBe(String(Math.round(kept.reduce((sum, d) => sum + (d.amount ?? 0), 0))));
    expect((await allAudit(w.store, full.runId)).filter((e) => removed.includes(e.recordId))).toEqual([]);
  });
});
