/**
 * Rollback: a record's fields are one statement (a stage with its reason, a churn risk with its band and
 * scoring time), so a run is rolled back record by record — restored as a whole where the CRM still
 * holds every value the run wrote to it and no value a later sync wrote to its other fields, otherwise
 * left alone as a whole and reported with what differs.
 * A rollback of an interrupted run includes the writes it had in flight, where the CRM holds them.
 */
import { allAudit } from '../storeReads.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FieldKey, FieldValues } from '../../connectors/contract/index.ts';
import { isCustomerAudit } from '../../src/store/types.ts';
import { LifecycleSyncError } from '../../src/errors.ts';
import type { SyncSummary } from '../../src/sync/engine.ts';
import { auditRecords, name, seededRandom, TODAY, trialSeeds, World, worldsClosedAfterEach, STORE_KINDS } from './harness.ts';

/** The records a run wrote, with the fields it wrote to each. */
async function fieldsWritten(w: World, runId: string): Promise<Map<string, Set<FieldKey>>> {
  const out = new Map<string, Set<FieldKey>>();
  for (const e of (await allAudit(w.store, runId)).filter(isCustomerAudit)) {
    if (e.state !== 'applied') continue;
    const fields = out.get(e.recordId) ?? new Set<FieldKey>();
    fields.add(e.field);
    out.set(e.recordId, fields);
  }
  return out;
}


/** Run 0, then A, then B five days later: rolling back A restores some records and leaves B's alone. */
async function threeRuns(w: World): Promise<string> {
  await w.sync({ asOfDay: TODAY - 60 });
  const a = await w.sync({ asOfDay: TODAY - 30 });
  await w.sync({ asOfDay: TODAY - 25 });
  return a.runId;
}

function show(value: string | null | undefined): string {
  return value === null || value === undefined ? 'empty' : `"${value}"`;
}

describe.each(STORE_KINDS)('on the %s store', (kind) => {
  const world = worldsClosedAfterEach(kind);

  describe('rolling back a run', () => {
    it('restores each record as a whole where the CRM still holds what the run wrote, and leaves records a later run rewrote whole (issue 9)', async () => {
      const w = world();
      const snapshots: Map<string, FieldValues>[] = [];
      await w.sync({ asOfDay: TODAY - 60 });
      snapshots.push(w.values());
      const a = await w.sync({ asOfDay: TODAY - 30 });
      snapshots.push(w.values());
      // B, five days later, rewrites churn risk and reason on records A wrote, some of them without moving their stage.
      const b = await w.sync({ asOfDay: TODAY - 25 });
      snapshots.push(w.values());
      const [before, afterA, afterB] = snapshots;
      const byA = await fieldsWritten(w, a.runId);
      const byB = await fieldsWritten(w, b.runId);
      const rewritten = [...byA.keys()].filter((id) => byB.has(id));
      const riskNotStage = rewritten.filter((id) => byB.get(id)?.has('churnRisk') && byB.get(id)?.has('stageReason') && !byB.get(id)?.has('stage'));
      expect(riskNotStage.length).toBeGreaterThan(0);
      const untouchedSince = [...byA.keys()].filter((id) => !byB.has(id));
      expect(untouchedSince.length).toBeGreaterThan(1);
      // And a person changes by hand the churn risk A wrote to a record B left alone.
      const edited = untouchedSince.find((id) => byA.get(id)?.has('churnRisk')) ?? '';
      expect(edited).not.toBe('');
      const byHand = afterA.get(edited)?.churnRisk === '5' ? '6' : '5';
      w.crm.edit(edited, name('churnRisk'), byHand);
      const afterEdit = w.values();

      const rollback = await w.rollback(a.runId);
      expect(rollback).toMatchObject({ kind: 'rollback', status: 'succeeded', failed: 0, written: untouchedSince.length - 1, skippedRecords: rewritten.length + 1 });
      expect(rollback.message).toBe(`${rewritten.length + 1} records changed since the run and were left alone`);
      const now = w.values();
      for (const [id, values] of now) {
        const context = `record ${id}`;
        if (id === edited || rewritten.includes(id)) expect(values, context).toEqual(afterEdit.get(id));
        else if (byA.has(id)) expect(values, context).toEqual(before.get(id));
        else expect(values, context).toEqual(afterB.get(id));
        // No record ends with fields from different runs: it is wholly as one of them left it.
        const whole = [before, afterA, afterB, afterEdit].some((s) => JSON.stringify(s.get(id)) === JSON.stringify(values));
        expect(whole, `${context} mixes fields of different runs: ${JSON.stringify(values)}`).toBe(true);
      }
      const errors = await w.store.listRunErrors(rollback.runId);
      expect(errors.map((e) => e.recordId).sort()).toEqual([...rewritten, edited].sort());
      for (const e of errors) expect(e).toMatchObject({ phase: 'rollback', code: 'CHANGED_SINCE' });
      const one = riskNotStage[0];
      const message = errors.find((e) => e.recordId === one)?.message ?? '';
      expect(message).toMatch(/^changed since the run, so the whole record was left alone: /);
      expect(message).toContain(`churnRisk now holds ${show(afterB.get(one)?.churnRisk)}, not the ${show(afterA.get(one)?.churnRisk)} the run wrote`);
      expect(message).not.toMatch(/\bstage now holds/);
      expect(errors.find((e) => e.recordId === edited)?.message).toContain(`churnRisk now holds "${byHand}", not the ${show(afterA.get(edited)?.churnRisk)} the run wrote`);
    });

    it('leaves alone a record a later run with the same as-of day wrote other fields of (its scoring time unchanged)', async () => {
      const w = world();
      await w.sync({ asOfDay: TODAY - 60 });
      const before = w.values();
      const a = await w.sync({ asOfDay: TODAY });
      const afterA = w.values();
      // New purchases move these customers' values, and with them the others' value tiers; B scores as of
      // the same day, so it writes those fields without a new scoring time (and without a reason).
      const ids = [...w.crm.customers.keys()].sort();
      for (const [i, id] of ids.slice(0, 20).entries()) w.crm.addDeal({ id: `new-${i}`, customerIds: [id], status: 'won', amount: 900, closeDay: TODAY - 3 });
      const b = await w.sync({ asOfDay: TODAY });
      const afterB = w.values();
      const byA = await fieldsWritten(w, a.runId);
      const byB = await fieldsWritten(w, b.runId);
      // Records where B wrote only fields A did not: A's values are all still there.
      const beside = [...byB].filter(([id, fields]) => byA.has(id) && [...fields].every((f) => !byA.get(id)?.has(f))).map(([id]) => id);
      expect(beside.length).toBeGreaterThan(0);

      const rollback = await w.rollback(a.runId);
      expect(rollback.status).toBe('succeeded');
      const now = w.values();
      for (const [id, values] of now) {
        const whole = [before, afterA, afterB].some((s) => JSON.stringify(s.get(id)) === JSON.stringify(values));
        expect(whole, `record ${id} mixes fields of different runs: ${JSON.stringify(values)}`).toBe(true);
      }
      for (const id of beside) expect(now.get(id), id).toEqual(afterB.get(id));
      const errors = await w.store.listRunErrors(rollback.runId);
      const one = beside[0];
      const field = [...(byB.get(one) ?? [])][0];
      expect(errors.find((e) => e.recordId === one)).toMatchObject({ phase: 'rollback', code: 'CHANGED_SINCE' });
      expect(errors.find((e) => e.recordId === one)?.message).toContain(`${field} now holds ${show(afterB.get(one)?.[field])}, written by a later run (${b.runId})`);
    });

    it('of a run killed mid-batch includes the batch the CRM took but the run never recorded', async () => {
      const w = world({ config: { sync: { writeConcurrency: 1 } } });
      await w.sync({ asOfDay: TODAY - 60 });
      const before = w.values();
      // The second batch reaches the CRM; the process dies before recording its result.
      const killed = await w.killedSync((s) => s.what === 'store.setAuditState' && s.nthOfKind === 3);
      const batch = w.settings.batchSize;
      expect(w.differing(before)).toHaveLength(2 * batch);
      await w.restart();
      const rollback = await w.rollback(killed.runId);
      expect((await w.run(killed.runId)).status).toBe('interrupted');
      expect((await auditRecords(w.store, killed.runId, 'applied')).size).toBe(batch);
      expect(rollback).toMatchObject({ status: 'succeeded', written: 2 * batch, skippedRecords: 0, failed: 0 });
      expect(await w.store.listRunErrors(rollback.runId)).toEqual([]);
      expect(w.differing(before)).toEqual([]);
    });

    it('of a run killed before a batch left leaves that batch\u2019s records alone, without reporting them', async () => {
      const w = world({ config: { sync: { writeConcurrency: 1 } } });
      await w.sync({ asOfDay: TODAY - 60 });
      const before = w.values();
      // The third batch's intents are recorded; its request never leaves.
      const killed = await w.killedSync((s) => s.what === 'crm.write' && s.nthOfKind === 3);
      const batch = w.settings.batchSize;
      expect((await allAudit(w.store, killed.runId)).filter((e) => e.state === 'pending')).not.toEqual([]);
      await w.restart();
      const rollback = await w.rollback(killed.runId);
      expect(rollback).toMatchObject({ status: 'succeeded', written: 2 * batch, skippedRecords: 0, failed: 0 });
      expect(await w.store.listRunErrors(rollback.runId)).toEqual([]);
      expect(w.differing(before)).toEqual([]);
    });
  });

  describe('a rollback that cannot start', () => {
    it('because the state file fails is refused as a rejected promise, like a sync, never by throwing at once', async () => {
      const w = world();
      const a = await w.sync();
      const broken = new Proxy(w.store, {
        get(target, property, receiver) {
          if (property === 'getRun') return () => {
            throw new LifecycleSyncError('STORE_FAILED', 'state database: disk I/O error');
          };
          return Reflect.get(target, property, receiver) as unknown;
        },
      });
      let started: Promise<SyncSummary> | null = null;
      expect(() => {
        started = w.rollback(a.runId, broken);
      }).not.toThrow();
      await expect(started).rejects.toMatchObject({ code: 'STORE_FAILED' });
    });
  });

  describe('a rollback killed at a random step, then run again (ENGINE_SEED=<seed> replays one)', () => {
    let clean: { values: Map<string, FieldValues>; steps: number; leftAlone: number };
    beforeAll(async () => {
      const w = new World();
      try {
        const rollback = await w.killedRollback(await threeRuns(w), () => false);
        clean = { values: w.values(), steps: rollback.steps.length, leftAlone: rollback.summary?.skippedRecords ?? NaN };
      } finally {
        await w.close();
      }
    });

    // Postgres runs fewer: its store calls are round trips, and the trials' policy is the same on both.
    it.each(trialSeeds(kind === 'sqlite' ? 12 : 3))('seed %i ends where a clean rollback ends', async (seed) => {
      const w = world();
      const a = await threeRuns(w);
      const at = 1 + Math.floor(seededRandom(seed)() * clean.steps);
      const killed = await w.killedRollback(a, (s) => s.n === at);
      const context = `seed ${seed} (replay: ENGINE_SEED=${seed} npx vitest run test/engine/rollback.test.ts): killed at step ${at} (${killed.killedAt?.phase ?? ''}: ${killed.killedAt?.what ?? ''})`;
      await w.restart();
      const again = await w.rollback(a);
      expect(again.status, context).toBe('succeeded');
      // Records the killed rollback restored are recognised as restored, not reported as changed.
      expect(again.skippedRecords, context).toBe(clean.leftAlone);
      expect(w.differing(clean.values), context).toEqual([]);
    });
  });
});
