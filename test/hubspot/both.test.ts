/**
 * Contacts and companies both as customers (`hubspot.customerObject: both`) against the sandbox: the
 * account's installation scores contacts, its companion `hubspot--companies` scores companies, with the
 * same credentials; each stages its own object with LTV = the won deals associated with it, neither
 * writes the other's object, their stored customers and fits stay apart, and a second run writes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FIELD_KEYS } from '../../connectors/contract/index.ts';
import { hubspotSectionSchema } from '../../connectors/hubspot/settings.ts';
import { effectiveConfig } from '../../src/config/installationSettings.ts';
import { loadConfig } from '../../src/config/load.ts';
import { connect } from '../../src/crm.ts';
import { companionIds, installationCustomers } from '../../src/customerScopes.ts';
import { createLogger } from '../../src/log.ts';
import { chooseInstallation } from '../../src/service/chooseInstallation.ts';
import { runCli } from '../cliChild.ts';
import { engineCalls } from '../engineCalls.ts';
import { STORE_KINDS } from '../stores.ts';
import { createHarness, TEST_ENCRYPTION_KEY, type Harness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const BOTH = { hubspot: { customerObject: 'both' } };
const COMPANIES = 'hubspot--companies';

/** The total of the closed-won deals among these deal ids, straight from the sandbox. */
function wonTotal(harness: Harness, dealIds: readonly string[]): { count: number; total: number } {
  let total = 0;
  let count = 0;
  for (const dealId of dealIds) {
    const deal = harness.sandbox.data.getDeal(dealId)?.properties ?? {};
    if (deal.dealstage !== 'closedwon') continue;
    count++;
    total += Number(deal.amount);
  }
  return { count, total };
}

/** The companion installation's engine calls: a fresh connector for `hubspot--companies`, as a new process would. */
function companiesCalls(harness: Harness) {
  const log = createLogger({ level: 'warn' });
  return engineCalls({ store: harness.store, config: harness.config, log, connector: () => connect({ config: harness.config, env: harness.env, store: harness.store, crm: 'hubspot', installationId: COMPANIES, log }) });
}

const updateRoutes = (harness: Harness): string[] => Object.keys(harness.sandbox.stats.byRoute).filter((k) => k.includes('/batch/update'));

describe('HubSpot contacts and companies both as customers', () => {
  it.each(STORE_KINDS)('each object is staged by its own installation with the won deals associated with it; a second run of each writes nothing (%s store)', async (store) => {
    h = await createHarness({ dataset: { contacts: 150 }, b2b: true, config: BOTH, store });
    const data = h.sandbox.data;
    // Populations that differ: a company won a deal none of its contacts is on, and a contact with no
    // company bought on its own (HubSpot associates a deal with contacts and companies independently).
    const aCompany = data.companyIds()[0];
    const companyOnly = data.createDeal({ dealname: 'Account renewal', amount: '777.00', pipeline: 'default', dealstage: 'closedwon', closedate: new Date(Date.now() - 5 * 86_400_000).toISOString() }, [], [aCompany]);
    const loner = data.createContact({ email: 'solo.buyer@example.com', firstname: 'Solo', lastname: 'Buyer' });
    data.createDeal({ dealname: 'Personal plan', amount: '120.00', pipeline: 'default', dealstage: 'closedwon', closedate: new Date(Date.now() - 9 * 86_400_000).toISOString() }, [loner], []);

    // The account's installation scores contacts; its companion the companies, with the same token.
    expect(installationCustomers('hubspot', h.config.connectors.hubspot, 'hubspot')).toMatchObject({ key: 'contacts', companionIds: [COMPANIES] });
    const contacts = await h.sync();
    expect(contacts).toMatchObject({ status: 'succeeded', mode: 'full', failed: 0 });
    expect(contacts.pulled.customers).toBe(151);
    expect(contacts.written).toBe(151);
    expect(updateRoutes(h)).toEqual(['POST /crm/objects/2026-09/contacts/batch/update']);
    expect(data.getProperty('contacts', 'lcs_stage')?.groupName).toBe('lifecycle_sync');
    expect(data.getProperty('companies', 'lcs_stage')).toBeUndefined();
    // Connecting the account's installation records its companion, which a command can then name.
    expect((await h.store.getInstallation(COMPANIES))?.name).toMatch(/^HubSpot \(.+\) · companies$/);
    expect(await chooseInstallation(h.store, h.config, h.env, { installation: COMPANIES })).toMatchObject({ installationId: COMPANIES, crm: 'hubspot' });
    // Unnamed, a command still means the account's own installation (contacts), never its companion.
    expect((await chooseInstallation(h.store, h.config, h.env, {})).installationId).toBe('hubspot');

    h.sandbox.stats.reset();
    const companies = companiesCalls(h);
    const first = await companies.sync();
    expect(first).toMatchObject({ status: 'succeeded', mode: 'full', failed: 0 });
    expect(first.pulled.customers).toBe(150);
    expect(first.written).toBe(150);
    expect(first.fields?.created.map((f) => f.name)).toContain('lcs_stage');
    expect(data.getProperty('companies', 'lcs_ltv')?.type).toBe('number');
    expect(updateRoutes(h)).toEqual(['POST /crm/objects/2026-09/companies/batch/update']);

    // Each object's LTV is the sum of the won deals associated with it, its own population's.
    const contactValues = h.crmValues('contacts');
    const companyValues = h.crmValues('companies');
    let buyingCompanies = 0;
    for (const [id, v] of companyValues) {
      const won = wonTotal(h, data.dealIdsOfCompany(id));
      expect(Number(v.lcs_ltv), `LTV of company ${id}`).toBe(Math.round(won.total));
      if (won.count > 0) {
        buyingCompanies++;
        expect(v.lcs_stage, `company ${id} has bought`).not.toMatch(/^(awareness|consideration)$/);
      }
    }
    expect(buyingCompanies).toBeGreaterThan(20);
    for (const [id, v] of contactValues) expect(Number(v.lcs_ltv), `LTV of contact ${id}`).toBe(Math.round(wonTotal(h, data.dealIdsOf(id)).total));
    expect(data.dealIdsOfCompany(aCompany)).toContain(companyOnly);
    expect(Number(contactValues.get(loner)?.lcs_ltv)).toBe(120);

    // The store keeps the two populations apart, each under its own installation.
    expect(await h.store.getCustomer('hubspot', aCompany)).toBeNull();
    expect(await h.store.getCustomer(COMPANIES, loner)).toBeNull();
    expect(await h.store.getCustomer(COMPANIES, aCompany)).not.toBeNull();
    expect(await h.store.getCustomer('hubspot', loner)).not.toBeNull();
    const runs = await h.store.listRuns(COMPANIES, 10);
    expect(runs.map((r) => r.id)).toEqual([first.runId]);
    // The daily allowance is the account's: both installations' requests count against one share.
    const today = new Date().toISOString().slice(0, 10);
    expect(await h.store.requestUsage('hubspot', today)).toBe(contacts.requests + first.requests);
    expect(await h.store.requestUsage(COMPANIES, today)).toBe(0);

    // Second runs: nothing to write on either object.
    h.sandbox.stats.reset();
    const again = await h.sync();
    const againCompanies = await companies.sync();
    for (const run of [again, againCompanies]) expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', changed: 0, written: 0, failed: 0 });
    expect(updateRoutes(h)).toEqual([]);
    expect(h.crmValues('contacts')).toEqual(contactValues);
    expect(h.crmValues('companies')).toEqual(companyValues);
  }, 90_000);

  it('the commands: setup creates the fields on both objects; sync and backtest work per object (--installation)', async () => {
    h = await createHarness({ dataset: { contacts: 40 }, b2b: true, config: BOTH });
    const data = h.sandbox.data;
    const soloCompany = data.createCompany({ name: 'Solo Ltd', domain: 'solo.example.com' });
    data.createDeal({ dealname: 'Solo order', amount: '500.00', pipeline: 'default', dealstage: 'closedwon', closedate: new Date(Date.now() - 400 * 86_400_000).toISOString() }, [], [soloCompany]);
    const cli = (args: string[]) => runCli(h!, args);

    const setup = await cli(['setup']);
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.stdout).toMatch(new RegExp(`\\n {2}${FIELD_KEYS.length} fields were created: lcs_stage`));
    expect(setup.stdout).toMatch(new RegExp(`\\n {2}companies: ${FIELD_KEYS.length} fields were created \\(installation hubspot--companies\\): lcs_stage`));
    for (const object of ['contacts', 'companies'] as const) expect(data.getProperty(object, 'lcs_churn_risk')?.type, object).toBe('number');
    const again = await cli(['setup', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: [], updated: [], companions: [{ installation: COMPANIES, created: [], updated: [] }] });

    const runs = { contacts: await cli(['sync', '--json']), companies: await cli(['sync', '--installation', COMPANIES, '--json']) };
    for (const r of Object.values(runs)) expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(runs.contacts.stdout)).toMatchObject({ status: 'succeeded', written: 40 });
    expect(JSON.parse(runs.companies.stdout)).toMatchObject({ status: 'succeeded', written: 41 });

    const buyers = (ids: string[], dealsOf: (id: string) => string[]) => ids.filter((id) => wonTotal(h!, dealsOf(id)).count > 0).length;
    const expected = { hubspot: buyers(data.contactIds(), (id) => data.dealIdsOf(id)), [COMPANIES]: buyers(data.companyIds(), (id) => data.dealIdsOfCompany(id)) };
    expect(expected[COMPANIES]).toBe(expected.hubspot + 1);
    for (const [installation, count] of Object.entries(expected)) {
      const r = await cli(['backtest', '--installation', installation, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const body = JSON.parse(r.stdout) as { installation: string; customers: number; newInHoldout: number };
      expect(body.installation).toBe(installation);
      expect(body.customers + body.newInHoldout, installation).toBe(count);
    }
  }, 120_000);

  it('with deal scoring on, the account’s installation scores the open deals and the companion leaves them alone', async () => {
    h = await createHarness({ dataset: { contacts: 20 }, b2b: true, config: { ...BOTH, sync: { deals: { enabled: true } } } });
    // An open deal of a company and its contact.
    const open = h.sandbox.data.createDeal({ dealname: 'open', amount: '5000', pipeline: 'default', dealstage: 'qualifiedtobuy', closedate: '2027-03-01T00:00:00Z' }, [h.sandbox.data.contactIds()[0]], [h.sandbox.data.companyIds()[0]]);
    const contacts = await h.sync();
    expect(contacts.status).toBe('succeeded');
    expect(contacts.deals?.written).toBeGreaterThan(0);
    expect(h.sandbox.data.getDeal(open)?.properties.lcs_win_probability).toMatch(/^\d+$/);
    // The companion's configuration, as the service and the commands give it (installationSettings.ts).
    const config = effectiveConfig(h.config, {}, COMPANIES);
    expect(config.sync.deals.enabled).toBe(false);
    const dealsBefore = new Map(h.sandbox.data.dealIds().map((id) => [id, { ...h!.sandbox.data.getDeal(id)?.properties }]));
    h.sandbox.stats.reset();
    const log = createLogger({ level: 'warn' });
    const companies = await engineCalls({ store: h.store, config, log, connector: () => connect({ config, env: h!.env, store: h!.store, crm: 'hubspot', installationId: COMPANIES, log }) }).sync();
    expect(companies).toMatchObject({ status: 'succeeded', written: 20, failed: 0 });
    expect(companies.deals).toBeUndefined();
    expect(updateRoutes(h)).toEqual(['POST /crm/objects/2026-09/companies/batch/update']);
    for (const [id, before] of dealsBefore) expect(h.sandbox.data.getDeal(id)?.properties, `deal ${id}`).toEqual(before);
  }, 60_000);

  it('installations add records the companion, which syncs with the account’s stored credentials; remove takes both', async () => {
    h = await createHarness({ dataset: { contacts: 20 }, b2b: true, config: BOTH });
    const target = (env: Record<string, string>) => ({ env: { ...h!.env, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, ...env }, configPath: h!.configPath });
    const added = await runCli(target({}), ['installations', 'add', '--crm', 'hubspot', '--name', 'Client', '--json']);
    expect(added.code, added.stderr).toBe(0);
    const { id, companions } = JSON.parse(added.stdout) as { id: string; companions: string[] };
    expect(companions).toEqual([`${id}--companies`]);
    const list = async () => (JSON.parse((await runCli(target({}), ['installations', 'list', '--json'])).stdout) as { id: string; name: string; status: string }[]).filter((i) => i.id.startsWith(id));
    expect(await list()).toEqual([expect.objectContaining({ id, name: 'Client', status: 'active' }), expect.objectContaining({ id: `${id}--companies`, name: 'Client · companies', status: 'active' })]);

    // Another token in the environment: the companion connects with its account installation's stored one.
    const run = await runCli(target({ HUBSPOT_ACCESS_TOKEN: 'pat-na1-not-this-portal-000000000000' }), ['sync', '--installation', `${id}--companies`, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'succeeded', written: 20 });
    for (const [company, v] of h.crmValues('companies')) expect(Number(v.lcs_ltv), `company ${company}`).toBe(Math.round(wonTotal(h, h.sandbox.data.dealIdsOfCompany(company)).total));

    const removed = await runCli(target({}), ['installations', 'remove', id]);
    expect(removed.code, removed.stderr).toBe(0);
    expect((await list()).map((i) => i.status)).toEqual(['uninstalled', 'uninstalled']);
    expect(await h.store.getCustomer(`${id}--companies`, h.sandbox.data.companyIds()[0])).toBeNull();
  }, 90_000);

  it('a companion whose kind the setting no longer asks for is refused, naming the setting', () => {
    const section = hubspotSectionSchema.parse(loadConfig({ env: {} }).connectors.hubspot);
    expect(companionIds('hubspot', { ...section, customerObject: 'both' }, 'in_5f0c2a9e41b7d3c8')).toEqual(['in_5f0c2a9e41b7d3c8--companies']);
    expect(companionIds('hubspot', { ...section, customerObject: 'contacts' }, 'hubspot')).toEqual([]);
    expect(() => installationCustomers('hubspot', { ...section, customerObject: 'contacts' }, COMPANIES)).toThrow(/hubspot--companies scores the "companies" customers of hubspot, which the hubspot settings no longer ask for \(hubspot.customerObject\)/);
  });
});
