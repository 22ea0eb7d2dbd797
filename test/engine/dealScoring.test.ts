/**
 * Deal scoring's policy over the memory CRM's deal object (memoryDeals.ts), on both stores: the deal
 * fields created once, every open deal written and no closed one, a second run writes nothing, a dry run
 * writes and creates nothing, a deal closed since the pull is left alone without an error, and a rollback
 * empties the outputs its run wrote.
 */
import { describe, expect, it } from 'vitest';
import { DEAL_OUTPUT_KEYS, MEDDIC_ELEMENTS, type DealFieldValues } from '../../connectors/contract/index.ts';
import { DEAL_RECORD_PREFIX } from '../../src/store/types.ts';
import { allAudit } from '../storeReads.ts';
import { STORE_KINDS, type World, worldsClosedAfterEach } from './harness.ts';
import { dealFieldName } from './memoryDeals.ts';

const ON = { sync: { deals: { enabled: true } } };

function outputs(w: World): Map<string, DealFieldValues> {
  return new Map([...w.crm.deals.values()].map((d) => [d.id, { ...d.outputs }]));
}

const openIds = (w: World) => [...w.crm.deals.values()].filter((d) => d.status === 'open').map((d) => d.id);

describe.each(STORE_KINDS)('deal scoring over the memory CRM (%s store)', (kind) => {
  const world = worldsClosedAfterEach(kind);

  it('writes every open deal and no closed one, creates the deal fields once, and a second run writes nothing', async () => {
    const w = world({ customers: 60, seed: 3, config: ON });
    const open = openIds(w);
    expect(open.length).toBeGreaterThan(3);
    // One open deal fully qualified, one not at all.
    const all = w.crm.deals.get(open[0]);
    if (all) all.meddic = Object.fromEntries(MEDDIC_ELEMENTS.map((e) => [e, 'confirmed']));
    const first = await w.sync();
    expect(first.status).toBe('succeeded');
    expect(first.deals).toMatchObject({ open: open.length, written: open.length, failed: 0 });
    for (const key of DEAL_OUTPUT_KEYS) expect(w.crm.definitions.has(dealFieldName(key)), key).toBe(true);
    for (const d of w.crm.deals.values()) {
      if (d.status === 'open') expect(d.outputs?.winProbability, d.id).toMatch(/^\d+$/);
      else expect(d.outputs, d.id).toBeUndefined();
    }
    expect(Number(w.crm.deals.get(open[0])?.outputs?.meddicScore)).toBe(100);
    expect(Number(w.crm.deals.get(open[1])?.outputs?.meddicScore)).toBe(0);
    expect(Number(w.crm.deals.get(open[0])?.outputs?.winProbability)).toBeGreaterThan(Number(w.crm.deals.get(open[1])?.outputs?.winProbability));
    const audit = (await allAudit(w.store, first.runId)).filter((e) => e.recordId.startsWith(DEAL_RECORD_PREFIX));
    expect(new Set(audit.map((e) => e.recordId))).toEqual(new Set(open.map((id) => `${DEAL_RECORD_PREFIX}${id}`)));

    const before = outputs(w);
    const second = await w.sync();
    expect(second.deals).toMatchObject({ changed: 0, written: 0 });
    expect(outputs(w)).toEqual(before);
  });

  it('a dry run plans the deals but creates no deal field and writes no deal', async () => {
    const w = world({ customers: 40, seed: 5, config: ON });
    const dry = await w.sync({ dryRun: true });
    expect(dry.status).toBe('succeeded');
    expect(dry.deals?.changed).toBe(openIds(w).length);
    expect(dry.deals?.written).toBe(0);
    for (const key of DEAL_OUTPUT_KEYS) expect(w.crm.definitions.has(dealFieldName(key)), key).toBe(false);
    expect([...w.crm.deals.values()].every((d) => d.outputs === undefined)).toBe(true);
  });

  it('a deal closed between the pull and its write keeps its values, and is not an error', async () => {
    const w = world({ customers: 40, seed: 7, config: ON });
    const [target] = openIds(w);
    let writes = 0;
    // The last write request of the run is the deals' (after the customers'): the deal is won just before it.
    w.crm.beforeRequest = (k) => {
      if (k !== 'write') return;
      writes++;
      const d = w.crm.deals.get(target);
      if (d && writes > Math.ceil(w.crm.customers.size / w.settings.batchSize)) d.status = 'won';
    };
    const run = await w.sync();
    w.crm.beforeRequest = null;
    expect(run.status).toBe('succeeded');
    expect(run.deals).toMatchObject({ closedSincePull: 1, failed: 0 });
    expect(w.crm.deals.get(target)?.outputs).toBeUndefined();
  });

  it('a rollback empties the deal outputs its run wrote', async () => {
    const w = world({ customers: 40, seed: 9, config: ON });
    const run = await w.sync();
    expect(run.deals?.written).toBeGreaterThan(0);
    const back = await w.rollback(run.runId);
    expect(back.status).toBe('succeeded');
    for (const id of openIds(w)) for (const key of DEAL_OUTPUT_KEYS) expect(w.crm.deals.get(id)?.outputs?.[key] ?? null, `${id} ${key}`).toBeNull();
  });
});
