// Contacts and deals over raw HTTP: exact status codes, bodies and headers of reads and writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotSandbox, type HubSpotSandbox } from '../index.ts';

const TOKEN = 'sandbox-private-app-token';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(url: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(url + path, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

type Obj = { id: string; properties: Record<string, string | null>; createdAt: string; updatedAt: string; archived: boolean; associations?: Record<string, { results: { id: string; type: string }[]; paging?: unknown }> };

let sandbox: HubSpotSandbox;
let url: string;
let alice: string;
let bob: string;
let wonDeal: string;

beforeAll(async () => {
  sandbox = createHubSpotSandbox({ limits: { tenSecondly: 100_000, searchPerSecond: 1000 } });
  alice = sandbox.data.createContact({ email: 'alice@example.com', firstname: 'Alice', lastname: 'Archer', lifecyclestage: 'customer' });
  bob = sandbox.data.createContact({ email: 'bob@example.com', firstname: 'Bob' });
  for (let i = 0; i < 23; i++) sandbox.data.createContact({ email: `filler${i}@example.com` });
  wonDeal = sandbox.data.createDeal({ dealname: 'Won', amount: '120.50', pipeline: 'default', dealstage: 'closedwon', closedate: '2024-03-01T12:00:00Z' }, [alice]);
  sandbox.data.createDeal({ dealname: 'Open', amount: '80', pipeline: 'default', dealstage: 'qualifiedtobuy' }, [alice]);
  url = await sandbox.listen();
});

afterAll(async () => {
  await sandbox.close();
});

describe('list and get', () => {
  it('pages with an opaque cursor and a link, and no paging on the last page', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const r = await call(url, 'GET', `/crm/v3/objects/contacts?limit=10${after ? `&after=${after}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/json;charset=utf-8');
      const results = r.body.results as Obj[];
      seen.push(...results.map((c) => c.id));
      const paging = r.body.paging as { next: { after: string; link: string } } | undefined;
      if (paging) expect(paging.next.link).toContain('/crm/v3/objects/contacts');
      after = paging?.next.after;
      pages++;
    } while (after !== undefined);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
  });

  it('defaults to 10 records and refuses a limit above 100', async () => {
    const r = await call(url, 'GET', '/crm/v3/objects/contacts');
    expect((r.body.results as Obj[]).length).toBe(10);
    const bad = await call(url, 'GET', '/crm/v3/objects/contacts?limit=101');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    expect(typeof bad.body.correlationId).toBe('string');
  });

  it('returns the default properties, with null for empty ones', async () => {
    const r = await call(url, 'GET', `/crm/v3/objects/contacts/${bob}`);
    const c = r.body as unknown as Obj;
    expect(Object.keys(c.properties)).toEqual(['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname']);
    expect(c.properties.lastname).toBeNull();
    expect(c.properties.hs_object_id).toBe(bob);
    expect(c.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('accepts properties as CSV and as repeated parameters, and omits undefined ones', async () => {
    const csv = await call(url, 'GET', `/crm/v3/objects/contacts/${alice}?properties=lifecyclestage,nosuchproperty`);
    const repeated = await call(url, 'GET', `/crm/v3/objects/contacts/${alice}?properties=lifecyclestage&properties=nosuchproperty`);
    for (const r of [csv, repeated]) {
      const props = (r.body as unknown as Obj).properties;
      expect(props.lifecyclestage).toBe('customer');
      expect(props).not.toHaveProperty('nosuchproperty');
      expect(props).toHaveProperty('lastmodifieddate');
    }
  });

  it('inlines associations when asked', async () => {
    const r = await call(url, 'GET', `/crm/v3/objects/contacts/${alice}?associations=deals`);
    const assoc = (r.body as unknown as Obj).associations;
    expect(assoc?.deals.results.map((a) => a.id)).toEqual([wonDeal, String(Number(wonDeal) + 1)]);
    expect(assoc?.deals.results[0].type).toBe('contact_to_deal');
    const none = await call(url, 'GET', `/crm/v3/objects/contacts/${bob}?associations=deals`);
    expect(none.body).not.toHaveProperty('associations');
    const deal = await call(url, 'GET', `/crm/v3/objects/deals/${wonDeal}?associations=contacts`);
    expect((deal.body as unknown as Obj).associations?.contacts.results).toEqual([{ id: alice, type: 'deal_to_contact' }]);
  });

  it('finds a contact by email with idProperty', async () => {
    const r = await call(url, 'GET', '/crm/v3/objects/contacts/ALICE@example.com?idProperty=email');
    expect((r.body as unknown as Obj).id).toBe(alice);
  });

  it('answers 404 OBJECT_NOT_FOUND for an unknown id', async () => {
    const r = await call(url, 'GET', '/crm/v3/objects/contacts/999999999');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Object not found.  objectId are usually numeric.' });
  });

  it('refuses an unknown object type', async () => {
    const r = await call(url, 'GET', '/crm/v3/objects/widgets');
    expect(r.status).toBe(400);
    expect(r.body.message).toBe('Unable to infer object type from: widgets');
  });
});

describe('deals', () => {
  it('derives closed/won flags and the home-currency amount', async () => {
    const r = await call(url, 'GET', `/crm/v3/objects/deals/${wonDeal}?properties=hs_is_closed,hs_is_closed_won,amount_in_home_currency,closedate`);
    expect((r.body as unknown as Obj).properties).toMatchObject({
      hs_is_closed: 'true', hs_is_closed_won: 'true', amount_in_home_currency: '120.50', closedate: '2024-03-01T12:00:00.000Z',
    });
  });

  it('sets a close date when a deal enters a closed stage', () => {
    const id = sandbox.data.createDeal({ dealname: 'Later lost', pipeline: 'default', dealstage: 'contractsent' });
    expect(sandbox.data.getDeal(id)?.properties.hs_is_closed).toBe('false');
    sandbox.data.updateDeal(id, { dealstage: 'closedlost' });
    const d = sandbox.data.getDeal(id);
    expect(d?.properties).toMatchObject({ hs_is_closed: 'true', hs_is_closed_won: 'false' });
    expect(d?.properties.closedate).toMatch(/Z$/);
  });

  it('requires dealname, dealstage and pipeline on create', async () => {
    const r = await call(url, 'POST', '/crm/v3/objects/deals', { properties: { dealname: 'x' } });
    expect(r.status).toBe(400);
    expect(r.body.category).toBe('VALIDATION_ERROR');
    expect(() => sandbox.data.createDeal({ dealname: 'x', pipeline: 'default' })).toThrow(/dealstage/);
  });

  it('creates with associations (201) and updates with PATCH (200)', async () => {
    const created = await call(url, 'POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'Via API', pipeline: 'default', dealstage: 'appointmentscheduled', amount: '10' },
      associations: [{ to: { id: bob }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }] }],
    });
    expect(created.status).toBe(201);
    const id = (created.body as unknown as Obj).id;
    expect(sandbox.data.dealIdsOf(bob)).toContain(id);
    const patched = await call(url, 'PATCH', `/crm/v3/objects/deals/${id}`, { properties: { amount: '' } });
    expect(patched.status).toBe(200);
    expect((patched.body as unknown as Obj).properties.amount).toBe('');
    expect(sandbox.data.getDeal(id)?.properties).not.toHaveProperty('amount_in_home_currency');
  });
});

describe('batch read', () => {
  it('answers 200 when all ids exist and 207 with OBJECT_NOT_FOUND otherwise', async () => {
    const ok = await call(url, 'POST', '/crm/v3/objects/contacts/batch/read', { inputs: [{ id: alice }, { id: bob }], properties: ['email'] });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'COMPLETE' });
    expect(ok.body).not.toHaveProperty('errors');
    const partial = await call(url, 'POST', '/crm/v3/objects/contacts/batch/read', { inputs: [{ id: alice }, { id: '42' }], properties: ['email'] });
    expect(partial.status).toBe(207);
    expect(partial.body).toMatchObject({ numErrors: 1, errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', context: { ids: ['42'] } }] });
    expect((partial.body.results as Obj[]).map((r) => r.properties.email)).toEqual(['alice@example.com']);
  });

  it('refuses more than 100 inputs', async () => {
    const inputs = Array.from({ length: 101 }, (_, i) => ({ id: String(1001 + i) }));
    const r = await call(url, 'POST', '/crm/v3/objects/contacts/batch/read', { inputs });
    expect(r.status).toBe(400);
  });
});

describe('batch update', () => {
  it('applies values, bumps lastmodifieddate strictly and returns 200', async () => {
    const before = sandbox.data.getContact(bob);
    const r = await call(url, 'POST', '/crm/v3/objects/contacts/batch/update', {
      inputs: [{ id: bob, properties: { lastname: 'Baker', notes_last_updated: '1700000000000', hs_feedback_last_nps_rating: '9' } }],
    });
    expect(r.status).toBe(200);
    const [result] = r.body.results as Obj[];
    expect(result.properties).toMatchObject({ lastname: 'Baker', notes_last_updated: '2023-11-14T22:13:20.000Z', hs_feedback_last_nps_rating: '9' });
    const after = sandbox.data.getContact(bob);
    expect(Date.parse(after?.updatedAt ?? '')).toBeGreaterThan(Date.parse(before?.updatedAt ?? ''));
    expect(after?.properties.lastmodifieddate).toBe(after?.updatedAt);
    // A second write in the same millisecond still moves the timestamp forward.
    sandbox.data.updateContact(bob, { firstname: 'Bobby' });
    sandbox.data.updateContact(bob, { firstname: 'Robert' });
    expect(Date.parse(sandbox.data.getContact(bob)?.updatedAt ?? '')).toBeGreaterThan(Date.parse(after?.updatedAt ?? ''));
  });

  it('applies the known ids and reports the unknown ones with 207', async () => {
    const before = sandbox.stats.batchUpdateInputs;
    const r = await call(url, 'POST', '/crm/v3/objects/contacts/batch/update', {
      inputs: [{ id: alice, properties: { firstname: 'Alicia' } }, { id: '77777777', properties: { firstname: 'Ghost' } }],
    });
    expect(r.status).toBe(207);
    expect(r.body).toMatchObject({ status: 'COMPLETE', numErrors: 1, errors: [{ category: 'OBJECT_NOT_FOUND', context: { ids: ['77777777'] } }] });
    expect(sandbox.data.getContact(alice)?.properties.firstname).toBe('Alicia');
    expect(sandbox.stats.batchUpdateInputs - before).toBe(1);
  });

  it('fails the whole request with the HubSpot validation body', async () => {
    const r = await call(url, 'POST', '/crm/v3/objects/deals/batch/update', {
      inputs: [
        { id: wonDeal, properties: { amount: '1.4210854715202004e-14' } },
        { id: wonDeal.replace(/1$/, '2'), properties: { testproperty: 'x', dealstage: 'nope' } },
      ],
    });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(r.body.category).toBe('VALIDATION_ERROR');
    const message = r.body.message as string;
    expect(message.startsWith('Property values were not valid: ')).toBe(true);
    const embedded = JSON.parse(message.slice('Property values were not valid: '.length)) as Record<string, unknown>[];
    expect(embedded[0]).toEqual({
      isValid: false,
      message: '1.4210854715202004e-14 was not a valid number.',
      error: 'INVALID_INTEGER',
      name: 'amount',
      localizedErrorMessage: '1.4210854715202004e-14 was not a valid number.',
      propertyValue: '1.4210854715202004e-14',
      portalId: expect.any(Number) as number,
    });
    expect(embedded.map((e) => e.error)).toEqual(['INVALID_INTEGER', 'PROPERTY_DOESNT_EXIST', 'INVALID_OPTION']);
    expect(r.body.errors).toEqual([
      { message: '1.4210854715202004e-14 was not a valid number.', code: 'INVALID_INTEGER', context: { propertyName: ['amount'] } },
      { message: 'Property "testproperty" does not exist', code: 'PROPERTY_DOESNT_EXIST', context: { propertyName: ['testproperty'] } },
      expect.objectContaining({ code: 'INVALID_OPTION' }) as unknown,
    ]);
    expect(sandbox.data.getDeal(wonDeal)?.properties.amount).toBe('120.50');
  });

  it('refuses read-only properties with READ_ONLY_VALUE', async () => {
    const r = await call(url, 'POST', '/crm/v3/objects/contacts/batch/update', { inputs: [{ id: alice, properties: { lastmodifieddate: '1700000000000' } }] });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ message: 'lastmodifieddate is a read only property; its value cannot be set.', code: 'READ_ONLY_VALUE', context: { propertyName: ['lastmodifieddate'] } }]);
  });

  it('refuses duplicate ids and more than 100 inputs', async () => {
    const dup = await call(url, 'POST', '/crm/v3/objects/contacts/batch/update', { inputs: [{ id: alice, properties: {} }, { id: alice, properties: {} }] });
    expect(dup.status).toBe(400);
    expect(dup.body.message).toBe(`Duplicate IDs found in batch input: [${alice}]. IDs must be unique`);
    const many = await call(url, 'POST', '/crm/v3/objects/contacts/batch/update', { inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(2000 + i), properties: {} })) });
    expect(many.status).toBe(400);
  });

  it('answers malformed JSON and missing fields with HubSpot 400s', async () => {
    const res = await fetch(`${url}/crm/v3/objects/contacts/batch/update`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: '{"inputs": [' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(((await res.json()) as { category: string }).category).toBe('VALIDATION_ERROR');
    const missing = await call(url, 'POST', '/crm/v3/objects/contacts/batch/update', {});
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('some of required attributes are not set [inputs]');
  });
});

describe('value rules', () => {
  it('validates dates, datetimes, booleans and enumerations as HubSpot does', async () => {
    const created = await call(url, 'POST', '/crm/v3/properties/contacts', { name: 'renewal_day', label: 'Renewal day', type: 'date', fieldType: 'date', groupName: 'contactinformation' });
    expect(created.status).toBe(201);
    await call(url, 'POST', '/crm/v3/properties/contacts', { name: 'vip', label: 'VIP', type: 'bool', fieldType: 'booleancheckbox', groupName: 'contactinformation' });
    await call(url, 'POST', '/crm/v3/properties/contacts', {
      name: 'interests', label: 'Interests', type: 'enumeration', fieldType: 'checkbox', groupName: 'contactinformation',
      options: [{ label: 'Jazz', value: 'jazz' }, { label: 'Rock', value: 'rock' }, { label: 'Pop', value: 'pop' }],
    });
    const write = (properties: Record<string, string>) => call(url, 'POST', '/crm/v3/objects/contacts/batch/update', { inputs: [{ id: alice, properties }] });

    const notMidnight = await write({ renewal_day: '1606768561954' });
    expect((notMidnight.body.errors as { message: string; code: string }[])[0]).toMatchObject({ code: 'INVALID_DATE', message: '1606768561954 is at 20:36:1.954 UTC, not midnight!' });
    expect((await write({ renewal_day: '1430438400000', vip: 'TRUE', interests: 'jazz;rock' })).status).toBe(200);
    expect(sandbox.data.getContact(alice)?.properties).toMatchObject({ renewal_day: '2015-05-01', vip: 'true', interests: 'jazz;rock' });
    expect((await write({ interests: ';pop' })).status).toBe(200);
    expect(sandbox.data.getContact(alice)?.properties.interests).toBe('jazz;rock;pop');
    const badOption = await write({ lifecyclestage: 'Customer' });
    expect((badOption.body.errors as { code: string; message: string }[])[0].code).toBe('INVALID_OPTION');
    expect((badOption.body.errors as { code: string; message: string }[])[0].message).toMatch(/^Customer was not one of the allowed options: \[subscriber, lead/);
    expect((await write({ vip: 'yes' })).status).toBe(400);
    expect((await write({ notes_last_updated: 'yesterday' })).status).toBe(400);
    expect((await write({ hs_feedback_last_nps_rating: '1,000' })).status).toBe(400);
    expect((await write({ notes_last_updated: '2024-02-29T03:30:17+02:00' })).status).toBe(200);
    expect(sandbox.data.getContact(alice)?.properties.notes_last_updated).toBe('2024-02-29T01:30:17.000Z');
    // "" clears; a requested empty property reads back as null.
    expect((await write({ renewal_day: '' })).status).toBe(200);
    const read = await call(url, 'GET', `/crm/v3/objects/contacts/${alice}?properties=renewal_day`);
    expect((read.body as unknown as Obj).properties.renewal_day).toBeNull();
  });

  it('keeps stored values when enumeration options change', async () => {
    await call(url, 'POST', '/crm/v3/properties/contacts', {
      name: 'tier', label: 'Tier', type: 'enumeration', fieldType: 'select', groupName: 'contactinformation',
      options: [{ label: 'Gold', value: 'gold' }, { label: 'Silver', value: 'silver' }],
    });
    sandbox.data.updateContact(bob, { tier: 'silver' });
    const patched = await call(url, 'PATCH', '/crm/v3/properties/contacts/tier', { options: [{ label: 'Gold', value: 'gold' }, { label: 'Platinum', value: 'platinum' }] });
    expect(patched.status).toBe(200);
    expect(sandbox.data.getContact(bob)?.properties.tier).toBe('silver');
    expect(() => sandbox.data.updateContact(bob, { tier: 'silver' })).toThrow(/INVALID_OPTION/);
    sandbox.data.updateContact(bob, { tier: 'platinum' });
    expect(sandbox.data.getProperty('contacts', 'tier')?.options?.map((o) => o.value)).toEqual(['gold', 'platinum']);
  });

  it('refuses a second contact with the same email (409 CONFLICT)', async () => {
    const r = await call(url, 'POST', '/crm/v3/objects/contacts', { properties: { email: 'Alice@Example.com' } });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ category: 'CONFLICT', message: `Contact already exists. Existing ID: ${alice}` });
  });
});

describe('archive', () => {
  it('archives with 204, hides the record from lists, and lists it with archived=true', async () => {
    const id = sandbox.data.createContact({ email: 'gone@example.com' });
    const del = await fetch(`${url}/crm/v3/objects/contacts/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(del.status).toBe(204);
    expect(await del.text()).toBe('');
    expect((await call(url, 'GET', `/crm/v3/objects/contacts/${id}`)).status).toBe(404);
    const archived = await call(url, 'GET', '/crm/v3/objects/contacts?archived=true');
    expect((archived.body.results as Obj[]).map((c) => c.id)).toEqual([id]);
    expect((archived.body.results as Obj[])[0].archived).toBe(true);
  });
});

describe('batch create', () => {
  it('creates with 201, or fails the whole request on one invalid input', async () => {
    const ok = await call(url, 'POST', '/crm/v3/objects/deals/batch/create', {
      inputs: [{ properties: { dealname: 'B1', pipeline: 'default', dealstage: 'closedwon', amount: '5' }, associations: [{ to: { id: bob }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }] }] }],
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ status: 'COMPLETE' });
    const [deal] = ok.body.results as Obj[];
    expect(sandbox.data.dealIdsOf(bob)).toContain(deal.id);
    const bad = await call(url, 'POST', '/crm/v3/objects/deals/batch/create', {
      inputs: [{ properties: { dealname: 'B2', pipeline: 'default', dealstage: 'closedwon' } }, { properties: { dealname: 'B3', pipeline: 'default', dealstage: 'closedwon', amount: 'lots' } }],
    });
    expect(bad.status).toBe(400);
    expect(sandbox.data.dealIds().some((id) => sandbox.data.getDeal(id)?.properties.dealname === 'B2')).toBe(false);
  });

  it('creates the valid inputs and reports the others with 207 when every input has an objectWriteTraceId', async () => {
    const r = await call(url, 'POST', '/crm/v3/objects/contacts/batch/create', {
      inputs: [
        { properties: { email: 'traced1@example.com' }, objectWriteTraceId: 't1' },
        { properties: { email: 'traced2@example.com', hs_feedback_last_nps_rating: 'high' }, objectWriteTraceId: 't2' },
        { properties: { email: 'alice@example.com' }, objectWriteTraceId: 't3' },
      ],
    });
    expect(r.status).toBe(207);
    expect((r.body.results as Obj[]).map((c) => c.properties.email)).toEqual(['traced1@example.com']);
    expect(r.body.errors).toEqual([
      expect.objectContaining({ status: 'error', category: 'VALIDATION_ERROR', context: { objectWriteTraceId: ['t2'] } }),
      expect.objectContaining({ status: 'error', category: 'CONFLICT', context: { objectWriteTraceId: ['t3'] } }),
    ]);
  });
});

describe('associations of archived records', () => {
  it('drops an archived deal from its contact’s associations', async () => {
    const contact = sandbox.data.createContact({ email: 'assoc@example.com' });
    const keep = sandbox.data.createDeal({ dealname: 'Keep', pipeline: 'default', dealstage: 'closedwon' }, [contact]);
    const drop = sandbox.data.createDeal({ dealname: 'Drop', pipeline: 'default', dealstage: 'closedwon' }, [contact]);
    await fetch(`${url}/crm/v3/objects/deals/${drop}`, { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(sandbox.data.dealIdsOf(contact)).toEqual([keep]);
    const v4 = await call(url, 'POST', '/crm/v4/associations/contacts/deals/batch/read', { inputs: [{ id: contact }] });
    expect((v4.body.results as { to: { toObjectId: number }[] }[])[0].to.map((t) => String(t.toObjectId))).toEqual([keep]);
    const v3 = await call(url, 'GET', `/crm/v3/objects/contacts/${contact}?associations=deals`);
    expect((v3.body as unknown as Obj).associations?.deals.results.map((a) => a.id)).toEqual([keep]);
  });

  it('refuses more than 1,000 association inputs', async () => {
    const inputs = Array.from({ length: 1001 }, (_, i) => ({ id: String(1001 + i) }));
    const r = await call(url, 'POST', '/crm/v4/associations/contacts/deals/batch/read', { inputs });
    expect(r.status).toBe(400);
    expect(r.body.category).toBe('VALIDATION_ERROR');
  });
});
