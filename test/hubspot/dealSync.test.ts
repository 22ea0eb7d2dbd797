/**
 * Deal scoring in a sync against the HubSpot sandbox over real HTTP (sync.deals.enabled): the sync sets
 * up the deal properties, scores every open deal and leaves closed ones untouched, a deal with all six
 * MEDDIC elements confirmed outscores the same deal with none, the biggest gap is never a confirmed
 * element, a second run writes nothing, every value is audited as `deal:<id>`, a rollback restores the
 * deal outputs, and a dry run writes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEAL_OUTPUT_KEYS, FIELD_KEYS, MEDDIC_ELEMENTS, MEDDIC_INPUT_KEY } from '../../connectors/contract/index.ts';
import { dealPropertyNames, hubspotSettingsSchema } from '../../connectors/hubspot/settings.ts';
import { DEAL_RECORD_PREFIX } from '../../src/store/types.ts';
import { spawnCli } from '../cliChild.ts';
import { allAudit } from '../storeReads.ts';
import { STORE_KINDS, type StoreKind } from '../stores.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const ENABLED = { sync: { deals: { enabled: true } } };

async function harness(config: Record<string, unknown> = ENABLED, store: StoreKind = 'sqlite'): Promise<Harness> {
  h = await createHarness({ dataset: { contacts: 12 }, config, store });
  return h;
}

function names(x: Harness) {
  return dealPropertyNames(hubspotSettingsSchema.parse(x.config.connectors.hubspot));
}

async function dealPropertyList(x: Harness): Promise<Set<string>> {
  const res = await fetch(`${x.url}/crm/v3/properties/deals`, { headers: { authorization: `Bearer ${x.env.HUBSPOT_ACCESS_TOKEN ?? ''}` } });
  const json = (await res.json()) as { results: { name: string }[] };
  return new Set(json.results.map((p) => p.name));
}

const CLOSED = new Set(['closedwon', 'closedlost']);

/** Every deal's properties, by id. */
function deals(x: Harness): Map<string, Record<string, string | null>> {
  return new Map(x.sandbox.data.dealIds().map((id) => [id, { ...(x.sandbox.data.getDeal(id)?.properties ?? {}) }]));
}

describe('HubSpot deal scoring in a sync', () => {
  it('is off by default: no deal property is created and no deal is written', async () => {
    const x = await harness({});
    const before = deals(x);
    const summary = await x.sync();
    expect(summary.status).toBe('succeeded');
    expect(summary.deals).toBeUndefined();
    const props = await dealPropertyList(x);
    for (const n of Object.values(names(x))) expect(props.has(n), n).toBe(false);
    expect(deals(x)).toEqual(before);
  });

  it.each(STORE_KINDS)('creates the deal fields, scores every open deal, leaves closed ones untouched, and a second run writes nothing (%s store)', async (kind) => {
    const x = await harness(ENABLED, kind);
    const n = names(x);
    const first = await x.sync();
    expect(first.status).toBe('succeeded');
    const props = await dealPropertyList(x);
    for (const [key, name] of Object.entries(n)) expect(props.has(name), key).toBe(true);

    // Two open deals alike in everything but their MEDDIC levels, and one half qualified.
    const same = { amount: '5000', pipeline: 'default', dealstage: 'qualifiedtobuy', closedate: '2027-03-01T00:00:00Z' };
    const all = x.sandbox.data.createDeal({ dealname: 'all confirmed', ...same, ...Object.fromEntries(MEDDIC_ELEMENTS.map((e) => [n[MEDDIC_INPUT_KEY[e]], 'confirmed'])) });
    const none = x.sandbox.data.createDeal({ dealname: 'none', ...same });
    const half = x.sandbox.data.createDeal({ dealname: 'half', ...same, [n.meddicMetrics]: 'confirmed', [n.meddicChampion]: 'confirmed', [n.meddicEconomicBuyer]: 'identified' });
    const closedWon = x.sandbox.data.createDeal({ dealname: 'won', amount: '900', pipeline: 'default', dealstage: 'closedwon', closedate: '2026-10-01T00:00:00Z', [n.meddicChampion]: 'confirmed' });
    const before = deals(x);

    const second = await x.sync();
    expect(second.status).toBe('succeeded');
    const after = deals(x);
    const open = [...after].filter(([, p]) => !CLOSED.has(p.dealstage ?? ''));
    const closed = [...after].filter(([, p]) => CLOSED.has(p.dealstage ?? ''));
    expect(open.length).toBeGreaterThanOrEqual(3);
    expect(closed.length).toBeGreaterThanOrEqual(1);
    // Every open deal holds every output; every closed deal is exactly as it was.
    // (The biggest gap stays empty on a deal with every element confirmed.)
    for (const [id, p] of open) for (const key of DEAL_OUTPUT_KEYS) if (key !== 'biggestGap' || id !== all) expect(p[n[key]], `${id} ${key}`).toBeTruthy();
    for (const [id, p] of closed) expect(p, id).toEqual(before.get(id));
    expect(after.get(closedWon)?.[n.winProbability]).toBeUndefined();

    const win = (id: string) => Number(after.get(id)?.[n.winProbability]);
    const score = (id: string) => Number(after.get(id)?.[n.meddicScore]);
    expect(score(all)).toBe(100);
    expect(score(none)).toBe(0);
    expect(win(all)).toBeGreaterThan(win(none));
    // All confirmed: no gap. Otherwise the gap is an element the deal has not confirmed.
    expect(after.get(all)?.[n.biggestGap] ?? '').toBe('');
    const gap = after.get(half)?.[n.biggestGap];
    expect(['economicBuyer', 'decisionCriteria', 'decisionProcess', 'identifyPain']).toContain(gap);
    expect(after.get(half)?.[n.dealNextAction]).toBe(x.config.classifier.deals.nextActions[gap as keyof typeof x.config.classifier.deals.nextActions]);

    // Audited under deal:<id>, so a contact with the same id is never confused with it.
    const audit = (await allAudit(x.store, second.runId)).filter((e) => e.recordId.startsWith(DEAL_RECORD_PREFIX));
    expect(new Set(audit.map((e) => e.recordId))).toEqual(new Set([all, none, half].map((id) => `${DEAL_RECORD_PREFIX}${id}`)));
    expect(audit.every((e) => e.state === 'applied')).toBe(true);
    expect(second.deals).toMatchObject({ written: 3, failed: 0 });
    // The run's writes (the runs page and its CSV) read the deal records back with their outputs.
    const writes = await x.store.runWrites(second.runId, {}, { limit: 1000 });
    const allWrites = writes.find((r) => r.recordId === `${DEAL_RECORD_PREFIX}${all}`);
    expect(allWrites?.writes.find((w) => w.field === 'meddicScore')).toMatchObject({ next: '100', status: 'written' });

    // The model card: the win model's report is stored with the run's fit.
    const fit = (await x.store.latestModelFit('hubspot'))?.fit as { winModel?: { model: { basis: string } } } | undefined;
    expect(fit?.winModel?.model.basis).toMatch(/^(fitted|meddic_fallback)$/);

    const third = await x.sync();
    expect(third.deals).toMatchObject({ changed: 0, written: 0 });
    expect(deals(x)).toEqual(after);
    expect((await allAudit(x.store, third.runId)).filter((e) => e.recordId.startsWith(DEAL_RECORD_PREFIX))).toEqual([]);

    // Rollback restores the deal outputs the run wrote (empty before it) and leaves closed deals alone.
    const rolledBack = await x.rollback(second.runId);
    expect(rolledBack.status).toBe('succeeded');
    expect(rolledBack.deals).toMatchObject({ changed: 3, written: 3, failed: 0 });
    const restored = deals(x);
    for (const id of [all, none, half]) for (const key of DEAL_OUTPUT_KEYS) expect(restored.get(id)?.[n[key]] ?? '', `${id} ${key}`).toBe('');
    for (const [id] of closed) expect(restored.get(id), id).toEqual(before.get(id));
    // The first run's scores of the other open deals are untouched by rolling back the second.
    for (const [id, p] of open) if (![all, none, half].includes(id)) expect(restored.get(id), id).toEqual(p);
  });

  it('the setup command creates the deal properties beside the contact properties (a dry run first creates none)', async () => {
    const x = await harness();
    const cli = (args: string[]) => spawnCli(args, { ...x.env, LIFECYCLE_SYNC_CONFIG: x.configPath }, x.dir);
    const dry = await cli(['setup', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/11 deal fields would be created: lcs_meddic_metrics/);
    expect((await dealPropertyList(x)).has(names(x).meddicScore)).toBe(false);
    const setup = await cli(['setup', '--json']);
    expect(setup.code, setup.stderr).toBe(0);
    const report = JSON.parse(setup.stdout) as { created: unknown[]; deals: { created: { key: string }[] } };
    expect(report.created).toHaveLength(FIELD_KEYS.length);
    expect(report.deals.created.map((c) => c.key).sort()).toEqual(Object.keys(names(x)).sort());
    const props = await dealPropertyList(x);
    for (const name of Object.values(names(x))) expect(props.has(name), name).toBe(true);
  });

  it('a dry run plans the deal writes and changes nothing', async () => {
    const x = await harness();
    x.sandbox.data.createDeal({ dealname: 'open', amount: '700', pipeline: 'default', dealstage: 'qualifiedtobuy', closedate: '2027-03-01T00:00:00Z' });
    const before = deals(x);
    const summary = await x.sync({ dryRun: true });
    expect(summary.status).toBe('succeeded');
    expect(summary.deals?.changed).toBeGreaterThan(0);
    expect(summary.deals?.written).toBe(0);
    const props = await dealPropertyList(x);
    for (const name of Object.values(names(x))) expect(props.has(name), name).toBe(false);
    expect(deals(x)).toEqual(before);
  });

  it("a prospect with an open deal gets a conversion likelihood; the run's fit keeps the conversion model beside the win model", async () => {
    const x = await harness();
    const lead = x.sandbox.data.createContact({ firstname: 'Nora', lastname: 'Lead', email: 'nora.lead@example.com' });
    x.sandbox.data.createDeal({ dealname: 'Nora deal', amount: '4000', pipeline: 'default', dealstage: 'qualifiedtobuy', closedate: '2027-03-01T00:00:00Z' }, [lead]);
    const run = await x.sync();
    expect(run.status).toBe('succeeded');
    expect(x.sandbox.data.getContact(lead)?.properties.lcs_conversion_likelihood).toMatch(/^\d{1,3}$/);
    // A contact with a won deal has none.
    const buyer = x.sandbox.data.contactIds().find((id) => x.sandbox.data.dealIdsOf(id).some((d) => x.sandbox.data.getDeal(d)?.properties.dealstage === 'closedwon'));
    expect(buyer).toBeDefined();
    expect(x.sandbox.data.getContact(buyer ?? '')?.properties.lcs_conversion_likelihood ?? null).toBeNull();
    const fit = (await x.store.latestModelFit('hubspot'))?.fit as { winModel?: unknown; conversionModel?: { prospects: number; top: { recordId: string }[] } };
    expect(fit.winModel).toBeDefined();
    expect(fit.conversionModel?.prospects).toBeGreaterThanOrEqual(1);
    expect(fit.conversionModel?.top.map((t) => t.recordId)).toContain(lead);
  }, 60_000);
});
