/**
 * The minimum-change policy (src/sync/values.ts, sync.minChange and sync.rounding): values are rounded,
 * a rerun with nothing new writes nothing, drifts below the thresholds are not written, and the reason
 * and scoring time go only along with a real change (or to repair one the CRM lost).
 */
import { allAudit, allCustomers } from '../storeReads.ts';
import { describe, expect, it } from 'vitest';
import type { FieldKey, FieldValues } from '../../connectors/contract/index.ts';
import { isCustomerAudit } from '../../src/store/types.ts';
import { INSTALLATION, name, TODAY, type World, worldsClosedAfterEach, STORE_KINDS } from './harness.ts';

const PRIMARY: FieldKey[] = ['stage', 'ltv', 'predictedClv', 'churnRisk', 'churnRiskBand', 'valueTier', 'expectedPurchases', 'nextAction'];
const minChange = { churnRisk: 3, money: 5, clvRelative: 0.05, expectedPurchases: 0.2 };

/** What the plugin computed for each customer in its last run (the values it wants in the CRM). */
async function computed(w: World): Promise<Map<string, FieldValues>> {
  const out = new Map<string, FieldValues>();
  for (const c of await allCustomers(w.store, INSTALLATION)) out.set(c.recordId, (await w.store.getCustomer(INSTALLATION, c.recordId))?.scores?.values ?? {});
  return out;
}

/** The fields a run wrote, per record. */
async function writes(w: World, runId: string): Promise<Map<string, FieldKey[]>> {
  const out = new Map<string, FieldKey[]>();
  for (const e of (await allAudit(w.store, runId)).filter(isCustomerAudit)) out.set(e.recordId, [...(out.get(e.recordId) ?? []), e.field]);
  return out;
}

const num = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v));

/** Whether a computed value is far enough from the CRM's to be written, by the configured thresholds. */
function farEnough(key: FieldKey, want: string | null | undefined, has: string | null | undefined): boolean {
  const [a, b] = [num(want), num(has)];
  if (a === null || b === null) return (want ?? null) !== (has ?? null);
  switch (key) {
    case 'churnRisk':
      return Math.abs(a - b) >= minChange.churnRisk;
    case 'ltv':
      return Math.abs(a - b) >= minChange.money;
    case 'predictedClv':
      return Math.abs(a - b) >= Math.max(minChange.money, minChange.clvRelative * Math.abs(b));
    case 'expectedPurchases':
      return Math.abs(a - b) >= minChange.expectedPurchases - 1e-9;
    default:
      return want !== has;
  }
}

describe.each(STORE_KINDS)('on the %s store', (kind) => {
  const world = worldsClosedAfterEach(kind);

  describe('the minimum-change policy', () => {
    it('rounds what it writes: churn risk to a whole percent, money to the unit, expected purchases to two decimals', async () => {
      const w = world();
      await w.sync();
      for (const [id, v] of w.values()) {
        for (const key of ['churnRisk', 'ltv', 'predictedClv'] as const) if (v[key] !== null) expect(v[key], `${id} ${key}`).toMatch(/^\d+$/);
        if (v.expectedPurchases !== null) expect(v.expectedPurchases, id).toMatch(/^\d+(\.\d{1,2})?$/);
      }
    });

    it('a rerun with nothing new writes nothing, and sends no write; nor does a full reconcile that refits on the same data', async () => {
      const w = world();
      await w.sync();
      const modified = [...w.crm.customers.values()].map((c) => c.modifiedAt);
      const kinds: string[] = [];
      w.crm.beforeRequest = (kind) => {
        kinds.push(kind);
      };
      const again = await w.sync();
      expect(again).toMatchObject({ status: 'succeeded', mode: 'incremental', changed: 0, written: 0 });
      const full = await w.sync({ full: true });
      expect(full).toMatchObject({ status: 'succeeded', mode: 'full', changed: 0, written: 0 });
      expect(full.model?.reused).toBe(false);
      expect(kinds).not.toContain('write');
      expect([...w.crm.customers.values()].map((c) => c.modifiedAt)).toEqual(modified);
    });

    it('drifts below the thresholds are not written; the reason and scoring time go only with a real change', async () => {
      const w = world({ config: { sync: { minChange } } });
      await w.sync({ asOfDay: TODAY - 4 });
      const before = w.values();
      const next = await w.sync({ asOfDay: TODAY });
      const wants = await computed(w);
      const written = await writes(w, next.runId);
      expect(written.size).toBeGreaterThan(0);
      expect(written.size).toBeLessThan(wants.size);

      let drifted = 0;
      let reasonsKept = 0;
      for (const [id, want] of wants) {
        const has = before.get(id) ?? {};
        const fields = written.get(id);
        if (!fields) {
          // Left as it was: every primary value is within its threshold of what the plugin computed now.
          for (const key of PRIMARY) expect(farEnough(key, want[key], has[key]), `${id} ${key}: ${want[key]} vs ${has[key]}`).toBe(false);
          if (PRIMARY.some((key) => (want[key] ?? null) !== (has[key] ?? null))) drifted++;
          // The reason (its "N % likely still active" moves daily) and the scoring time stay the earlier run's.
          if (want.stageReason !== has.stageReason) reasonsKept++;
          expect(w.values().get(id), id).toEqual(has);
          continue;
        }
        // Written: a primary field moved past its threshold, and the companions went with it.
        const primary = fields.filter((f) => PRIMARY.includes(f));
        expect(primary.length, `${id} written without a real change: ${fields.join(', ')}`).toBeGreaterThan(0);
        for (const key of primary) expect(farEnough(key, want[key], has[key]), `${id} ${key}`).toBe(true);
        expect(fields).toContain('scoredAt');
        expect(w.values().get(id)?.scoredAt).toBe(new Date(TODAY * 86_400_000).toISOString());
      }
      // The test saw what it is about: values that drifted and reasons that changed, both left alone.
      expect(drifted).toBeGreaterThan(0);
      expect(reasonsKept).toBeGreaterThan(0);
    });

    it('a reason the CRM lost is written again, and nothing else', async () => {
      const w = world();
      await w.sync();
      const id = [...w.crm.customers.keys()].sort()[5];
      const reason = w.values().get(id)?.stageReason;
      w.crm.edit(id, name('stageReason'), null);
      const next = await w.sync();
      expect(next).toMatchObject({ status: 'succeeded', written: 1 });
      expect(await writes(w, next.runId)).toEqual(new Map([[id, ['stageReason']]]));
      expect(w.values().get(id)?.stageReason).toBe(reason);
    });
  });
});
