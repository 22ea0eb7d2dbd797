/**
 * Deal scoring in a sync against the Salesforce sandbox over real HTTP (sync.deals.enabled): the sync
 * creates the Opportunity fields, scores every open Opportunity and leaves closed ones untouched, a deal
 * with all six MEDDIC elements confirmed outscores the same deal with none, the biggest gap is never a
 * confirmed element, and a second run writes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEAL_OUTPUT_KEYS, MEDDIC_ELEMENTS, MEDDIC_INPUT_KEY } from '../../connectors/contract/index.ts';
import { dealFieldApiNames, salesforceSettingsSchema } from '../../connectors/salesforce/settings.ts';
import { DEAL_RECORD_PREFIX } from '../../src/store/types.ts';
import { allAudit } from '../storeReads.ts';
import { createSalesforceHarness, type SalesforceHarness } from './harness.ts';

let h: SalesforceHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function harness(config: Record<string, unknown>): Promise<SalesforceHarness> {
  h = await createSalesforceHarness({ contacts: 10, config });
  return h;
}

const names = (x: SalesforceHarness) => dealFieldApiNames(salesforceSettingsSchema.parse(x.config.connectors.salesforce));

/** Every Opportunity's fields, by id. */
function opportunities(x: SalesforceHarness): Map<string, Record<string, unknown>> {
  return new Map(x.sandbox.data.ids('Opportunity').map((id) => [id, { ...(x.sandbox.data.get('Opportunity', id) ?? {}) }]));
}

const isClosed = (r: Record<string, unknown>) => typeof r.StageName === 'string' && r.StageName.startsWith('Closed');

describe('Salesforce deal scoring in a sync', () => {
  it('is off by default: no Opportunity field is created', async () => {
    const x = await harness({});
    const before = opportunities(x);
    const summary = await x.sync();
    expect(summary.status).toBe('succeeded');
    expect(summary.deals).toBeUndefined();
    for (const name of Object.values(names(x))) expect(x.sandbox.data.field('Opportunity', name), name).toBeUndefined();
    expect(opportunities(x)).toEqual(before);
  });

  it('creates the Opportunity fields, scores every open deal, leaves closed ones untouched, and a second run writes nothing', async () => {
    const x = await harness({ sync: { deals: { enabled: true } } });
    const n = names(x);
    const first = await x.sync();
    expect(first.status).toBe('succeeded');
    for (const [key, name] of Object.entries(n)) expect(x.sandbox.data.field('Opportunity', name), key).toBeDefined();

    const same = { Amount: 5000, StageName: 'Qualification', CloseDate: '2027-03-01' };
    const all = x.sandbox.data.createOpportunity({ Name: 'all confirmed', ...same, ...Object.fromEntries(MEDDIC_ELEMENTS.map((e) => [n[MEDDIC_INPUT_KEY[e]], 'confirmed'])) });
    const none = x.sandbox.data.createOpportunity({ Name: 'none', ...same });
    const half = x.sandbox.data.createOpportunity({ Name: 'half', ...same, [n.meddicMetrics]: 'confirmed', [n.meddicChampion]: 'confirmed', [n.meddicEconomicBuyer]: 'identified' });
    const lost = x.sandbox.data.createOpportunity({ Name: 'lost', Amount: 900, StageName: 'Closed Lost', CloseDate: '2026-10-01', [n.meddicChampion]: 'identified' });
    const before = opportunities(x);

    const second = await x.sync();
    expect(second.status).toBe('succeeded');
    const after = opportunities(x);
    const open = [...after].filter(([, r]) => !isClosed(r));
    const closed = [...after].filter(([, r]) => isClosed(r));
    expect(open.length).toBeGreaterThanOrEqual(3);
    expect(closed.map(([id]) => id)).toContain(lost);
    const has = (v: unknown) => v !== null && v !== undefined && v !== '';
    for (const [id, r] of open) for (const key of DEAL_OUTPUT_KEYS) if (key !== 'biggestGap' || id !== all) expect(has(r[n[key]]), `${id} ${key}`).toBe(true);
    for (const [id, r] of closed) expect(r, id).toEqual(before.get(id));

    const win = (id: string) => Number(after.get(id)?.[n.winProbability]);
    const score = (id: string) => Number(after.get(id)?.[n.meddicScore]);
    expect(score(all)).toBe(100);
    expect(score(none)).toBe(0);
    expect(win(all)).toBeGreaterThan(win(none));
    expect(has(after.get(all)?.[n.biggestGap])).toBe(false);
    expect(['economicBuyer', 'decisionCriteria', 'decisionProcess', 'identifyPain']).toContain(after.get(half)?.[n.biggestGap]);

    const audit = (await allAudit(x.store, second.runId)).filter((e) => e.recordId.startsWith(DEAL_RECORD_PREFIX));
    expect(new Set(audit.map((e) => e.recordId))).toEqual(new Set([all, none, half].map((id) => `${DEAL_RECORD_PREFIX}${id}`)));
    expect(second.deals).toMatchObject({ written: 3, failed: 0 });

    const third = await x.sync();
    expect(third.deals).toMatchObject({ changed: 0, written: 0 });
    expect(opportunities(x)).toEqual(after);

    // Rollback restores the outputs the run wrote (empty before it); closed deals stay as they were.
    const rolledBack = await x.rollback(second.runId);
    expect(rolledBack.deals).toMatchObject({ changed: 3, written: 3, failed: 0 });
    const restored = opportunities(x);
    for (const id of [all, none, half]) for (const key of DEAL_OUTPUT_KEYS) expect(has(restored.get(id)?.[n[key]]), `${id} ${key}`).toBe(false);
    for (const [id] of closed) expect(restored.get(id), id).toEqual(before.get(id));
  });
});
