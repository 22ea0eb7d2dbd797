/**
 * The admin API of a HubSpot account whose customers are contacts and companies both
 * (`hubspot.customerObject: both`): the account's installation (`hubspot`, contacts) and its companion
 * (`hubspot--companies`) are listed and run apart; each one's customer list holds its own object's records,
 * linked and labelled as such; each one's backtest counts its own object's buyers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureV3 } from '../../connectors/hubspot/signature.ts';
import { parseCardData } from '../../hubspot-app/src/app/cards/cardData.ts';
import { createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

const PUBLIC_URL = 'https://lifecycle.example.test';
const SECRET = 'both-card-client-secret-5a4b3c2d1e0f';

interface Row {
  recordId: string;
  name: string | null;
  company: string | null;
  crmUrl: string | null;
}

let s: ServiceHarness;
const COMPANIES = 'hubspot--companies';
let solo: string[] = [];

async function run(path: string): Promise<void> {
  const started = await s.api(path, { method: 'POST', body: {} });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  expect((await s.waitForRun((started.body as { runId: string }).runId)).status).toBe('succeeded');
}

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 30 }, b2b: true, config: { hubspot: { customerObject: 'both' } }, serviceEnv: { PUBLIC_URL, HUBSPOT_CLIENT_SECRET: SECRET } });
  // Two companies that bought with no contact on the deal: they are customers of the companies' installation only.
  for (const name of ['Solo One', 'Solo Two']) {
    const company = s.h.sandbox.data.createCompany({ name, domain: `${name.replace(' ', '').toLowerCase()}.example.com` });
    s.h.sandbox.data.createDeal({ dealname: `${name} order`, amount: '500.00', pipeline: 'default', dealstage: 'closedwon', closedate: new Date(Date.now() - 400 * 86_400_000).toISOString() }, [], [company]);
    solo.push(company);
  }
  // The unscoped route is the account's own installation (contacts); the companion is named in the path.
  await run('/api/sync');
  await run(`/api/installations/${COMPANIES}/sync`);
}, 120_000);
afterAll(async () => {
  solo = [];
  await s?.close();
});

const wonBy = (dealIds: readonly string[]): boolean => dealIds.some((d) => s.h.sandbox.data.getDeal(d)?.properties.dealstage === 'closedwon');

describe('contacts and companies both on the page', () => {
  it('GET /api/installations: the account’s installation and its companies’ companion, each with its own last run', async () => {
    const r = await s.api('/api/installations');
    expect(r.status).toBe(200);
    const body = r.body as { installations: { id: string; name: string; lastRun: { status: string } | null }[] };
    const byId = new Map(body.installations.map((i) => [i.id, i]));
    expect([...byId.keys()].sort()).toEqual(['hubspot', COMPANIES]);
    expect(byId.get(COMPANIES)?.name).toMatch(/· companies$/);
    for (const i of byId.values()) expect(i.lastRun?.status, i.id).toBe('succeeded');
  });

  it('GET /api/installations/:id/customers: contacts on one, companies on the other, each linked and labelled as its object', async () => {
    const data = s.h.sandbox.data;
    const contacts = (await s.api('/api/installations/hubspot/customers?pageSize=100')).body as { total: number; recordLabel: string | null; rows: Row[] };
    expect(contacts.recordLabel).toBe('contact');
    expect(contacts.rows.map((x) => x.recordId).sort()).toEqual([...data.contactIds()].sort());
    for (const row of contacts.rows) expect(row.crmUrl).toBe(`https://app.hubspot.com/contacts/${s.h.sandbox.portalId}/record/0-1/${row.recordId}`);

    const companies = (await s.api(`/api/installations/${COMPANIES}/customers?pageSize=100`)).body as { total: number; recordLabel: string | null; rows: Row[] };
    expect(companies.recordLabel).toBe('company');
    expect(companies.rows.map((x) => x.recordId).sort()).toEqual([...data.companyIds()].sort());
    for (const row of companies.rows) {
      expect(row).toMatchObject({ name: data.getCompany(row.recordId)?.properties.name, company: data.getCompany(row.recordId)?.properties.domain });
      expect(row.crmUrl).toBe(`https://app.hubspot.com/contacts/${s.h.sandbox.portalId}/record/0-2/${row.recordId}`);
    }
    // One customer's page through the other object's installation is not found.
    expect((await s.api(`/api/installations/hubspot/customers/${solo[0]}`)).status).toBe(404);
    expect((await s.api(`/api/installations/${COMPANIES}/customers/${solo[0]}`)).body).toMatchObject({ recordId: solo[0], recordLabel: 'company' });
  });

  it('GET /api/installations/:id/backtest: each object’s buyers (the solo companies count for companies only)', async () => {
    const data = s.h.sandbox.data;
    const contactBuyers = data.contactIds().filter((id) => wonBy(data.dealIdsOf(id)));
    const companyBuyers = data.companyIds().filter((id) => wonBy(data.dealIdsOfCompany(id)));
    expect(companyBuyers.length).toBe(contactBuyers.length + 2);
    for (const [id, buyers] of [['hubspot', contactBuyers.length], [COMPANIES, companyBuyers.length]] as const) {
      const r = await s.api(`/api/installations/${id}/backtest`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const body = r.body as { customers: number; newInHoldout: number };
      expect(body.customers + body.newInHoldout, id).toBe(buyers);
    }
  }, 60_000);
});

type Known = { scores: { values: Record<string, string | null> } | null };

/** The app card's request for a record, signed as HubSpot's proxy signs it. */
async function card(object: 'contacts' | 'companies', id: string): Promise<unknown> {
  const path = `/hubspot/card/${object}/${id}?userId=1&portalId=${s.h.sandbox.portalId}&appId=1`;
  const timestamp = String(Date.now());
  const signature = signatureV3({ method: 'GET', uri: `${PUBLIC_URL}${path}`, body: '', timestamp }, SECRET);
  const response = await fetch(`${s.url}${path}`, { headers: { 'x-hubspot-request-timestamp': timestamp, 'x-hubspot-signature-v3': signature } });
  expect(response.status).toBe(200);
  return parseCardData(await response.json());
}

describe('the app card with contacts and companies both', () => {
  it('answers a company record from the companies installation and a contact record from the contacts one', async () => {
    const company = await card('companies', solo[0]);
    const scored = (await s.api(`/api/installations/${COMPANIES}/customers/${solo[0]}`)).body as Known;
    expect(scored.scores?.values.stage).toBeTruthy();
    expect(company).toMatchObject({ recordId: solo[0], object: 'companies', scored: true, stage: { value: scored.scores?.values.stage } });
    const contactId = s.h.sandbox.data.contactIds()[0];
    const contact = (await s.api(`/api/installations/hubspot/customers/${contactId}`)).body as Known;
    expect(contact.scores?.values.stage).toBeTruthy();
    expect(await card('contacts', contactId)).toMatchObject({ recordId: contactId, object: 'contacts', scored: true, stage: { value: contact.scores?.values.stage } });
  });
});
