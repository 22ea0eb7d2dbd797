// Deal properties over raw HTTP, as HubSpot documents them: custom properties on the deals object
// (groups, enumeration options validated on write, number and datetime formats), the deal owner, the
// associated contacts' count, and the stage calculated "date entered" properties.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotSandbox, type HubSpotSandbox } from '../index.ts';

const TOKEN = 'sandbox-private-app-token';
let sandbox: HubSpotSandbox;
let url: string;

beforeAll(async () => {
  sandbox = createHubSpotSandbox();
  url = await sandbox.listen();
});

afterAll(async () => {
  await sandbox.close();
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(url + path, { method, headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
}

describe('deal properties', () => {
  it('creates a group and enumeration, number and datetime properties on deals, apart from contacts', async () => {
    expect((await call('POST', '/crm/v3/properties/deals/groups', { name: 'meddic', label: 'MEDDIC', displayOrder: -1 })).status).toBe(201);
    const options = ['unknown', 'identified', 'confirmed'].map((v, i) => ({ label: v, value: v, displayOrder: i, hidden: false }));
    expect((await call('POST', '/crm/v3/properties/deals', { name: 'm_champion', label: 'Champion', type: 'enumeration', fieldType: 'select', groupName: 'meddic', options })).status).toBe(201);
    expect((await call('POST', '/crm/v3/properties/deals', { name: 'm_score', label: 'Score', type: 'number', fieldType: 'number', groupName: 'meddic' })).status).toBe(201);
    expect((await call('POST', '/crm/v3/properties/deals', { name: 'm_at', label: 'At', type: 'datetime', fieldType: 'date', groupName: 'meddic' })).status).toBe(201);
    // A group on deals is not one on contacts.
    expect((await call('POST', '/crm/v3/properties/contacts', { name: 'm_x', label: 'X', type: 'number', fieldType: 'number', groupName: 'meddic' })).status).toBe(400);
    expect((await call('GET', '/crm/v3/properties/contacts/m_champion')).status).toBe(404);
    expect((await call('POST', '/crm/v3/properties/deals', { name: 'm_score', label: 'Again', type: 'number', fieldType: 'number', groupName: 'meddic' })).status).toBe(409);
  });

  it('validates enumeration options, numbers and datetimes on a deal batch update, record by record', async () => {
    const ok = sandbox.data.createDeal({ dealname: 'a', pipeline: 'default', dealstage: 'appointmentscheduled' });
    const good = await call('POST', '/crm/v3/objects/deals/batch/update', { inputs: [{ id: ok, properties: { m_champion: 'confirmed', m_score: '58', m_at: '2026-12-04T05:00:00.000Z' } }] });
    expect(good.status).toBe(200);
    expect(sandbox.data.getDeal(ok)?.properties).toMatchObject({ m_champion: 'confirmed', m_score: '58' });
    for (const properties of [{ m_champion: 'maybe' }, { m_score: 'lots' }, { m_at: 'yesterday' }]) {
      const bad = await call('POST', '/crm/v3/objects/deals/batch/update', { inputs: [{ id: ok, properties }] });
      expect(bad.status, JSON.stringify(properties)).toBe(400);
      expect(bad.body.category).toBe('VALIDATION_ERROR');
    }
    expect(sandbox.data.getDeal(ok)?.properties.m_champion).toBe('confirmed');
  });
});

describe('deal features', () => {
  it('keeps when a deal entered its stage, counts its contacts and knows the owners', async () => {
    const c1 = sandbox.data.createContact({ email: 'one@example.com' });
    const c2 = sandbox.data.createContact({ email: 'two@example.com' });
    const id = sandbox.data.createDeal({ dealname: 'b', pipeline: 'default', dealstage: 'qualifiedtobuy', hubspot_owner_id: '90001' }, [c1, c2]);
    const props = 'hs_date_entered_qualifiedtobuy,hs_date_entered_contractsent,num_associated_contacts,hubspot_owner_id,createdate';
    const first = (await call('GET', `/crm/v3/objects/deals/${id}?properties=${props}`)).body.properties as Record<string, string | null>;
    expect(first.hs_date_entered_qualifiedtobuy).toBe(first.createdate);
    expect(first.hs_date_entered_contractsent).toBeNull();
    expect(first.num_associated_contacts).toBe('2');
    expect(first.hubspot_owner_id).toBe('90001');
    await new Promise((r) => setTimeout(r, 3));
    expect((await call('PATCH', `/crm/v3/objects/deals/${id}`, { properties: { dealstage: 'contractsent' } })).status).toBe(200);
    const second = (await call('GET', `/crm/v3/objects/deals/${id}?properties=${props},hs_lastmodifieddate`)).body.properties as Record<string, string | null>;
    expect(second.hs_date_entered_contractsent).toBe(second.hs_lastmodifieddate);
    expect(second.hs_date_entered_qualifiedtobuy).toBe(first.hs_date_entered_qualifiedtobuy);
    // Calculated: not writable; an owner must be one of the account's users.
    expect((await call('PATCH', `/crm/v3/objects/deals/${id}`, { properties: { num_associated_contacts: '5' } })).status).toBe(400);
    expect((await call('PATCH', `/crm/v3/objects/deals/${id}`, { properties: { hubspot_owner_id: '12345' } })).status).toBe(400);
  });
});
