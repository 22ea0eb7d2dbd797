/**
 * The field policy (src/sync/fieldPolicy.ts) and the plausibility of signals, as a run applies them:
 * fields created on the first run; a field of the wrong type, or one the plugin did not create, stops the
 * run before anything is written; a changed stage label updates the field; an option no longer
 * configured is retired, never removed. A customer's implausible NPS is reported and left out of scoring.
 */
import { allCustomers } from '../storeReads.ts';
import { describe, expect, it } from 'vitest';
import { FIELD_KEYS } from '../../connectors/contract/index.ts';
import { MANAGED_MARK } from '../../src/sync/fields.ts';
import { INSTALLATION, name, TODAY, type World, worldsClosedAfterEach } from './harness.ts';

const world = worldsClosedAfterEach();

/** The kinds of requests the next runs send. */
function requestKinds(w: World): string[] {
  const kinds: string[] = [];
  w.crm.beforeRequest = (kind) => {
    kinds.push(kind);
  };
  return kinds;
}

const optionsOf = (w: World, field: string) => w.crm.definitions.get(field)?.options ?? [];

describe('the plugin\u2019s fields', () => {
  it('are created on the first run, marked as the plugin\u2019s; the next run finds them as specified and changes nothing', async () => {
    const w = world();
    const first = await w.sync();
    expect(first.fields?.created).toHaveLength(FIELD_KEYS.length);
    expect(w.crm.definitions.size).toBe(FIELD_KEYS.length);
    for (const d of w.crm.definitions.values()) expect(d.description.startsWith(MANAGED_MARK), d.name).toBe(true);
    expect(w.crm.definitions.get(name('churnRisk'))?.crmType).toBe('number');
    expect(optionsOf(w, name('stage')).map((o) => [o.value, o.label, o.active])).toEqual([
      ['awareness', 'Awareness', true],
      ['consideration', 'Consideration', true],
      ['purchase', 'First purchase', true],
      ['retention', 'Retention', true],
      ['loyalty', 'Loyalty', true],
      ['advocacy', 'Advocacy', true],
      ['at_risk', 'At risk', true],
      ['churned', 'Churned', true],
    ]);
    const kinds = requestKinds(w);
    const second = await w.sync();
    expect(second.fields).toMatchObject({ created: [], updated: [] });
    expect(second.fields?.ok).toHaveLength(FIELD_KEYS.length);
    expect(kinds.filter((k) => k === 'fields')).toEqual(['fields']);
  });

  it('a field of the wrong type, or one the plugin did not create, is a conflict before anything is created, pulled or written', async () => {
    const w = world();
    const foreign = { label: 'Stage', description: 'Our sales team\u2019s own stage', options: [], maxLength: null, decimals: null, readable: true, compatible: true };
    w.crm.definitions.set(name('stage'), { ...foreign, name: name('stage'), crmType: 'enumeration' });
    w.crm.definitions.set(name('churnRisk'), { ...foreign, name: name('churnRisk'), crmType: 'text', description: `${MANAGED_MARK} Churn risk` });
    const kinds = requestKinds(w);
    const run = await w.sync();
    expect(run.status).toBe('failed');
    expect(run.message).toMatch(/^Memory CRM fields need attention before anything is written: /);
    expect(run.message).toContain('lcs_stage exists but was not created by Lifecycle Sync; choose another fieldPrefix, or map stage to it');
    expect(run.message).toContain('lcs_churnRisk exists with type text, but churnRisk needs number');
    expect(await w.store.listRunErrors(run.runId)).toEqual([expect.objectContaining({ phase: 'setup', code: 'FIELD_CONFLICT', recordId: null })]);
    expect(kinds).toEqual(['fields']);
    expect([...w.crm.definitions.keys()].sort()).toEqual([name('churnRisk'), name('stage')]);
    for (const c of w.crm.customers.values()) expect(c.fields).toEqual({});
    expect(await allCustomers(w.store, INSTALLATION)).toEqual([]);
  });

  it('a changed stage label updates the field; records keep their values', async () => {
    const w = world();
    await w.sync();
    const values = w.values();
    w.configure({ classifier: { stages: { loyalty: { label: 'Loyal customers' } } } });
    const run = await w.sync();
    expect(run.fields?.updated).toEqual([{ key: 'stage', name: name('stage'), change: 'option loyalty label "Loyal customers"' }]);
    expect(optionsOf(w, name('stage')).find((o) => o.value === 'loyalty')).toEqual({ value: 'loyalty', label: 'Loyal customers', active: true });
    expect(run.written).toBe(0);
    expect(w.values()).toEqual(values);
  });

  it('an option no longer configured is retired (kept, inactive), and a configured one someone deactivated is active again', async () => {
    const w = world();
    await w.sync();
    // An earlier version's option, and a configured one switched off by hand in the CRM.
    const stage = w.crm.definitions.get(name('stage'));
    if (!stage) throw new Error('no stage field');
    stage.options = [...stage.options.map((o) => (o.value === 'loyalty' ? { ...o, active: false } : o)), { value: 'winback', label: 'Win-back', active: true }];
    const run = await w.sync();
    expect(run.fields?.updated).toEqual([{ key: 'stage', name: name('stage'), change: 'reactivate option loyalty, retire option winback' }]);
    const options = optionsOf(w, name('stage'));
    expect(options.find((o) => o.value === 'winback')).toEqual({ value: 'winback', label: 'Win-back', active: false });
    expect(options.filter((o) => o.active).map((o) => o.value)).toEqual(['awareness', 'consideration', 'purchase', 'retention', 'loyalty', 'advocacy', 'at_risk', 'churned']);
    // Retired once: the next run has nothing to change.
    expect((await w.sync()).fields?.updated).toEqual([]);
  });
});

describe('signals', () => {
  it('an NPS of 15 is reported (phase pull, with the record id) and the customer is scored without it', async () => {
    const w = world();
    // Three customers with the same purchases: an NPS of 15, none, and 10 (a promoter, which does count).
    const days = [TODAY - 200, TODAY - 140, TODAY - 90, TODAY - 30];
    const twins = { odd: 'n15', none: 'n__', promoter: 'n10' };
    w.crm.addCustomer(twins.odd, { nps: 15 });
    w.crm.addCustomer(twins.none, {});
    w.crm.addCustomer(twins.promoter, { nps: 10 });
    for (const id of Object.values(twins)) for (const [i, day] of days.entries()) w.crm.addDeal({ id: `${id}-d${i}`, customerIds: [id], status: 'won', amount: 120, closeDay: day });
    const run = await w.sync();
    expect(run).toMatchObject({ status: 'succeeded', failed: 0 });
    const errors = (await w.store.listRunErrors(run.runId)).filter((e) => e.recordId === twins.odd);
    expect(errors).toEqual([expect.objectContaining({ phase: 'pull', code: 'BAD_RECORD', message: 'Memory CRM record n15: NPS 15 is not a rating from 0 to 10' })]);
    expect(run.skippedRecords).toBeGreaterThanOrEqual(1);
    expect((await w.store.getCustomer(INSTALLATION, twins.odd))?.signals.nps).toBeUndefined();
    const values = w.values();
    expect(values.get(twins.promoter)?.stage).toBe('advocacy');
    expect(values.get(twins.odd)?.stage).not.toBe('advocacy');
    expect(values.get(twins.odd)).toEqual(values.get(twins.none));
  });
});
