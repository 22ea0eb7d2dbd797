/**
 * HubSpot companies as the customers (B2B, `hubspot.customerObject: companies`) end to end against the
 * sandbox: the plugin's properties created on companies, every company with won deals staged with the sum
 * of its won deals as LTV, a second run writing nothing, contacts left alone; the same through the SDK's
 * v3/v4 clients (`legacy`); the portal's validation rules on companies; the company's record link; a
 * company read again by id (the webhooks' refresh) and rescored; the watch writing a company whose deal closed;
 * an installation switched from contacts to companies by a full sync.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PortalRule } from '../../sandboxes/hubspot/index.ts';
import type { Config } from '../../src/config/schema.ts';
import { connect } from '../../src/crm.ts';
import { createLogger } from '../../src/log.ts';
import { rescoreCustomers } from '../../src/sync/rescore.ts';
import { watchLoop, type WatchCycle } from '../../src/sync/watch.ts';
import { engineCalls } from '../engineCalls.ts';
import { until } from '../until.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness | undefined;
let stop: AbortController | undefined;
afterEach(async () => {
  stop?.abort();
  await h?.close();
  h = undefined;
});

const COMPANIES = { hubspot: { customerObject: 'companies' } };

/** A company's closed-won deals and their total amount, straight from the sandbox. */
function won(harness: Harness, companyId: string): { count: number; total: number } {
  let total = 0;
  let count = 0;
  for (const dealId of harness.sandbox.data.dealIdsOfCompany(companyId)) {
    const deal = harness.sandbox.data.getDeal(dealId)?.properties ?? {};
    if (deal.dealstage === 'closedwon') {
      count++;
      total += Number(deal.amount);
    }
  }
  return { count, total };
}

/** Every plugin property of every contact is empty: the contacts were not touched. */
function contactsUntouched(harness: Harness): void {
  for (const [id, v] of harness.crmValues('contacts')) expect(Object.values(v).every((x) => x === null), `contact ${id}`).toBe(true);
}

describe('HubSpot companies as customers', () => {
  it('setup creates the properties on companies; every company with won deals is staged with their sum as LTV; a second run writes nothing; contacts untouched', async () => {
    h = await createHarness({ dataset: { contacts: 300 }, b2b: true, config: COMPANIES });
    const companies = h.sandbox.data.companyIds();
    expect(companies.length).toBe(300);

    const run = await h.sync();
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', failed: 0 });
    expect(run.pulled.customers).toBe(300);
    expect(run.fields?.created.map((f) => f.name)).toContain('lcs_stage');
    const stage = h.sandbox.data.getProperty('companies', 'lcs_stage');
    expect(stage?.groupName).toBe('lifecycle_sync');
    expect(stage?.options?.map((o) => o.value)).toEqual(['awareness', 'consideration', 'purchase', 'retention', 'loyalty', 'advocacy', 'at_risk', 'churned']);
    expect(h.sandbox.data.getProperty('companies', 'lcs_ltv')?.type).toBe('number');
    expect(h.sandbox.data.getProperty('contacts', 'lcs_stage')).toBeUndefined();

    const values = h.crmValues('companies');
    expect(run.written).toBe(300);
    let buyers = 0;
    for (const [id, v] of values) {
      expect(v.lcs_stage, `company ${id}`).toMatch(/^(awareness|consideration|purchase|retention|loyalty|advocacy|at_risk|churned)$/);
      const deals = won(h, id);
      expect(Number(v.lcs_ltv), `LTV of company ${id}`).toBe(Math.round(deals.total));
      if (deals.count > 0) {
        buyers++;
        expect(v.lcs_stage, `company ${id} has bought`).not.toMatch(/^(awareness|consideration)$/);
        expect(v.lcs_churn_risk_band).toMatch(/^(low|medium|high)$/);
      }
    }
    expect(buyers).toBeGreaterThan(50);
    // Deals' companies through the dated associations path; writes to companies only.
    expect(h.sandbox.stats.byRoute['POST /crm/associations/2026-09/deals/companies/batch/read']).toBeGreaterThan(0);
    expect(h.sandbox.stats.byRoute['POST /crm/associations/2026-09/deals/contacts/batch/read']).toBeUndefined();
    expect(Object.keys(h.sandbox.stats.byRoute).filter((k) => k.includes('/batch/update'))).toEqual(['POST /crm/objects/2026-09/companies/batch/update']);
    contactsUntouched(h);
    // The customers stored are the companies, shown by name and domain.
    const one = await h.store.getCustomer('hubspot', companies[0]);
    const company = h.sandbox.data.getCompany(companies[0])?.properties ?? {};
    expect(one?.display).toEqual({ name: company.name, company: company.domain });

    h.sandbox.stats.reset();
    const second = await h.sync();
    expect(second).toMatchObject({ status: 'succeeded', mode: 'incremental', changed: 0, written: 0 });
    expect(Object.keys(h.sandbox.stats.byRoute).filter((k) => k.includes('/batch/update'))).toEqual([]);
    expect(h.crmValues('companies')).toEqual(values);

    // A company's won deal grows by 500: the next (incremental) run writes that company's LTV, nothing else.
    const buyer = companies.find((id) => won(h!, id).count >= 1) ?? '';
    const dealId = h.sandbox.data.dealIdsOfCompany(buyer).find((d) => h!.sandbox.data.getDeal(d)?.properties.dealstage === 'closedwon') ?? '';
    h.sandbox.data.updateDeal(dealId, { amount: (Number(h.sandbox.data.getDeal(dealId)?.properties.amount) + 500).toFixed(2) });
    const third = await h.sync();
    expect(third).toMatchObject({ status: 'succeeded', mode: 'incremental', written: 1, failed: 0 });
    const after = h.crmValues('companies');
    expect(Number(after.get(buyer)?.lcs_ltv)).toBe(Math.round(won(h, buyer).total));
    for (const [id, v] of after) if (id !== buyer) expect(v, `company ${id}`).toEqual(values.get(id));
    contactsUntouched(h);
  }, 60_000);

  it('legacy (the SDK’s v4 associations and v3 company batch update): the same LTVs', async () => {
    h = await createHarness({ dataset: { contacts: 120 }, b2b: true, config: { hubspot: { customerObject: 'companies', apiVersion: 'legacy' } } });
    const run = await h.sync();
    expect(run).toMatchObject({ status: 'succeeded', written: 120, failed: 0 });
    for (const [id, v] of h.crmValues('companies')) expect(Number(v.lcs_ltv), `company ${id}`).toBe(Math.round(won(h, id).total));
    expect(h.sandbox.stats.byRoute['POST /crm/v4/associations/deals/companies/batch/read']).toBeGreaterThan(0);
    expect(Object.keys(h.sandbox.stats.byRoute).filter((k) => k.includes('/batch/update'))).toEqual(['POST /crm/v3/objects/companies/batch/update']);
    contactsUntouched(h);
  }, 60_000);

  it('2026-09: the portal’s rule on companies refuses some; the others are written, each refusal names the company', async () => {
    const rule: PortalRule = { objectType: 'companies', required: 'phone', when: { property: 'lcs_churn_risk_band', values: ['high'] }, message: 'A company at high churn risk needs a phone number' };
    h = await createHarness({ dataset: { contacts: 300 }, b2b: true, config: COMPANIES, sandbox: { validationRules: [rule] } });
    const run = await h.sync();
    const errors = (await h.store.listRunErrors(run.runId)).filter((e) => e.phase === 'write');
    const refused = errors.flatMap((e) => (e.code === 'CRM_VALIDATION' && e.recordId !== null ? [e.recordId] : []));
    expect(refused.length).toBeGreaterThan(0);
    expect(errors.length).toBe(refused.length);
    expect(run).toMatchObject({ status: 'succeeded', failed: refused.length, written: 300 - refused.length });
    expect(errors[0].message).toBe(`CRM_VALIDATION: HubSpot's validation rules refused company ${errors[0].recordId}: A company at high churn risk needs a phone number`);
    const values = h.crmValues('companies');
    for (const id of refused) expect(values.get(id)?.lcs_stage, `refused company ${id}`).toBeNull();
  }, 60_000);

  it('the check links a company’s record (object type 0-2) and calls it a company', async () => {
    h = await createHarness({ dataset: { contacts: 10 }, b2b: true, config: COMPANIES });
    const { connector } = await h.connector();
    const verified = await connector.verify();
    if (!verified.ok) throw new Error(verified.message);
    expect(verified.recordUrl).toBe(`https://app.hubspot.com/contacts/${h.sandbox.portalId}/record/0-2/{id}`);
    expect(verified.recordLabel).toBe('company');
  });

  it('a company read again by id (the watch’s and webhooks’ refresh) with its deals; a deal closed won reaches its LTV, only it written', async () => {
    h = await createHarness({ dataset: { contacts: 200 }, b2b: true, config: COMPANIES });
    const harness = h;
    const companyId = harness.sandbox.data.createCompany({ name: 'Nora Industries', domain: 'nora.example.com' });
    const dealId = harness.sandbox.data.createDeal({ dealname: 'Nora rollout', amount: '640.00', pipeline: 'default', dealstage: 'appointmentscheduled', closedate: new Date(Date.now() + 30 * 86_400_000).toISOString() }, [], [companyId]);
    expect((await harness.sync()).status).toBe('succeeded');
    const before = harness.crmValues('companies');
    expect(before.get(companyId)?.lcs_stage).toBe('consideration');

    const { installationId, connector } = await harness.connector();
    const page = await connector.pullCustomers?.({ customerIds: [companyId], fields: ['stage'] });
    expect(page?.customers.map((c) => [c.recordId, c.display])).toEqual([[companyId, { name: 'Nora Industries', company: 'nora.example.com' }]]);
    expect(page?.deals.map((d) => [d.recordId, d.customerIds, d.status])).toEqual([[dealId, [companyId], 'open']]);

    harness.sandbox.data.updateDeal(dealId, { dealstage: 'closedwon', closedate: new Date().toISOString() });
    harness.sandbox.stats.reset();
    const outcome = await rescoreCustomers({ store: harness.store, connector, installationId, customerIds: [companyId], refresh: true, classifier: harness.config.classifier, sync: harness.config.sync, log: createLogger({ level: 'warn' }) });
    if (outcome.status !== 'done') throw new Error(`not rescored: ${JSON.stringify(outcome)}`);
    expect(outcome.summary).toMatchObject({ kind: 'rescore', status: 'succeeded', written: 1, pulled: { customers: 1, deals: 1 } });
    const after = harness.crmValues('companies');
    expect(after.get(companyId)).toMatchObject({ lcs_stage: 'purchase', lcs_ltv: '640' });
    for (const [id, v] of after) if (id !== companyId) expect(v, `company ${id}`).toEqual(before.get(id));
    expect(harness.sandbox.stats.byRoute['POST /crm/objects/2026-09/companies/batch/read']).toBeGreaterThan(0);
    contactsUntouched(harness);
  }, 60_000);

  it('the watch: a company’s open deal set to closed won is written to that company within 60 s, nobody else', async () => {
    h = await createHarness({ dataset: { contacts: 150 }, b2b: true, config: COMPANIES });
    const harness = h;
    const companyId = harness.sandbox.data.createCompany({ name: 'Watched Ltd', domain: 'watched.example.com' });
    const dealId = harness.sandbox.data.createDeal({ dealname: 'Watched deal', amount: '900.00', pipeline: 'default', dealstage: 'qualifiedtobuy', closedate: new Date(Date.now() + 20 * 86_400_000).toISOString() }, [], [companyId]);
    expect((await harness.sync()).status).toBe('succeeded');
    const before = harness.crmValues('companies');
    const { installationId, connector } = await harness.connector();
    const cycles: WatchCycle[] = [];
    stop = new AbortController();
    const loop = watchLoop({ store: harness.store, connector, installationId, classifier: harness.config.classifier, sync: harness.config.sync, log: createLogger({ level: 'warn' }), intervalSeconds: 2, signal: stop.signal, onCycle: (c) => cycles.push(c) });
    await until('a first cycle', () => Promise.resolve(cycles.length >= 1 ? true : null), 30_000);
    harness.sandbox.stats.reset();
    harness.sandbox.data.updateDeal(dealId, { dealstage: 'closedwon', closedate: new Date().toISOString() });
    const written = await until('the company written', () => Promise.resolve(harness.crmValues('companies').get(companyId)?.lcs_ltv === '900' ? harness.crmValues('companies').get(companyId) : null), 60_000);
    stop.abort();
    await loop;
    expect(written).toMatchObject({ lcs_stage: 'purchase', lcs_ltv: '900' });
    for (const [id, v] of harness.crmValues('companies')) if (id !== companyId) expect(v, `company ${id}`).toEqual(before.get(id));
    expect(harness.sandbox.stats.batchUpdateInputs).toBe(1);
    contactsUntouched(harness);
  }, 90_000);

  it('switching an installation from contacts to companies: a full sync scores the companies and drops the stored contacts; nothing more is written to contacts', async () => {
    h = await createHarness({ dataset: { contacts: 80 }, b2b: true });
    const harness = h;
    expect((await harness.sync()).written).toBe(80);
    const contactsBefore = harness.crmValues('contacts');
    const log = createLogger({ level: 'warn' });
    const config: Config = { ...harness.config, connectors: { ...harness.config.connectors, hubspot: { ...(harness.config.connectors.hubspot as Record<string, unknown>), customerObject: 'companies' } } };
    const companies = engineCalls({ store: harness.store, config, log, connector: () => connect({ config, env: harness.env, store: harness.store, crm: 'hubspot', log }) });
    harness.sandbox.stats.reset();
    const full = await companies.sync({ full: true });
    expect(full).toMatchObject({ status: 'succeeded', mode: 'full', written: 80, failed: 0 });
    expect(Object.keys(harness.sandbox.stats.byRoute).filter((k) => k.includes('/batch/update'))).toEqual(['POST /crm/objects/2026-09/companies/batch/update']);
    expect(harness.crmValues('contacts')).toEqual(contactsBefore);
    for (const [id, v] of harness.crmValues('companies')) expect(Number(v.lcs_ltv), `company ${id}`).toBe(Math.round(won(harness, id).total));
    const contactId = harness.sandbox.data.contactIds()[0];
    expect((await harness.store.getCustomer('hubspot', contactId))?.deleted ?? true).toBe(true);
    const next = await companies.sync();
    expect(next).toMatchObject({ status: 'succeeded', mode: 'incremental', written: 0 });
  }, 60_000);
});
