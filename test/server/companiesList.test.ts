/**
 * The customer list and one customer's page for a HubSpot installation whose customers are companies
 * (`hubspot.customerObject: companies`): rows link to company records (object type 0-2), the answer says a
 * record is a "company" (the page's link text and column heading), and each row shows the company's name
 * and domain; the backtest's customers are the companies; the contact card points to the company.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureV3 } from '../../connectors/hubspot/signature.ts';
import { parseCardData } from '../../hubspot-app/src/app/cards/cardData.ts';
import { createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

interface Row {
  recordId: string;
  name: string | null;
  email: string | null;
  company: string | null;
  crmUrl: string | null;
}

let s: ServiceHarness;
const PUBLIC_URL = 'https://lifecycle.example.test';
const SECRET = 'card-client-secret-companies-0123456789';

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 30 }, b2b: true, config: { hubspot: { customerObject: 'companies' } }, serviceEnv: { PUBLIC_URL, HUBSPOT_CLIENT_SECRET: SECRET } });
  // Two companies that bought with no contact on the deal: buyers among companies outnumber those among contacts.
  for (const name of ['Solo One', 'Solo Two']) {
    const company = s.h.sandbox.data.createCompany({ name, domain: `${name.replace(' ', '').toLowerCase()}.example.com` });
    s.h.sandbox.data.createDeal({ dealname: `${name} order`, amount: '500.00', pipeline: 'default', dealstage: 'closedwon', closedate: new Date(Date.now() - 400 * 86_400_000).toISOString() }, [], [company]);
  }
  const started = await s.api('/api/sync', { method: 'POST', body: {} });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  expect((await s.waitForRun((started.body as { runId: string }).runId)).status).toBe('succeeded');
}, 120_000);
afterAll(async () => {
  await s?.close();
});

describe('a companies installation on the page', () => {
  it('GET /api/customers: every company, linked as a company record (0-2), labelled "company", with name and domain', async () => {
    const r = await s.api('/api/customers?pageSize=100');
    expect(r.status).toBe(200);
    const body = r.body as { total: number; recordLabel: string | null; rows: Row[] };
    const ids = s.h.sandbox.data.companyIds();
    expect(body.total).toBe(ids.length);
    expect(body.recordLabel).toBe('company');
    expect(body.rows.map((x) => x.recordId).sort()).toEqual([...ids].sort());
    for (const row of body.rows) {
      const company = s.h.sandbox.data.getCompany(row.recordId)?.properties ?? {};
      expect(row).toMatchObject({ name: company.name, email: null, company: company.domain });
      expect(row.crmUrl).toBe(`https://app.hubspot.com/contacts/${s.h.sandbox.portalId}/record/0-2/${row.recordId}`);
    }
  });

  it('GET /api/customers/:id: the company’s link and label', async () => {
    const [id] = s.h.sandbox.data.companyIds();
    const r = await s.api(`/api/customers/${id}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ recordId: id, recordLabel: 'company', crmUrl: `https://app.hubspot.com/contacts/${s.h.sandbox.portalId}/record/0-2/${id}` });
  });

  it('GET /api/backtest: the backtest’s customers are the companies that bought (each company’s won deals, not its contacts’)', async () => {
    const r = await s.api('/api/backtest');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const body = r.body as { customers: number; newInHoldout: number };
    const data = s.h.sandbox.data;
    const buyers = data.companyIds().filter((id) => data.dealIdsOfCompany(id).some((d) => data.getDeal(d)?.properties.dealstage === 'closedwon'));
    expect(buyers.length).toBeGreaterThan(0);
    expect(body.customers + body.newInHoldout).toBe(buyers.length);
  }, 60_000);

  it('the app card on a contact record says the scores are on its company, and never shows a company’s scores for a contact id', async () => {
    const contact = s.h.sandbox.data.contactIds()[0];
    const company = s.h.sandbox.data.companyIds()[0];
    for (const id of [contact, company]) {
      const path = `/hubspot/card/contacts/${id}?userId=4242&portalId=${s.h.sandbox.portalId}&userEmail=rep%40example.com&appId=123456`;
      const timestamp = String(Date.now());
      const signature = signatureV3({ method: 'GET', uri: `${PUBLIC_URL}${path}`, body: '', timestamp }, SECRET);
      const response = await fetch(`${s.url}${path}`, { headers: { 'x-hubspot-request-timestamp': timestamp, 'x-hubspot-signature-v3': signature } });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ recordId: id, object: 'contacts', scored: false, elsewhere: true, message: "Not scored here: Lifecycle Sync scores company records in this account, not contact records; see the contact's company." });
    }
  });

  it('the app card on a company record, signed by HubSpot, is the company’s scores and stage history, as the admin API knows them', async () => {
    const signedCard = async (id: string) => {
      const path = `/hubspot/card/companies/${id}?userId=4242&portalId=${s.h.sandbox.portalId}&userEmail=rep%40example.com&appId=123456`;
      const timestamp = String(Date.now());
      const signature = signatureV3({ method: 'GET', uri: `${PUBLIC_URL}${path}`, body: '', timestamp }, SECRET);
      const response = await fetch(`${s.url}${path}`, { headers: { 'x-hubspot-request-timestamp': timestamp, 'x-hubspot-signature-v3': signature } });
      expect(response.status).toBe(200);
      return parseCardData(await response.json());
    };
    let checked = 0;
    for (const id of s.h.sandbox.data.companyIds().slice(0, 8)) {
      const known = (await s.api(`/api/customers/${id}`)).body as { scores: { asOf: string; values: Record<string, string | null> } | null; description: { stage: string | null; reason: string | null } };
      const data = await signedCard(id);
      expect(data).toMatchObject({ recordId: id, object: 'companies' });
      if (!known.scores) continue;
      if (!data.scored) throw new Error(`company ${id} is scored in the admin API but not on its card`);
      expect(data.stage).toMatchObject({ value: known.scores.values.stage, label: known.description.stage, reason: known.description.reason });
      expect(data.ltv?.amount).toBe(Number(known.scores.values.ltv));
      expect(data.asOf).toBe(known.scores.asOf);
      expect(data.history[0]).toMatchObject({ to: known.description.stage, run: 'Sync' });
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
    // A company the installation has not seen: not scored yet, in the company's words.
    expect(await signedCard('987654321')).toMatchObject({ scored: false, elsewhere: false, message: expect.stringMatching(/not seen this company/) as unknown });
  });
});
