/**
 * The open-deal pipeline over HTTP: GET /api/deals/pipeline (the MEDDIC × win probability grid, the win
 * model's card, whether deal scoring is on), GET /api/deals/open (sorted, paged, each deal linking to its
 * record in the CRM) and GET /api/deals/open.csv, behind the admin token, with field-named 400s, per
 * installation: one portal's pipeline never shows another's deals.
 */
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dealPropertyNames, hubspotSettingsSchema } from '../../connectors/hubspot/settings.ts';
import { createHubSpotSandbox, seedSyntheticDataset, type HubSpotSandbox } from '../../sandboxes/hubspot/index.ts';
import { createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

interface Deal {
  dealId: string;
  name: string | null;
  stage: string | null;
  amount: number | null;
  meddicScore: number;
  winProbability: number;
  biggestGap: string | null;
  nextAction: string;
  basis: string;
  crmUrl: string | null;
}
interface DealsBody {
  total: number;
  page: number;
  pageSize: number;
  rows: Deal[];
}
interface PipelineBody {
  enabled: boolean;
  howToEnable: string | null;
  bands: number[];
  deals: number;
  amount: number;
  runId: string | null;
  cells: { meddicBand: number; winBand: number; deals: number; amount: number }[];
  winModel: { basis: string; label: string; reason: string | null; closedDeals: number; validation: { auc: number | null; aucStandardError: number | null } | null } | null;
}

const ENABLED = { sync: { deals: { enabled: true } } };
const TOKEN_B = 'pat-na1-deal-pipeline-b-0000000000000000';
const FORMULA = '=HYPERLINK("http://evil.example","x")';
const OPEN = { pipeline: 'default', closedate: '2027-03-01T00:00:00Z' };

let s: ServiceHarness;
let other: HubSpotSandbox;
let B = '';

async function sync(installation: string): Promise<void> {
  const started = await s.api(`/api/installations/${installation}/sync`, { method: 'POST', body: {} });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const done = await s.waitForRun((started.body as { runId: string }).runId);
  expect(done.status).toBe('succeeded');
}

/** The sandbox's open deals' names. */
function openNames(sandbox: HubSpotSandbox): string[] {
  return sandbox.data
    .dealIds()
    .map((id) => sandbox.data.getDeal(id)?.properties ?? {})
    .filter((p) => !['closedwon', 'closedlost'].includes(p.dealstage ?? ''))
    .map((p) => p.dealname ?? '');
}

async function get<T>(path: string): Promise<T> {
  const r = await s.api(path);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as T;
}

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 20 }, config: ENABLED });
  const a = s.h.sandbox.data;
  a.createDeal({ ...OPEN, dealname: 'Acme renewal', amount: '12000', dealstage: 'qualifiedtobuy' });
  a.createDeal({ ...OPEN, dealname: FORMULA, amount: '300', dealstage: 'presentationscheduled' });
  a.createDeal({ ...OPEN, dealname: 'No amount yet', dealstage: 'appointmentscheduled' });
  other = createHubSpotSandbox({ privateAppTokens: [{ token: TOKEN_B }] });
  seedSyntheticDataset(other.data, { contacts: 8, seed: 91, today: new Date() });
  other.data.createDeal({ ...OPEN, dealname: 'Beta only deal', amount: '777', dealstage: 'qualifiedtobuy' });
  const url = await other.listen();
  B = (await s.h.store.addInstallation({ crm: 'hubspot', name: 'Beta portal', accountId: '3003' })).installation.id;
  await s.h.store.saveAccountEnv(B, { HUBSPOT_ACCESS_TOKEN: TOKEN_B, HUBSPOT_BASE_URL: url });
  await sync('hubspot');
  await sync(B);
}, 120_000);
afterAll(async () => {
  await s?.close();
  await other?.close();
});

describe('GET /api/deals/pipeline and /api/deals/open', () => {
  it('counts every open deal in the grid and shows the win model\u2019s card from the run\u2019s fit', async () => {
    const p = await get<PipelineBody>('/api/deals/pipeline');
    const names = openNames(s.h.sandbox);
    expect(p).toMatchObject({ enabled: true, howToEnable: null, bands: [0, 20, 40, 60, 80], deals: names.length });
    expect(p.cells.reduce((n, c) => n + c.deals, 0)).toBe(names.length);
    const list = await get<DealsBody>('/api/deals/open?pageSize=200');
    // Each cell is the deals whose scores fall in its bands, with their amounts summed.
    for (const c of p.cells) {
      const inCell = list.rows.filter((d) => Math.min(4, Math.floor(d.meddicScore / 20)) === c.meddicBand && Math.min(4, Math.floor(d.winProbability / 20)) === c.winBand);
      expect(c.deals).toBe(inCell.length);
      expect(c.amount).toBeCloseTo(inCell.reduce((n, d) => n + (d.amount ?? 0), 0), 6);
    }
    expect(p.winModel?.basis).toMatch(/^(fitted|meddic_fallback)$/);
    if (p.winModel?.basis === 'meddic_fallback') expect(p.winModel.label).toContain(p.winModel.reason);
    else expect(p.winModel?.label).toContain(`${p.winModel?.closedDeals} closed deals`);
    const run = await s.h.store.getRun(p.runId ?? '');
    expect(run?.kind).toBe('sync');
  });

  it('lists the open deals with their scores and CRM links, sorted and paged as asked', async () => {
    const body = await get<DealsBody>('/api/deals/open?pageSize=200');
    expect(body).toMatchObject({ total: openNames(s.h.sandbox).length, page: 1, pageSize: 200 });
    expect(body.rows.map((d) => d.name).sort()).toEqual(openNames(s.h.sandbox).sort());
    const wins = body.rows.map((d) => d.winProbability);
    expect(wins).toEqual([...wins].sort((a, b) => b - a));
    const acme = body.rows.find((d) => d.name === 'Acme renewal');
    expect(acme).toMatchObject({ amount: 12000, stage: expect.any(String) as string, crmUrl: `https://app.hubspot.com/contacts/${s.h.sandbox.portalId}/record/0-3/${acme?.dealId}` });
    const meddicAsc = (await get<DealsBody>('/api/deals/open?sort=meddicScore&order=asc&pageSize=200')).rows.map((d) => d.meddicScore);
    expect(meddicAsc).toEqual([...meddicAsc].sort((a, b) => a - b));
    const amounts = (await get<DealsBody>('/api/deals/open?sort=amount&pageSize=200')).rows.map((d) => d.amount);
    // Largest first, deals without an amount last.
    const known = amounts.filter((a): a is number => a !== null);
    expect(amounts).toEqual([...[...known].sort((a, b) => b - a), ...amounts.filter((a) => a === null)]);
    const pageTwo = await get<DealsBody>('/api/deals/open?pageSize=2&page=2');
    expect(pageTwo.rows.map((d) => d.dealId)).toEqual(body.rows.slice(2, 4).map((d) => d.dealId));
  });

  it('exports every open deal as CSV, cells safe from spreadsheet formulas', async () => {
    const r = await s.api('/api/deals/open.csv?sort=amount');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/csv');
    const rows = Papa.parse<Record<string, string>>(String(r.body), { header: true, skipEmptyLines: true }).data;
    expect(rows.length).toBe(openNames(s.h.sandbox).length);
    expect(rows.find((row) => row.name.includes('HYPERLINK'))?.name).toBe(`'${FORMULA}`);
    expect(rows[0].amount).toBe('12000');
  });

  it('refuses bad parameters with a message naming the field, and callers without the admin token', async () => {
    for (const [query, field] of [['?sort=closeDate', 'query.sort'], ['?order=up', 'query.order'], ['?pageSize=0', 'query.pageSize'], ['?pageSize=500', 'query.pageSize'], ['?page=x', 'query.page']] as const) {
      const r = await s.api(`/api/deals/open${query}`);
      expect(r.status, query).toBe(400);
      expect((r.body as { error: { message: string } }).error.message, query).toContain(field);
    }
    const unknown = await s.api('/api/deals/open?search=acme');
    expect(unknown.status).toBe(400);
    expect((unknown.body as { error: { message: string } }).error.message).toContain('"search"');
    expect((await s.api('/api/deals/pipeline?x=1')).status).toBe(400);
    expect((await s.api('/api/deals/open.csv?page=2')).status).toBe(400);
    for (const path of ['/api/deals/pipeline', '/api/deals/open', '/api/deals/open.csv']) {
      expect((await s.api(path, { token: null })).status, path).toBe(401);
      expect((await s.api(path, { token: 'wrong-token' })).status, path).toBe(401);
    }
  });

  it('keeps each installation\u2019s pipeline to itself', async () => {
    const listB = await get<DealsBody>(`/api/installations/${B}/deals/open?pageSize=200`);
    expect(listB.rows.map((d) => d.name).sort()).toEqual(openNames(other).sort());
    expect(listB.rows.some((d) => d.name === 'Acme renewal')).toBe(false);
    const listA = await get<DealsBody>('/api/installations/hubspot/deals/open?pageSize=200');
    expect(listA.rows.some((d) => d.name === 'Beta only deal')).toBe(false);
    expect((await get<PipelineBody>(`/api/installations/${B}/deals/pipeline`)).deals).toBe(openNames(other).length);
    expect(String((await s.api(`/api/installations/${B}/deals/open.csv`)).body)).not.toContain('Acme renewal');
    expect((await s.api('/api/installations/in_0000000000000000/deals/open')).status).toBe(404);
  });
});

describe('a dry run\u2019s plan with deal scoring', () => {
  it('holds the deal changes as deal:<id> records (API and CSV), counted apart from the customers\u2019', async () => {
    const n = dealPropertyNames(hubspotSettingsSchema.parse(s.h.config.connectors.hubspot));
    const acme = (await get<DealsBody>('/api/deals/open?pageSize=200')).rows.find((d) => d.name === 'Acme renewal');
    s.h.sandbox.data.updateDeal(acme?.dealId ?? '', { [n.meddicMetrics]: 'confirmed', [n.meddicChampion]: 'confirmed' });
    const started = await s.api('/api/sync', { method: 'POST', body: { dryRun: true } });
    const runId = (started.body as { runId: string }).runId;
    expect((await s.waitForRun(runId)).status).toBe('succeeded');
    const plan = await get<{ records: number; deals: number; dealChangedFields: Record<string, number>; total: number; byRecord: { recordId: string; changes: { field: string; previous: string | null; next: string | null }[] }[] }>(`/api/runs/${runId}/plan?group=record&limit=1000`);
    expect(plan.deals).toBe(1);
    expect(plan.total).toBe(plan.records + 1);
    const deal = plan.byRecord.find((r) => r.recordId === `deal:${acme?.dealId}`);
    expect(deal?.changes.find((c) => c.field === 'meddicScore')).toMatchObject({ previous: String(acme?.meddicScore), next: expect.stringMatching(/^\d+$/) as string });
    expect(plan.dealChangedFields.meddicScore).toBe(1);
    const byField = await get<{ total: number; changes: { recordId: string }[] }>(`/api/runs/${runId}/plan?field=meddicScore`);
    expect(byField).toMatchObject({ total: 1, changes: [{ recordId: `deal:${acme?.dealId}` }] });
    const csv = Papa.parse<Record<string, string>>(String((await s.api(`/api/runs/${runId}/plan.csv`)).body), { header: true, skipEmptyLines: true }).data;
    const row = csv.find((r) => r.recordId === `deal:${acme?.dealId}` && r.field === 'meddicScore');
    expect(row?.planned).toMatch(/^\d+$/);
    // Nothing written: the CRM and the stored pipeline are as the last sync left them.
    expect(s.h.sandbox.data.getDeal(acme?.dealId ?? '')?.properties[n.meddicScore]).toBe(String(acme?.meddicScore));
    expect((await get<DealsBody>('/api/deals/open?pageSize=200')).rows.find((d) => d.dealId === acme?.dealId)?.meddicScore).toBe(acme?.meddicScore);
  });
});

describe('the pipeline where deal scoring is off', () => {
  it('says how to turn it on, and holds no deals', async () => {
    const off = await createServiceHarness({ dataset: { contacts: 5 } });
    try {
      const r = await off.api('/api/deals/pipeline');
      expect(r.status).toBe(200);
      const body = r.body as PipelineBody;
      expect(body).toMatchObject({ enabled: false, deals: 0, cells: [], winModel: null });
      expect(body.howToEnable).toContain('sync.deals.enabled');
      expect(((await off.api('/api/deals/open')).body as DealsBody).total).toBe(0);
    } finally {
      await off.close();
    }
  });
});
