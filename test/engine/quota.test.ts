/**
 * Quotas stop runs cleanly: the plugin's share of the CRM's daily allowance (sync.dailyQuotaShare, the
 * connector's `daily` quota) or the CRM's own refusal ends a run `stopped`, checkpoint kept, nothing
 * lost; the next day's run continues to the clean end state. A rollback shares the run lifecycle: a
 * quota stop is `stopped` there too, with its error row.
 */
import { allCustomers } from '../storeReads.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FieldValues } from '../../connectors/contract/index.ts';
import type { SyncSummary } from '../../src/sync/engine.ts';
import { auditRecords, cleanEndState, DAY_MS, INSTALLATION, TODAY, type World, worldsClosedAfterEach, STORE_KINDS } from './harness.ts';

let clean: Map<string, FieldValues>;
beforeAll(async () => {
  clean = await cleanEndState();
});

/** The CRM's day ends: its daily counter starts again (so does the plugin's share, counted per UTC day). */
function nextDay(w: World): void {
  w.crm.now += DAY_MS;
  w.crm.usedToday = 0;
}

describe.each(STORE_KINDS)('on the %s store', (kind) => {
  const world = worldsClosedAfterEach(kind);

  describe('the daily quota', () => {
    it('the plugin\u2019s share stops a run cleanly with its checkpoint; the same day it stops at once; the next days continue to the clean end state', async () => {
      const w = world();
      // An allowance of 40 requests a day, of which the plugin may use half: a first sync needs more.
      w.crm.dailyLimit = 40;
      const first = await w.sync();
      expect(first).toMatchObject({ status: 'stopped', requests: 20, failed: 0 });
      expect(first.message).toMatch(/share of the daily API allowance is spent \(20 of 20 requests today: 50 % of 40\); the next run continues/);
      expect((await w.run(first.runId)).status).toBe('stopped');
      expect(await w.store.listRunErrors(first.runId)).toEqual([expect.objectContaining({ recordId: null, phase: 'pull', code: 'QUOTA_SHARE_SPENT' })]);
      // The checkpoint is kept, and every page pulled before the stop is stored.
      expect(await w.store.getCursor(INSTALLATION, 'pull')).not.toBeNull();
      expect(await allCustomers(w.store, INSTALLATION)).toHaveLength(first.pulled.customers);
      expect(w.crm.usedToday).toBe(20);

      const sameDay = await w.sync();
      expect(sameDay).toMatchObject({ status: 'stopped', requests: 0 });
      expect(w.crm.usedToday).toBe(20);

      const runs: SyncSummary[] = [first, sameDay];
      while (runs[runs.length - 1].status !== 'succeeded') {
        expect(runs.length, 'a few days are enough').toBeLessThan(10);
        nextDay(w);
        const run = await w.sync();
        expect(run.status === 'succeeded' || run.status === 'stopped', run.message ?? '').toBe(true);
        expect(run.requests).toBeLessThanOrEqual(20);
        runs.push(run);
      }
      // The full pull went on from its checkpoint day after day: no page of it was asked for twice.
      const fullPull = runs.filter((r) => r.mode !== 'incremental');
      expect(fullPull.reduce((n, r) => n + r.pulled.customers, 0)).toBe(w.crm.customers.size);
      expect(fullPull.reduce((n, r) => n + r.pulled.deals, 0)).toBe(w.crm.deals.size);
      // Nothing lost, nothing written twice.
      expect(runs.reduce((n, r) => n + r.written, 0)).toBe(w.crm.customers.size);
      expect(w.differing(clean)).toEqual([]);
    });

    it('the CRM\u2019s own refusal (other integrations spent the allowance mid-run) stops the run; the next day it continues', async () => {
      // One batch at a time: with two in flight, the second's guard may see the spent allowance first and
      // stop the run in its own words before the CRM's refusal of the first is read.
      const w = world({ config: { sync: { writeConcurrency: 1 } } });
      w.crm.dailyLimit = 1000;
      w.crm.beforeRequest = (kind) => {
        if (kind === 'write' && w.crm.usedToday < 1000) w.crm.usedToday = 1000;
      };
      const first = await w.sync();
      expect(first).toMatchObject({ status: 'stopped', written: 0, failed: 0 });
      expect(first.message).toMatch(/daily allowance is spent/);
      expect(await w.store.listRunErrors(first.runId)).toEqual([expect.objectContaining({ phase: 'write', code: 'QUOTA_EXHAUSTED' })]);
      // No write was sent or recorded as applied; the intents of the refused batch are not counted as written.
      expect((await auditRecords(w.store, first.runId, 'applied')).size).toBe(0);

      w.crm.beforeRequest = null;
      nextDay(w);
      const next = await w.sync();
      expect(next).toMatchObject({ status: 'succeeded', mode: 'incremental', written: w.crm.customers.size, failed: 0 });
      expect(w.differing(clean)).toEqual([]);
    });

    it('a rollback stopped by the quota is recorded as stopped with an error row, and a later rollback finishes it', async () => {
      const w = world();
      await w.sync({ asOfDay: TODAY - 60 });
      const before = w.values();
      const run = await w.sync({ full: true });
      expect(run.written).toBeGreaterThan(3 * w.settings.batchSize);

      nextDay(w);
      // Three requests today: reading the records, then two batches.
      w.crm.dailyLimit = 6;
      const stopped = await w.rollback(run.runId);
      expect(stopped).toMatchObject({ kind: 'rollback', status: 'stopped', written: 2 * w.settings.batchSize, failed: 0 });
      expect(stopped.message).toMatch(/share of the daily API allowance is spent \(3 of 3 requests today/);
      const record = await w.run(stopped.runId);
      expect(record).toMatchObject({ kind: 'rollback', status: 'stopped', rollbackOf: run.runId });
      expect(record.finishedAt).not.toBeNull();
      expect(await w.store.listRunErrors(stopped.runId)).toEqual([expect.objectContaining({ recordId: null, phase: 'write', code: 'QUOTA_SHARE_SPENT' })]);
      // The lease was given back: the next run is not refused.
      nextDay(w);
      w.crm.dailyLimit = null;
      const finished = await w.rollback(run.runId);
      expect(finished).toMatchObject({ status: 'succeeded', failed: 0, skippedRecords: 0, written: run.written - stopped.written });
      expect(await w.store.listRunErrors(finished.runId)).toEqual([]);
      expect(w.differing(before)).toEqual([]);
    });
  });
});
