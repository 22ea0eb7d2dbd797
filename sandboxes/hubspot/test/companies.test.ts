// Companies (object type 0-2) over raw HTTP: CRUD, list, search, batch read and update, the company
// properties API, and deal↔company associations (v4 and the date-based paths) with HubSpot's type ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotSandbox, seedSyntheticDataset, type HubSpotSandbox } from '../index.ts';

const TOKEN = 'sandbox-private-app-token';

async function call(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url + path, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

type Obj = { id: string; properties: Record<string, string | null>; associations?: Record<string, { results: { id: string; type: string }[] }> };
type Assoc = { from: { id: string }; to: { toObjectId: number | string; associationTypes: { category: string; typeId: number }[] }[] };

let sandbox: HubSpotSandbox;
let url: string;
let acme: string;
let globex: string;
let alice: string;
let deal: string;

beforeAll(async () => {
  sandbox = createHubSpotSandbox({ limits: { tenSecondly: 100_000, searchPerSecond: 1000 } });
  acme = sandbox.data.createCompany({ name: 'Acme Corp', domain: 'acme.example.com' });
  globex = sandbox.data.createCompany({ name: 'Globex', domain: 'globex.example.com' });
  alice = sandbox.data.createContact({ email: 'alice@acme.example.com', firstname: 'Alice' });
  deal = sandbox.data.createDeal({ dealname: 'Acme rollout', amount: '1200', pipeline: 'default', dealstage: 'closedwon', closedate: '2024-03-01T12:00:00Z' }, [alice], [acme]);
  url = await sandbox.listen();
});

afterAll(async () => {
  await sandbox.close();
});

describe('company records', () => {
  it('creates (201), reads by id and by 0-2, updates and archives a company; hs_lastmodifieddate follows writes', async () => {
    const created = await call(url, 'POST', '/crm/v3/objects/companies', { properties: { name: 'Initech', domain: 'initech.example.com' } });
    expect(created.status).toBe(201);
    const id = (created.body as unknown as Obj).id;
    const read = await call(url, 'GET', `/crm/v3/objects/0-2/${id}?properties=name,domain`);
    expect(read.status).toBe(200);
    expect((read.body as unknown as Obj).properties).toMatchObject({ name: 'Initech', domain: 'initech.example.com', hs_object_id: id });
    expect((read.body as unknown as Obj).properties.hs_lastmodifieddate).toBeTruthy();
    const patched = await call(url, 'PATCH', `/crm/v3/objects/companies/${id}`, { properties: { city: 'Austin' } });
    expect(patched.status).toBe(200);
    expect(sandbox.data.getCompany(id)?.properties.city).toBe('Austin');
    expect((await call(url, 'DELETE', `/crm/v3/objects/companies/${id}`)).status).toBe(204);
    expect((await call(url, 'GET', `/crm/v3/objects/companies/${id}`)).status).toBe(404);
  });

  it('lists companies with the default properties (name, domain) and searches them by name', async () => {
    const list = await call(url, 'GET', '/crm/v3/objects/companies?limit=100');
    const results = list.body.results as Obj[];
    expect(results.map((r) => r.id)).toEqual([acme, globex]);
    expect(Object.keys(results[0].properties).sort()).toEqual(['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name']);
    const found = await call(url, 'POST', '/crm/v3/objects/companies/search', { filterGroups: [{ filters: [{ propertyName: 'name', operator: 'EQ', value: 'Globex' }] }], properties: ['name'] });
    expect(found.status).toBe(200);
    expect((found.body.results as Obj[]).map((r) => r.id)).toEqual([globex]);
  });

  it('batch reads and updates companies (v3 and 2026-09); an unknown id is a 207 error', async () => {
    const read = await call(url, 'POST', '/crm/objects/2026-09/companies/batch/read', { inputs: [{ id: acme }, { id: globex }], properties: ['domain'] });
    expect(read.status).toBe(200);
    expect((read.body.results as Obj[]).map((r) => r.properties.domain).sort()).toEqual(['acme.example.com', 'globex.example.com']);
    const update = await call(url, 'POST', '/crm/v3/objects/companies/batch/update', { inputs: [{ id: acme, properties: { industry: 'Manufacturing' } }, { id: '1', properties: { industry: 'Retail' } }] });
    expect(update.status).toBe(207);
    expect((update.body.results as Obj[]).map((r) => r.id)).toEqual([acme]);
    expect(sandbox.data.getCompany(acme)?.properties.industry).toBe('Manufacturing');
  });

  it('company properties and groups: created in a group, read back, duplicates refused (409)', async () => {
    const group = await call(url, 'POST', '/crm/v3/properties/companies/groups', { name: 'lifecycle_sync', label: 'Lifecycle Sync' });
    expect(group.status).toBe(201);
    const body = { name: 'lcs_stage', label: 'Stage', type: 'enumeration', fieldType: 'select', groupName: 'lifecycle_sync', options: [{ label: 'Loyalty', value: 'loyalty', displayOrder: 0, hidden: false }] };
    expect((await call(url, 'POST', '/crm/properties/2026-09/companies', body)).status).toBe(201);
    expect((await call(url, 'POST', '/crm/v3/properties/companies', body)).status).toBe(409);
    const all = await call(url, 'GET', '/crm/v3/properties/companies');
    expect((all.body.results as { name: string; groupName: string }[]).find((p) => p.name === 'lcs_stage')?.groupName).toBe('lifecycle_sync');
    // The contacts' properties are another object's: untouched.
    expect((await call(url, 'GET', '/crm/v3/properties/contacts/lcs_stage')).status).toBe(404);
  });
});

describe('deal↔company associations', () => {
  it('v4 batch read both ways with HubSpot’s default type ids (deal→company 341, company→deal 342); ids are numbers on v4, strings on 2026-09', async () => {
    const toCompanies = await call(url, 'POST', '/crm/v4/associations/deals/companies/batch/read', { inputs: [{ id: deal }] });
    expect(toCompanies.status).toBe(200);
    const [r] = toCompanies.body.results as Assoc[];
    expect(r.to).toEqual([{ toObjectId: Number(acme), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 341, label: null }] }]);
    const toDeals = await call(url, 'POST', '/crm/associations/2026-09/companies/deals/batch/read', { inputs: [{ id: acme }, { id: globex }] });
    expect(toDeals.status).toBe(207); // Globex has no deals: an error entry, as for contacts
    expect((toDeals.body.results as Assoc[]).map((x) => [x.from.id, x.to.map((t) => [t.toObjectId, t.associationTypes[0].typeId])])).toEqual([[acme, [[deal, 342]]]]);
    // The deal's contacts are a separate pair.
    const toContacts = await call(url, 'POST', '/crm/v4/associations/deals/contacts/batch/read', { inputs: [{ id: deal }] });
    expect((toContacts.body.results as Assoc[])[0].to.map((t) => String(t.toObjectId))).toEqual([alice]);
  });

  it('associates and removes a deal and a company one at a time, and inlines them on v3 reads', async () => {
    const put = await call(url, 'PUT', `/crm/v4/objects/deals/${deal}/associations/default/companies/${globex}`);
    expect(put.status).toBe(200);
    expect((put.body.results as { associationSpec: { associationTypeId: number } }[])[0].associationSpec.associationTypeId).toBe(341);
    expect(sandbox.data.dealIdsOfCompany(globex)).toEqual([deal]);
    const read = await call(url, 'GET', `/crm/v3/objects/deals/${deal}?associations=companies,contacts`);
    const assoc = (read.body as unknown as Obj).associations ?? {};
    expect(assoc.companies.results).toEqual([{ id: acme, type: 'deal_to_company' }, { id: globex, type: 'deal_to_company' }]);
    expect(assoc.contacts.results).toEqual([{ id: alice, type: 'deal_to_contact' }]);
    expect((await call(url, 'DELETE', `/crm/v4/objects/companies/${globex}/associations/deals/${deal}`)).status).toBe(204);
    expect(sandbox.data.dealIdsOfCompany(globex)).toEqual([]);
  });

  it('creates a deal associated with a company by type id 341 (or the primary 5); a contact–deal type id for a company is refused', async () => {
    const created = await call(url, 'POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'Globex pilot', pipeline: 'default', dealstage: 'qualifiedtobuy' },
      associations: [{ to: { id: globex }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 5 }] }],
    });
    expect(created.status).toBe(201);
    const id = (created.body as unknown as Obj).id;
    expect(sandbox.data.dealIdsOfCompany(globex)).toEqual([id]);
    const refused = await call(url, 'POST', '/crm/v3/objects/companies', {
      properties: { name: 'Wrong' },
      associations: [{ to: { id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 4 }] }],
    });
    expect(refused.status).toBe(400);
  });

  it('contacts–companies associations are not modelled: a clear 400', async () => {
    const r = await call(url, 'POST', '/crm/v4/associations/contacts/companies/batch/read', { inputs: [{ id: alice }] });
    expect(r.status).toBe(400);
    expect(String(r.body.message)).toContain('not supported by the sandbox');
  });
});

describe('B2B seeding', () => {
  it('makes each customer a company with one contact; every deal is associated with both', () => {
    const s = createHubSpotSandbox();
    seedSyntheticDataset(s.data, { contacts: 50, seed: 3, today: new Date('2026-01-01T00:00:00Z'), b2b: true });
    expect(s.data.companyIds().length).toBe(50);
    expect(s.data.contactIds().length).toBe(50);
    const deals = s.data.dealIds();
    expect(deals.length).toBeGreaterThan(0);
    const ofCompanies = new Set(s.data.companyIds().flatMap((c) => s.data.dealIdsOfCompany(c)));
    const ofContacts = new Set(s.data.contactIds().flatMap((c) => s.data.dealIdsOf(c)));
    expect([...ofCompanies].sort()).toEqual([...deals].sort());
    expect([...ofContacts].sort()).toEqual([...deals].sort());
    const first = s.data.getCompany(s.data.companyIds()[0])?.properties ?? {};
    expect(first.name).toMatch(/ Ltd$/);
    expect(first.domain).toMatch(/\.example\.com$/);
  });
});
