/**
 * The Salesforce connector's other paths against the sandbox: Bulk API 2.0 query and ingest jobs
 * (multi-page results) ending in the same state as REST, the daily allocation stopping a run cleanly
 * with its checkpoint, and a multi-currency org's amounts in the corporate currency.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSalesforceHarness } from './harness.ts';
import { harnesses } from '../syncHooks.ts';

const { open: harness, closeAll } = harnesses(createSalesforceHarness);
afterEach(closeAll);

const DAY_MS = 86_400_000;
const AS_OF_DAY = Math.floor(Date.parse('2026-11-01') / DAY_MS);

describe('Salesforce: Bulk API 2.0, quotas, currencies', () => {
  it('above the thresholds, pulls use Bulk query jobs (several result pages) and writes Bulk ingest jobs: the same end state as REST', async () => {
    const bulk = await harness({
      contacts: 400,
      sandbox: { bulk: { processingDelayMs: 30, resultPageRecords: 150 } },
      config: { salesforce: { bulkQueryThreshold: 100, bulkWriteThreshold: 100, bulkJobSize: 180 } },
    });
    const run = await bulk.sync({ asOfDay: AS_OF_DAY });
    expect(run, run.message ?? '').toMatchObject({ status: 'succeeded', written: 400, failed: 0 });
    const kinds = bulk.sandbox.stats.byKind;
    // Contacts, roles and opportunities: three query jobs, read in pages of 150; 400 changes in jobs of 180: three ingest jobs.
    expect(kinds['bulk.query.create']).toBe(3);
    expect(kinds['bulk.query.results']).toBeGreaterThan(6);
    expect(kinds['bulk.ingest.create']).toBe(3);
    expect(kinds['collections.update']).toBeUndefined();

    const rest = await harness({ contacts: 400 });
    await rest.sync({ asOfDay: AS_OF_DAY });
    expect(bulk.crmValues()).toEqual(rest.crmValues());
  });

  it('a run larger than a page of its plan still goes in Bulk jobs of the configured size, not one per page', async () => {
    const h = await harness({
      contacts: 2600,
      sandbox: { bulk: { processingDelayMs: 30 } },
      config: { salesforce: { bulkQueryThreshold: 100_000, bulkWriteThreshold: 100, bulkJobSize: 2600 } },
    });
    const run = await h.sync({ asOfDay: AS_OF_DAY });
    expect(run, run.message ?? '').toMatchObject({ status: 'succeeded', written: 2600, failed: 0 });
    expect(h.sandbox.stats.byKind['bulk.ingest.create']).toBe(1);
  });

  it("the plugin's share of the daily allocation stops a run cleanly, saying so; the next days continue from the checkpoint to a clean run's end state", async () => {
    // 30 requests a day, half of them the plugin's: a first sync of 300 contacts takes several days.
    const h = await harness({ contacts: 300, sandbox: { limits: { dailyApiRequests: 30, window: 'utcDay' } }, config: { sync: { dailyQuotaShare: 0.5 } } });
    const first = await h.sync({ asOfDay: AS_OF_DAY });
    expect(first.status).toBe('stopped');
    expect(first.message).toMatch(/share of the daily API allowance is spent \(15 of 15 requests today: 50 % of 30\)/);
    expect(first.requests).toBe(15);
    expect(h.sandbox.stats.rejected.requestLimit).toBe(0);
    const runs = [first];
    for (let day = 1; day <= 8 && runs.at(-1)?.status !== 'succeeded'; day++) {
      h.setClockOffset(day * DAY_MS);
      const run = await h.sync({ asOfDay: AS_OF_DAY, clock: () => Date.now() + day * DAY_MS });
      expect(run.requests, run.message ?? '').toBeLessThanOrEqual(15);
      runs.push(run);
    }
    expect(runs.at(-1)?.status).toBe('succeeded');
    expect(runs.length).toBeGreaterThanOrEqual(2);
    // Resumed, not restarted: the contacts were pulled once across the days.
    expect(runs.reduce((n, r) => n + r.pulled.customers, 0)).toBe(300);
    const clean = await harness({ contacts: 300 });
    await clean.sync({ asOfDay: AS_OF_DAY });
    expect(h.crmValues()).toEqual(clean.crmValues());
  });

  it("REQUEST_LIMIT_EXCEEDED from Salesforce stops the run cleanly instead of failing it", async () => {
    const h = await harness({ contacts: 100, sandbox: { faults: { rateRequestLimit: 0.2, seed: 5 } } });
    const run = await h.sync({ asOfDay: AS_OF_DAY });
    expect(run.status, run.message ?? '').toBe('stopped');
    expect(run.message).toMatch(/API request limit is reached \(.*TotalRequests Limit exceeded\./);
    expect(h.sandbox.stats.injected.requestLimit).toBe(1);
  });

  it('a multi-currency org: amounts are converted to the corporate currency with the active rates', async () => {
    const h = await harness({ contacts: 60, sandbox: { multiCurrency: { corporate: 'USD', rates: { EUR: 0.8 } } } });
    // One contact's won opportunities, all in EUR.
    const contactId = h.sandbox.data.ids('Contact').find((id) => h.sandbox.data.opportunityIdsOf(id).some((o) => h.sandbox.data.get('Opportunity', o)?.IsWon === true)) ?? '';
    let eur = 0;
    for (const o of h.sandbox.data.opportunityIdsOf(contactId)) {
      const opp = h.sandbox.data.get('Opportunity', o);
      if (opp?.IsWon !== true) continue;
      h.sandbox.data.update('Opportunity', o, { CurrencyIsoCode: 'EUR' });
      eur += Number(opp.Amount);
    }
    const run = await h.sync({ asOfDay: AS_OF_DAY });
    expect(run, run.message ?? '').toMatchObject({ status: 'succeeded', failed: 0 });
    expect(Number(h.crmValues().get(contactId)?.LCS_LTV__c)).toBe(Math.round(eur / 0.8));
  });

  it('B2B: with Accounts as the customers, the fields go on Account and an Account\'s LTV is its won Opportunities', async () => {
    const h = await harness({ contacts: 80, config: { salesforce: { customerObject: 'Account', accountFallback: false } } });
    const run = await h.sync();
    expect(run, run.message ?? '').toMatchObject({ status: 'succeeded', failed: 0 });
    expect(h.sandbox.data.field('Account', 'LCS_Stage__c')?.type).toBe('picklist');
    expect(h.sandbox.data.field('Contact', 'LCS_Stage__c')).toBeUndefined();
    const accounts = h.sandbox.data.ids('Account');
    expect(run.written).toBe(accounts.length);
    const wonByAccount = new Map<string, number>();
    for (const o of h.sandbox.data.ids('Opportunity')) {
      const opp = h.sandbox.data.get('Opportunity', o);
      if (opp?.IsWon === true && typeof opp.AccountId === 'string') wonByAccount.set(opp.AccountId, (wonByAccount.get(opp.AccountId) ?? 0) + Number(opp.Amount));
    }
    for (const id of accounts) {
      const a = h.sandbox.data.get('Account', id) ?? {};
      expect(a.LCS_Stage__c, `account ${id}`).toBeTruthy();
      expect(Number(a.LCS_LTV__c), `LTV of account ${id}`).toBe(Math.round(wonByAccount.get(id) ?? 0));
    }
  });
});
