/**
 * The open-deal pipeline against the HubSpot sandbox over real HTTP: a sync with deal scoring stores
 * every open deal's scores (changed or not) with the deal's name and its stage's label, and the next
 * sync replaces the set (a deal closed since drops out, a new one comes in); a dry run keeps its deal
 * changes in its plan as `deal:<id>` records and stores and writes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dealPropertyNames, hubspotSettingsSchema } from '../../connectors/hubspot/settings.ts';
import { DEAL_RECORD_PREFIX } from '../../src/store/types.ts';
import { allPlan } from '../storeReads.ts';
import { STORE_KINDS, type StoreKind } from '../stores.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const ENABLED = { sync: { deals: { enabled: true } } };
const ALL = { sort: 'winProbability', order: 'desc', offset: 0, limit: 1000 } as const;

/** A base with a few open deals of different qualification beside its closed ones. */
async function harness(store: StoreKind = 'sqlite'): Promise<Harness> {
  h = await createHarness({ dataset: { contacts: 12 }, config: ENABLED, store });
  const open = { pipeline: 'default', closedate: '2027-03-01T00:00:00Z' };
  h.sandbox.data.createDeal({ ...open, dealname: 'Acme renewal', amount: '12000', dealstage: 'qualifiedtobuy' });
  h.sandbox.data.createDeal({ ...open, dealname: 'Globex pilot', amount: '800', dealstage: 'presentationscheduled' });
  h.sandbox.data.createDeal({ ...open, dealname: 'Initech expansion', dealstage: 'appointmentscheduled' });
  return h;
}

/** The portal's stage labels by stage id, as its pipelines API answers. */
async function stageLabels(x: Harness): Promise<Map<string, string>> {
  const res = await fetch(`${x.url}/crm/v3/pipelines/deals`, { headers: { authorization: `Bearer ${x.env.HUBSPOT_ACCESS_TOKEN ?? ''}` } });
  const json = (await res.json()) as { results: { stages: { id: string; label: string }[] }[] };
  return new Map(json.results.flatMap((p) => p.stages.map((s) => [s.id, s.label] as const)));
}

/** The open deals as the sandbox holds them, by id. */
function openDeals(x: Harness): Map<string, Record<string, string | null>> {
  return new Map(
    x.sandbox.data
      .dealIds()
      .map((id) => [id, { ...(x.sandbox.data.getDeal(id)?.properties ?? {}) }] as const)
      .filter(([, p]) => p.hs_is_closed !== 'true' && !['closedwon', 'closedlost'].includes(p.dealstage ?? '')),
  );
}

describe('the open-deal pipeline on HubSpot', () => {
  it.each(STORE_KINDS)('a sync stores every open deal\u2019s scores as written, and the next sync replaces them (%s store)', async (kind) => {
    const x = await harness(kind);
    const n = dealPropertyNames(hubspotSettingsSchema.parse(x.config.connectors.hubspot));
    const labels = await stageLabels(x);
    const first = await x.sync();
    expect(first.status).toBe('succeeded');
    const open = openDeals(x);
    expect(open.size).toBeGreaterThan(0);
    const stored = await x.store.openDeals('hubspot', ALL);
    expect(stored.total).toBe(open.size);
    expect(new Set(stored.rows.map((r) => r.dealId))).toEqual(new Set(open.keys()));
    for (const r of stored.rows) {
      const p = open.get(r.dealId) ?? {};
      // What the page shows is what the CRM now holds, and who the deal is there.
      expect(r, r.dealId).toMatchObject({ name: p.dealname, stage: labels.get(p.dealstage ?? ''), runId: first.runId });
      expect(String(r.meddicScore)).toBe(p[n.meddicScore]);
      expect(String(r.winProbability)).toBe(p[n.winProbability]);
      expect(r.biggestGap ?? '').toBe(p[n.biggestGap] ?? '');
      expect(r.nextAction).toBe(p[n.dealNextAction]);
      expect(r.amount).toBe(p.amount ? Number(p.amount) : null);
    }
    const firstPipeline = await x.store.openDealPipeline('hubspot');
    expect(firstPipeline.deals).toBe(open.size);

    // One deal closes and a new one opens: the second run (which writes only the new one) stores the open set.
    const [closing] = [...open.keys()];
    x.sandbox.data.updateDeal(closing, { dealstage: 'closedlost' });
    const added = x.sandbox.data.createDeal({ dealname: 'Brand new deal', amount: '4321', pipeline: 'default', dealstage: 'qualifiedtobuy', closedate: '2027-03-01T00:00:00Z' });
    const second = await x.sync();
    expect(second.status).toBe('succeeded');
    expect(second.deals?.written).toBeLessThan(open.size);
    const again = await x.store.openDeals('hubspot', ALL);
    expect(new Set(again.rows.map((r) => r.dealId))).toEqual(new Set([...open.keys()].filter((id) => id !== closing).concat(added)));
    expect(again.rows.every((r) => r.runId === second.runId)).toBe(true);
    expect(again.rows.find((r) => r.dealId === added)).toMatchObject({ name: 'Brand new deal', amount: 4321, stage: labels.get('qualifiedtobuy') });
  });

  it('a dry run keeps its deal changes in its plan (deal:<id>, after the customers\u2019), and stores and writes nothing', async () => {
    const x = await harness();
    const before = openDeals(x);
    const dry = await x.sync({ dryRun: true });
    expect(dry.status).toBe('succeeded');
    expect(openDeals(x)).toEqual(before);
    expect((await x.store.openDeals('hubspot', ALL)).total).toBe(0);
    const plan = await allPlan(x.store, dry.runId);
    const dealChanges = plan.filter((c) => c.recordId.startsWith(DEAL_RECORD_PREFIX));
    // Every open deal is new to scoring: each is planned, with every output but a gap it does not have.
    expect(new Set(dealChanges.map((c) => c.recordId))).toEqual(new Set([...before.keys()].map((id) => `${DEAL_RECORD_PREFIX}${id}`)));
    expect(dealChanges.every((c) => c.previous === null)).toBe(true);
    const perField: Record<string, number> = {};
    for (const c of dealChanges) perField[c.field] = (perField[c.field] ?? 0) + 1;
    expect(dry.deals).toMatchObject({ changed: before.size, written: 0, changedFields: perField });
    // The customers' changes come first, then the deals'.
    const firstDeal = plan.findIndex((c) => c.recordId.startsWith(DEAL_RECORD_PREFIX));
    expect(plan.slice(firstDeal).every((c) => c.recordId.startsWith(DEAL_RECORD_PREFIX))).toBe(true);
    expect(firstDeal).toBe(plan.length - dealChanges.length);
    // Read as records, the plan's deals are records too.
    const records = await x.store.planRecords(dry.runId, { offset: 0, limit: 100_000 });
    expect(records.filter((r) => r.recordId.startsWith(DEAL_RECORD_PREFIX))).toHaveLength(before.size);
    expect(records.filter((r) => !r.recordId.startsWith(DEAL_RECORD_PREFIX))).toHaveLength(dry.changed);
  });
});
