/**
 * The customer list over HTTP: GET /api/customers (searched, filtered, sorted, paged, each row linking to
 * its record in the CRM) and GET /api/customers.csv (every matching customer, cells safe from formulas),
 * per installation: one portal's list never shows another's customers.
 */
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotSandbox, seedSyntheticDataset, type HubSpotSandbox } from '../../sandboxes/hubspot/index.ts';
import { createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

interface Row {
  recordId: string;
  name: string | null;
  email: string | null;
  company: string | null;
  stage: string | null;
  churnRiskBand: string | null;
  valueTier: string | null;
  clv: number | null;
  churnRisk: number | null;
  ltv: number | null;
  conversionLikelihood?: number | null;
  changedInLastRun: boolean;
  crmUrl: string | null;
}
interface ListBody {
  total: number;
  page: number;
  pageSize: number;
  rows: Row[];
}

let s: ServiceHarness;
let other: HubSpotSandbox;
let B = '';
let dryRunChanged = 0;
const TOKEN_B = 'pat-na1-customer-list-b-000000000000000';
const FORMULA = '=HYPERLINK("http://evil.example","x")';

async function run(installation: string, body: Record<string, unknown>): Promise<{ stats: Record<string, unknown> }> {
  const started = await s.api(`/api/installations/${installation}/sync`, { method: 'POST', body });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const done = await s.waitForRun((started.body as { runId: string }).runId);
  expect(done.status).toBe('succeeded');
  return done;
}

const list = async (query: string, prefix = '/api') => {
  const r = await s.api(`${prefix}/customers${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as ListBody;
};

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 40 } });
  const [first] = s.h.sandbox.data.contactIds();
  s.h.sandbox.data.updateContact(first ?? '', { company: FORMULA, firstname: 'Zebedee', lastname: 'Quux' });
  let offset = -3_600_000;
  other = createHubSpotSandbox({ clock: () => Date.now() + offset, privateAppTokens: [{ token: TOKEN_B }] });
  seedSyntheticDataset(other.data, { contacts: 12, seed: 77, today: new Date() });
  offset = 0;
  const url = await other.listen();
  B = (await s.h.store.addInstallation({ crm: 'hubspot', name: 'Beta portal', accountId: '2002' })).installation.id;
  await s.h.store.saveAccountEnv(B, { HUBSPOT_ACCESS_TOKEN: TOKEN_B, HUBSPOT_BASE_URL: url });
  dryRunChanged = Number((await run('hubspot', { dryRun: true })).stats.changed);
  await run(B, { dryRun: true });
}, 120_000);
afterAll(async () => {
  await s?.close();
  await other?.close();
});

describe('GET /api/customers', () => {
  it('lists every customer, largest CLV first, with who they are, the values written and the link to the record', async () => {
    const body = await list('?pageSize=200');
    const ids = s.h.sandbox.data.contactIds();
    expect(body).toMatchObject({ total: ids.length, page: 1, pageSize: 200 });
    expect(body.rows.map((r) => r.recordId).sort()).toEqual([...ids].sort());
    const clvs = body.rows.map((r) => r.clv ?? -Infinity);
    expect(clvs).toEqual([...clvs].sort((a, b) => b - a));
    for (const row of body.rows) {
      const stored = await s.h.store.getCustomer('hubspot', row.recordId);
      const values = stored?.scores?.values ?? {};
      const num = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v));
      expect(row, row.recordId).toMatchObject({
        name: stored?.display?.name ?? null,
        email: stored?.display?.email ?? null,
        stage: values.stage,
        churnRiskBand: values.churnRiskBand ?? null,
        valueTier: values.valueTier ?? null,
        clv: num(values.predictedClv),
        churnRisk: num(values.churnRisk),
        ltv: num(values.ltv),
      });
      expect(row.crmUrl).toBe(`https://app.hubspot.com/contacts/${s.h.sandbox.portalId}/record/0-1/${row.recordId}`);
    }
  });

  it('filters as the charts count: each stage and tier totals what the overview says; "changed" what the dry run planned', async () => {
    const overview = (await s.api('/api/overview')).body as { summary: { stages: Record<string, number>; valueTiers: Record<string, { customers: number }> } };
    for (const [stage, count] of Object.entries(overview.summary.stages)) {
      const body = await list(`?stage=${stage}`);
      expect(body.total, stage).toBe(count);
      expect(body.rows.every((r) => r.stage === stage)).toBe(true);
    }
    const exits = await list('?stage=at_risk,churned');
    expect(exits.total).toBe((overview.summary.stages.at_risk ?? 0) + (overview.summary.stages.churned ?? 0));
    for (const [tier, { customers }] of Object.entries(overview.summary.valueTiers)) expect((await list(`?tier=${tier}`)).total, tier).toBe(customers);
    const changed = await list('?changed=true&pageSize=200');
    expect(dryRunChanged).toBeGreaterThan(0);
    expect(changed.total).toBe(dryRunChanged);
    expect(changed.rows.every((r) => r.changedInLastRun)).toBe(true);
    const high = await list('?band=high&sort=churnRisk&order=asc&pageSize=200');
    expect(high.rows.every((r) => r.churnRiskBand === 'high')).toBe(true);
    const risks = high.rows.map((r) => r.churnRisk ?? Infinity);
    expect(risks).toEqual([...risks].sort((a, b) => a - b));
  });

  it('a bar of the churn-risk histogram lists as many customers as the bar counts', async () => {
    const overview = (await s.api('/api/overview')).body as { churnRiskHistogram: { from: number; to: number; customers: number }[] };
    expect(overview.churnRiskHistogram.length).toBe(10);
    for (const [i, bucket] of overview.churnRiskHistogram.entries()) {
      const query = i === 9 ? `?churnFrom=${i * 10}` : `?churnFrom=${i * 10}&churnTo=${i * 10 + 10}`;
      expect((await list(query)).total, query).toBe(bucket.customers);
    }
  });

  it('finds a customer by name, e-mail or id, and pages without overlap', async () => {
    const [first] = s.h.sandbox.data.contactIds();
    expect((await list('?search=zebedee%20q')).rows.map((r) => r.recordId)).toEqual([first]);
    const someone = s.h.sandbox.data.getContact(s.h.sandbox.data.contactIds()[5] ?? '');
    const email = someone?.properties.email ?? '';
    expect((await list(`?search=${encodeURIComponent(email.toUpperCase())}`)).rows.map((r) => r.email)).toEqual([email]);
    expect((await list(`?search=${first}`)).rows.map((r) => r.recordId)).toContain(first);
    const one = await list('?pageSize=15&sort=ltv');
    const two = await list('?pageSize=15&sort=ltv&page=2');
    const all = await list('?pageSize=30&sort=ltv');
    expect([...one.rows, ...two.rows].map((r) => r.recordId)).toEqual(all.rows.map((r) => r.recordId));
    expect(two).toMatchObject({ page: 2, pageSize: 15, total: all.total });
  });

  it('refuses what it does not know, naming the parameter', async () => {
    for (const [query, words] of [
      ['?stage=vip', 'query.stage.0: must be one of awareness'],
      ['?stage=at_risk,vip', 'query.stage.1: must be one of awareness'],
      ['?band=extreme', 'query.band: must be one of low, medium, high'],
      ['?tier=gold', 'query.tier: must be one of top, middle, bottom'],
      ['?sort=name', 'query.sort: must be one of clv, churnRisk, ltv'],
      ['?changed=yes', 'query.changed: must be true or false'],
      ['?pageSize=500', 'query.pageSize: must be at most 200'],
      ['?page=0', 'query.page: must be a page number from 1'],
      ['?colour=red', 'query: unknown field "colour"'],
    ] as const) {
      const r = await s.api(`/api/customers${query}`);
      expect(r.status, query).toBe(400);
      expect((r.body as { error: { message: string } }).error.message, query).toContain(words);
    }
  });
});

describe('GET /api/customers.csv', () => {
  const rows = (csv: string) => Papa.parse<string[]>(csv.trim(), { skipEmptyLines: true }).data;

  it('holds every customer the filters match (not one page), cells safe from formulas', async () => {
    const r = await s.api('/api/customers.csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="customers-hubspot.csv"');
    const [header, ...data] = rows(String(r.body));
    expect(header).toEqual(['recordId', 'name', 'email', 'company', 'stage', 'churnRiskBand', 'valueTier', 'clv', 'churnRisk', 'ltv', 'conversionLikelihood', 'changedInLastRun', 'crmUrl']);
    const listed = await list('?pageSize=200');
    expect(data.map((d) => d[0])).toEqual(listed.rows.map((row) => row.recordId));
    // A prospect's likelihood as the list shows it, empty for a buyer (the column after LTV, before changedInLastRun's yes/no).
    expect(data.map((d) => d[10])).toEqual(listed.rows.map((row) => (row.conversionLikelihood === null || row.conversionLikelihood === undefined ? '' : String(row.conversionLikelihood))));
    const [first] = s.h.sandbox.data.contactIds();
    expect(data.find((d) => d[0] === first)?.[3]).toBe(`'${FORMULA}`);
    const stage = listed.rows[0]?.stage ?? '';
    const filtered = rows(String((await s.api(`/api/customers.csv?stage=${stage}&changed=true`)).body));
    expect(filtered.length - 1).toBe((await list(`?stage=${stage}&changed=true`)).total);
    expect((await s.api('/api/customers.csv?page=2')).status).toBe(400);
  });
});

describe('per installation', () => {
  it('one portal’s list never shows another’s customers', async () => {
    const emailsB = new Set(other.data.contactIds().map((id) => other.data.getContact(id)?.properties.email));
    const emailsA = new Set(s.h.sandbox.data.contactIds().map((id) => s.h.sandbox.data.getContact(id)?.properties.email));
    const listB = await list('?pageSize=200', `/api/installations/${B}`);
    expect(listB.total).toBe(other.data.contactIds().length);
    expect(listB.rows.every((r) => emailsB.has(r.email ?? ''))).toBe(true);
    const listA = await list('?pageSize=200', '/api/installations/hubspot');
    expect(listA.rows.every((r) => emailsA.has(r.email ?? ''))).toBe(true);
    // A's customer searched through B: not there (portals number records alike, so by who it is).
    expect((await list('?search=zebedee', `/api/installations/${B}`)).total).toBe(0);
    const csvB = String((await s.api(`/api/installations/${B}/customers.csv`)).body);
    expect(csvB).not.toContain('Zebedee');
    expect(csvB.trim().split('\n').length - 1).toBe(listB.total);
    expect((await s.api('/api/installations/in_0000000000000000/customers')).status).toBe(404);
  });
});
