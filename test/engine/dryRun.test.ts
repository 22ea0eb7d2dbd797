/**
 * A dry run writes nothing and creates no field, and stores its plan (records with stage moves first);
 * the real run that follows writes exactly that plan.
 */
import { allAudit } from '../storeReads.ts';
import { allPlan } from '../storeReads.ts';
import { describe, expect, it } from 'vitest';
import { FIELD_KEYS, type FieldKey } from '../../connectors/contract/index.ts';
import { isCustomerChange, type AuditField } from '../../src/store/types.ts';
import { TODAY, type World, worldsClosedAfterEach, STORE_KINDS } from './harness.ts';

const key = (c: { recordId: string; field: AuditField; previous: string | null; next: string | null }) => JSON.stringify([c.recordId, c.field, c.previous, c.next]);

/** The real run's writes, as planned changes. */
async function written(w: World, runId: string): Promise<string[]> {
  return (await allAudit(w.store, runId))
    .filter((e) => e.state === 'applied')
    .map(key)
    .sort();
}

/** The kinds of requests a run sends. */
function requestKinds(w: World): string[] {
  const kinds: string[] = [];
  w.crm.beforeRequest = (kind) => {
    kinds.push(kind);
  };
  return kinds;
}

describe.each(STORE_KINDS)('on the %s store', (kind) => {
  const world = worldsClosedAfterEach(kind);

  describe('a dry run', () => {
    it('on a new installation creates no field and writes nothing; the real run then writes exactly its plan', async () => {
      const w = world();
      const kinds = requestKinds(w);
      const dry = await w.sync({ dryRun: true });
      w.crm.beforeRequest = null;
      expect(dry).toMatchObject({ kind: 'dry_run', status: 'succeeded', written: 0, changed: w.crm.customers.size });
      expect(dry.fields?.created).toHaveLength(FIELD_KEYS.length);
      expect(w.crm.definitions.size).toBe(0);
      expect(new Set(kinds)).toEqual(new Set(['fields', 'pull']));
      expect(kinds.filter((k) => k === 'fields')).toHaveLength(1);
      for (const c of w.crm.customers.values()) expect(c.fields).toEqual({});
      const plan = await allPlan(w.store, dry.runId);
      expect(new Set(plan.map((c) => c.recordId)).size).toBe(w.crm.customers.size);
      expect(plan.filter((c) => c.field === 'stage').every((c) => c.previous === null && c.next !== null)).toBe(true);

      const real = await w.sync();
      expect(real).toMatchObject({ kind: 'sync', status: 'succeeded', written: w.crm.customers.size, failed: 0 });
      expect(real.fields?.created).toHaveLength(FIELD_KEYS.length);
      expect(await written(w, real.runId)).toEqual(plan.map(key).sort());
    });

    it('after changes: the plan lists records with stage moves first, holds what the CRM has and what would be written; the real run writes exactly it', async () => {
      const w = world();
      await w.sync({ asOfDay: TODAY - 45 });
      const before = w.values();
      const definitions = JSON.stringify([...w.crm.definitions]);
      const kinds = requestKinds(w);
      const dry = await w.sync({ dryRun: true, asOfDay: TODAY });
      w.crm.beforeRequest = null;
      expect(dry).toMatchObject({ status: 'succeeded', written: 0 });
      expect(kinds).not.toContain('write');
      expect(w.values()).toEqual(before);
      expect(JSON.stringify([...w.crm.definitions])).toBe(definitions);

      const plan = (await allPlan(w.store, dry.runId)).filter(isCustomerChange);
      const records = [...new Set(plan.map((c) => c.recordId))];
      const moves = new Set(plan.filter((c) => c.field === 'stage').map((c) => c.recordId));
      expect(moves.size).toBeGreaterThan(0);
      expect(moves.size).toBeLessThan(records.length);
      // Stage moves first (what an admin checks before letting it write), then the other records.
      expect(records.slice(0, moves.size).every((id) => moves.has(id))).toBe(true);
      // Pages of records are the same list, in the same order.
      const paged = (await Promise.all([0, 10, 20, 30, 40, 50].map((offset) => w.store.planRecords(dry.runId, { offset, limit: 10 })))).flat();
      expect(paged.map((r) => r.recordId)).toEqual(records);
      expect(paged.flatMap((r) => r.changes)).toEqual(plan);
      // The counts reported are the plan's.
      expect(dry.changed).toBe(records.length);
      expect(Object.values(dry.stageTransitions).reduce((a, b) => a + b, 0)).toBe(moves.size);
      const perField: Partial<Record<FieldKey, number>> = {};
      for (const c of plan) perField[c.field] = (perField[c.field] ?? 0) + 1;
      expect(dry.changedFields).toEqual(perField);
      // Each change shows what the CRM holds now.
      for (const c of plan) expect(c.previous, `${c.recordId} ${c.field}`).toBe(before.get(c.recordId)?.[c.field] ?? null);

      const real = await w.sync({ asOfDay: TODAY });
      expect(real).toMatchObject({ status: 'succeeded', written: records.length, failed: 0 });
      expect(await written(w, real.runId)).toEqual(plan.map(key).sort());
      const after = w.values();
      for (const c of plan) expect(after.get(c.recordId)?.[c.field] ?? null).toBe(c.next);
    });
  });
});
