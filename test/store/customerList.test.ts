/**
 * The customer list on both stores: what the page searches, filters, sorts and pages, as the plan phase
 * leaves it (a page of rows per span, replacing what the span held), one installation never in another's.
 */
import { describe, expect, it } from 'vitest';
import { salesforceIdSuffix, type CustomerListEntry, type CustomerListQuery } from '../../src/store/customerList.ts';
import type { Store } from '../../src/store/types.ts';
import { STORE_KINDS, storePlaces } from '../stores.ts';

function entry(recordId: string, o: Partial<CustomerListEntry> = {}): CustomerListEntry {
  return { recordId, name: null, email: null, company: null, stage: 'retention', churnRiskBand: 'low', valueTier: 'middle', clv: 100, churnRisk: 10, ltv: 200, changed: false, ...o };
}

const query = (o: Partial<CustomerListQuery> = {}): CustomerListQuery => ({ sort: 'clv', order: 'desc', offset: 0, limit: 50, ...o });
const ids = async (store: Store, o: Partial<CustomerListQuery> = {}, installation = 'i') => (await store.customerList(installation, query(o))).rows.map((r) => r.recordId);

// Salesforce ids that differ only in the case of their first 15 characters: different records.
const SF_A15 = '0035e000001aBcD';
const SF_B15 = '0035e000001AbCd';
const SF_A = SF_A15 + salesforceIdSuffix(SF_A15);
const SF_B = SF_B15 + salesforceIdSuffix(SF_B15);

const PEOPLE: CustomerListEntry[] = [
  entry('101', { name: 'Ada Lovelace', email: 'ada@example.com', company: 'Analytical Engines', stage: 'loyalty', valueTier: 'top', clv: 900, churnRisk: 5, ltv: 1500 }),
  entry('102', { name: 'Grace Hopper', email: 'grace@navy.example', company: 'COBOL 50%_Off', stage: 'at_risk', churnRiskBand: 'high', clv: 300, churnRisk: 72, ltv: 800, changed: true }),
  entry('103', { name: 'Édith Piaf', email: 'edith@example.fr', stage: 'at_risk', churnRiskBand: 'medium', valueTier: 'bottom', clv: 50, churnRisk: 45, ltv: 60 }),
  entry('104', { stage: 'awareness', churnRiskBand: null, valueTier: null, clv: null, churnRisk: null, ltv: 0 }),
  entry(SF_A, { name: 'Case One', clv: 500 }),
  entry(SF_B, { name: 'Case Two', clv: 400, changed: true }),
];

describe.each(STORE_KINDS)('the customer list on the %s store', (kind) => {
  const place = storePlaces(kind);
  const withStore = async (fn: (store: Store) => Promise<void>) => {
    const store = await (await place()).open();
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  };
  const filled = (fn: (store: Store) => Promise<void>) =>
    withStore(async (store) => {
      await store.transaction((tx) => tx.saveCustomerList('i', { after: null, through: null }, 'run1', PEOPLE));
      await fn(store);
    });

  it('lists prospects by conversion likelihood, and only them when asked; a later run clears a buyer\'s', () =>
    withStore(async (store) => {
      const people = [...PEOPLE, entry('201', { stage: 'consideration', clv: null, churnRisk: null, ltv: 0, conversionLikelihood: 12 }), entry('202', { stage: 'awareness', clv: null, churnRisk: null, ltv: 0, conversionLikelihood: 40 }), entry('203', { stage: 'awareness', clv: null, churnRisk: null, ltv: 0, conversionLikelihood: 3 })];
      await store.transaction((tx) => tx.saveCustomerList('i', { after: null, through: null }, 'run1', people));
      expect(await ids(store, { sort: 'conversionLikelihood', prospects: true })).toEqual(['202', '201', '203']);
      expect(await ids(store, { sort: 'conversionLikelihood', prospects: true, order: 'asc' })).toEqual(['203', '201', '202']);
      expect((await store.customerList('i', query({ prospects: true }))).total).toBe(3);
      // Everyone else comes after the prospects, without a figure.
      expect((await ids(store, { sort: 'conversionLikelihood' })).slice(0, 3)).toEqual(['202', '201', '203']);
      expect((await store.customerList('i', query({ search: '202' }))).rows[0]?.conversionLikelihood).toBe(40);
      // 202 bought: the next run's row has none, and the filter leaves them out.
      await store.transaction((tx) => tx.saveCustomerList('i', { after: null, through: null }, 'run2', people.map((e) => (e.recordId === '202' ? { ...e, stage: 'purchase', conversionLikelihood: null } : e))));
      expect(await ids(store, { sort: 'conversionLikelihood', prospects: true })).toEqual(['201', '203']);
      expect(await ids(store, { prospects: true }, 'other')).toEqual([]);
    }));

  it('lists everyone by CLV, largest first, customers without one last; and the other way', () =>
    filled(async (store) => {
      const page = await store.customerList('i', query());
      expect(page.total).toBe(6);
      expect(page.rows.map((r) => r.recordId)).toEqual(['101', SF_A, SF_B, '102', '103', '104']);
      expect(page.rows[0]).toEqual({
        recordId: '101', name: 'Ada Lovelace', email: 'ada@example.com', company: 'Analytical Engines', stage: 'loyalty', churnRiskBand: 'low', valueTier: 'top', clv: 900, churnRisk: 5, ltv: 1500, conversionLikelihood: null, changedInLastRun: false,
      });
      expect(await ids(store, { order: 'asc' })).toEqual(['103', '102', SF_B, SF_A, '101', '104']);
      // Ties in record order (bytes: upper case first).
      expect(await ids(store, { sort: 'churnRisk' })).toEqual(['102', '103', SF_B, SF_A, '101', '104']);
      expect(await ids(store, { sort: 'ltv', order: 'asc' })).toEqual(['104', '103', SF_B, SF_A, '102', '101']);
    }));

  it('filters by stage, band, tier and "changed in the last run", together', () =>
    filled(async (store) => {
      expect(await ids(store, { stages: ['at_risk'] })).toEqual(['102', '103']);
      expect(await ids(store, { stages: ['at_risk', 'awareness'] })).toEqual(['102', '103', '104']);
      expect(await ids(store, { churnRiskBand: 'high' })).toEqual(['102']);
      expect(await ids(store, { valueTier: 'top' })).toEqual(['101']);
      expect(await ids(store, { changedInLastRun: true })).toEqual([SF_B, '102']);
      expect(await ids(store, { stages: ['at_risk'], changedInLastRun: true })).toEqual(['102']);
      // A bar of the churn-risk histogram: 40 to 50 (below); 0 to 10 holds neither those at 10 nor those with no risk.
      expect(await ids(store, { churnRiskFrom: 40, churnRiskBelow: 50 })).toEqual(['103']);
      expect(await ids(store, { churnRiskFrom: 0, churnRiskBelow: 10 })).toEqual(['101']);
      expect(await ids(store, { churnRiskFrom: 70 })).toEqual(['102']);
      expect(await ids(store, { stages: ['at_risk'], valueTier: 'top' })).toEqual([]);
      expect((await store.customerList('i', query({ stages: ['churned'] }))).total).toBe(0);
    }));

  it('searches names, e-mails and companies as case-insensitive substrings, wildcards as themselves', () =>
    filled(async (store) => {
      expect(await ids(store, { search: 'lovelace' })).toEqual(['101']);
      expect(await ids(store, { search: '  GRACE@NAVY ' })).toEqual(['102']);
      expect(await ids(store, { search: 'engines' })).toEqual(['101']);
      expect(await ids(store, { search: 'édith' })).toEqual(['103']);
      expect(await ids(store, { search: '50%_off' })).toEqual(['102']);
      // '%' and '_' are not wildcards: "5%" is in no one's text but Grace's company.
      expect(await ids(store, { search: '%' })).toEqual(['102']);
      expect(await ids(store, { search: 'a_a' })).toEqual([]);
      expect(await ids(store, { search: 'example.', stages: ['at_risk'] })).toEqual(['103']);
    }));

  it('finds a HubSpot id as text, and a Salesforce id by its 15 or 18 characters, case-sensitive', () =>
    filled(async (store) => {
      expect(await ids(store, { search: '103' })).toEqual(['103']);
      expect(await ids(store, { search: SF_A15 })).toEqual([SF_A]);
      expect(await ids(store, { search: SF_B15 })).toEqual([SF_B]);
      expect(await ids(store, { search: SF_A })).toEqual([SF_A]);
      expect(await ids(store, { search: SF_B })).toEqual([SF_B]);
      // An 18-character id whose case was lost (a spreadsheet): its suffix says which record it is.
      expect(await ids(store, { search: SF_B.toLowerCase() })).toEqual([SF_B]);
      // Another id's case: no one, never both.
      expect(await ids(store, { search: '0035e000001abcd' })).toEqual([]);
    }));

  it('pages in a stable order, with the total of every page', () =>
    filled(async (store) => {
      const first = await store.customerList('i', query({ limit: 4 }));
      const second = await store.customerList('i', query({ limit: 4, offset: 4 }));
      expect([first.total, second.total]).toEqual([6, 6]);
      expect([...first.rows, ...second.rows].map((r) => r.recordId)).toEqual(['101', SF_A, SF_B, '102', '103', '104']);
      expect((await store.customerList('i', query({ offset: 40 }))).rows).toEqual([]);
    }));

  it('reads every row after a row in the same order (an export), ties and customers without the figure too', () =>
    filled(async (store) => {
      for (const sort of ['clv', 'churnRisk', 'ltv'] as const) {
        for (const order of ['asc', 'desc'] as const) {
          const all = await ids(store, { sort, order });
          const read: string[] = [];
          let after: CustomerListQuery['after'];
          for (;;) {
            const page = await store.customerList('i', query({ sort, order, limit: 2, after, count: false }));
            expect(page.total).toBe(-1);
            read.push(...page.rows.map((r) => r.recordId));
            const last = page.rows.at(-1);
            if (page.rows.length < 2 || !last) break;
            after = { figure: last[sort], recordId: last.recordId };
          }
          expect(read, `${sort} ${order}`).toEqual(all);
        }
      }
    }));

  it('replaces the span a page covers: customers no longer there drop out, the next run decides what changed', () =>
    withStore(async (store) => {
      await store.saveCustomerList('i', { after: null, through: 'b' }, 'run1', [entry('a'), entry('b', { changed: true })]);
      await store.saveCustomerList('i', { after: 'b', through: null }, 'run1', [entry('c'), entry('d', { changed: true })]);
      expect(await ids(store, { changedInLastRun: true, order: 'asc' })).toEqual(['b', 'd']);
      // run2: 'b' and 'd' are gone from the CRM, 'c2' is new, and 'a' changed this time.
      await store.saveCustomerList('i', { after: null, through: 'c' }, 'run2', [entry('a', { changed: true, clv: 5 }), entry('c')]);
      await store.saveCustomerList('i', { after: 'c', through: null }, 'run2', [entry('c2')]);
      expect(await ids(store, { order: 'asc' })).toEqual(['a', 'c', 'c2']);
      expect(await ids(store, { changedInLastRun: true })).toEqual(['a']);
      // A last page with no one left: the span's rows go.
      await store.saveCustomerList('i', { after: 'a', through: null }, 'run3', []);
      expect(await ids(store)).toEqual(['a']);
    }));

  it('"changed in the last run" follows the run that last wrote the list, a row as it was left as it was', () =>
    withStore(async (store) => {
      await store.saveCustomerList('i', { after: null, through: null }, 'run1', [entry('a', { changed: true }), entry('b', { changed: true })]);
      expect(await ids(store, { changedInLastRun: true, order: 'asc' })).toEqual(['a', 'b']);
      // run2: 'a' the same and not changed; 'b' changed again (its row names the new run).
      await store.saveCustomerList('i', { after: null, through: null }, 'run2', [entry('a'), entry('b', { changed: true })]);
      expect(await ids(store, { changedInLastRun: true })).toEqual(['b']);
      expect(await ids(store, { changedInLastRun: false })).toEqual(['a']);
      // run3 changes nothing: no one changed in it.
      await store.saveCustomerList('i', { after: null, through: null }, 'run3', [entry('a'), entry('b')]);
      expect((await store.customerList('i', query())).rows.map((r) => r.changedInLastRun)).toEqual([false, false]);
    }));

  it('keeps installations apart, and forgets an installation removed', () =>
    withStore(async (store) => {
      const a = (await store.addInstallation({ crm: 'hubspot', name: 'A', accountId: '1' })).installation.id;
      const b = (await store.addInstallation({ crm: 'hubspot', name: 'B', accountId: '2' })).installation.id;
      await store.saveCustomerList(a, { after: null, through: null }, 'runA', [entry('1', { name: 'Alice' })]);
      await store.saveCustomerList(b, { after: null, through: null }, 'runB', [entry('1', { name: 'Bob' }), entry('2', { name: 'Alice B' })]);
      // B's full replacement left A's rows alone.
      expect((await store.customerList(a, query())).rows.map((r) => r.name)).toEqual(['Alice']);
      expect(await ids(store, { search: 'alice' }, b)).toEqual(['2']);
      await store.removeInstallation(b);
      expect((await store.customerList(b, query())).total).toBe(0);
      expect((await store.customerList(a, query())).total).toBe(1);
    }));
});
