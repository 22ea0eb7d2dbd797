// sObject Collections and single-record routes: per-record results in request order, allOrNone
// rollback, value validation against the field definitions, and the audit fields every write bumps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, connection, firstError, start, type Started } from './helpers.ts';

let now = Date.parse('2026-06-10T08:00:00Z');
let s: Started;
let contacts: string[];
let opportunity: string;

beforeAll(async () => {
  s = await start({ clock: () => now }, (sb) => {
    contacts = [0, 1, 2, 3].map((i) => sb.data.createContact({ LastName: `C${i}`, Email: `c${i}@example.com` }));
    opportunity = sb.data.createOpportunity({ Name: 'Deal', StageName: 'Prospecting', CloseDate: '2026-07-01', Amount: 10 });
  });
});

afterAll(async () => {
  await s.close();
});

type Result = { id?: string; success: boolean; errors: { statusCode: string; message: string; fields: string[] }[] };

async function update(records: Record<string, unknown>[], allOrNone = false): Promise<{ status: number; results: Result[]; body: unknown }> {
  const r = await call(s.url, 'PATCH', '/composite/sobjects', { body: { allOrNone, records } });
  return { status: r.status, results: r.body as Result[], body: r.body };
}

const contact = (id: string, fields: Record<string, unknown>) => ({ attributes: { type: 'Contact' }, id, ...fields });

describe('update', () => {
  it('answers one result per record, in request order, with Salesforce’s status codes', async () => {
    const deleted = s.sandbox.data.createContact({ LastName: 'Deleted' });
    s.sandbox.data.delete('Contact', deleted);
    const { status, results } = await update([
      contact(contacts[0], { Title: 'CEO' }),
      contact(contacts[1], { FirstName: 'x'.repeat(41) }),
      contact(contacts[1], { Email: 'not an email' }),
      contact(contacts[1], { Nope__c: 1 }),
      contact(contacts[1], { Name: 'Full Name' }),
      contact(contacts[1], { LastName: null }),
      contact(contacts[1], { Churn_Reason__c: 'Bored' }),
      contact(contacts[1], { NPS_Score__c: 123 }),
      contact(deleted, { Title: 'x' }),
      contact('0035e0000000999AAA', { Title: 'x' }),
      contact('garbage', { Title: 'x' }),
      { attributes: { type: 'Contact' }, Title: 'no id' },
      { attributes: { type: 'Opportunity' }, id: opportunity, StageName: 'Won-ish' },
    ]);
    expect(status).toBe(200);
    expect(results[0]).toEqual({ id: contacts[0], success: true, errors: [] });
    expect(results.slice(1).map((r) => [r.success, r.errors[0]?.statusCode])).toEqual([
      [false, 'STRING_TOO_LONG'],
      [false, 'INVALID_EMAIL_ADDRESS'],
      [false, 'INVALID_FIELD'],
      [false, 'INVALID_FIELD_FOR_INSERT_UPDATE'],
      [false, 'REQUIRED_FIELD_MISSING'],
      [false, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST'],
      [false, 'NUMBER_OUTSIDE_VALID_RANGE'],
      [false, 'ENTITY_IS_DELETED'],
      [false, 'INVALID_CROSS_REFERENCE_KEY'],
      [false, 'MALFORMED_ID'],
      [false, 'MISSING_ARGUMENT'],
      [false, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST'],
    ]);
    expect(results[1].errors[0]).toEqual({ statusCode: 'STRING_TOO_LONG', message: `First Name: data value too large: ${'x'.repeat(41)} (max length=40)`, fields: ['FirstName'] });
    expect(results[3].errors[0]).toEqual({ statusCode: 'INVALID_FIELD', message: "No such column 'Nope__c' on sobject of type Contact", fields: [] });
    expect(results[5].errors[0]).toMatchObject({ message: 'Required fields are missing: [LastName]', fields: ['LastName'] });
    expect(results[6].errors[0].message).toBe('Churn Reason: bad value for restricted picklist field: Bored');
    expect(s.sandbox.data.get('Contact', contacts[0])?.Title).toBe('CEO');
    expect(s.sandbox.data.get('Contact', contacts[1])?.FirstName).toBeNull();
  });

  it('fails the whole request when a value cannot be read as its type', async () => {
    for (const fields of [{ NPS_Score__c: 'nine' }, { Birthdate: '2026-13-45' }, { EmailBouncedDate: 'yesterday' }, { HasOptedOutOfEmail: 'maybe' }]) {
      const { status, body } = await update([contact(contacts[0], { Title: 'not written' }), contact(contacts[1], fields)]);
      expect(status).toBe(400);
      expect((body as { errorCode: string }[])[0].errorCode).toBe('JSON_PARSER_ERROR');
    }
    expect(s.sandbox.data.get('Contact', contacts[0])?.Title).toBe('CEO');
  });

  it('accepts numbers and dates written as strings, and rounds to the field’s scale', async () => {
    const { results } = await update([contact(contacts[2], { NPS_Score__c: '9', Birthdate: '1990-01-02', EmailBouncedDate: '2026-01-01T10:00:00+02:00' })]);
    expect(results[0].success).toBe(true);
    expect(s.sandbox.data.get('Contact', contacts[2])).toMatchObject({ NPS_Score__c: 9, Birthdate: '1990-01-02', EmailBouncedDate: '2026-01-01T08:00:00.000+0000' });
    await update([{ attributes: { type: 'Opportunity' }, id: opportunity, Amount: 10.555 }]);
    expect(s.sandbox.data.get('Opportunity', opportunity)?.Amount).toBe(10.56);
  });

  it('rolls back every record with allOrNone when one fails', async () => {
    const { results } = await update([contact(contacts[3], { Title: 'rolled back' }), contact(contacts[3], { Email: 'bad' })], true);
    expect(results).toEqual([
      { success: false, errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] }] },
      { success: false, errors: [expect.objectContaining({ statusCode: 'INVALID_EMAIL_ADDRESS' })] },
    ]);
    expect(s.sandbox.data.get('Contact', contacts[3])?.Title).toBeNull();
  });

  it('refuses more than 200 records', async () => {
    const r = await call(s.url, 'PATCH', '/composite/sobjects', { body: { records: Array.from({ length: 201 }, () => contact(contacts[0], { Title: 'x' })) } });
    expect(r.status).toBe(400);
    expect(firstError(r)).toEqual({ errorCode: 'EXCEEDED_ID_LIMIT', message: 'record limit reached. cannot submit more than 200 records into this call' });
  });

  it('bumps SystemModstamp and LastModifiedDate on every write, and derives the stage flags', async () => {
    const before = s.sandbox.data.get('Opportunity', opportunity);
    now += 60_000;
    const { results } = await update([{ attributes: { type: 'Opportunity' }, id: opportunity.slice(0, 15), StageName: 'Closed Won' }]);
    expect(results[0]).toEqual({ id: opportunity, success: true, errors: [] });
    const after = s.sandbox.data.get('Opportunity', opportunity);
    expect(after).toMatchObject({ IsClosed: true, IsWon: true, Probability: 100, ForecastCategoryName: 'Closed', SystemModstamp: '2026-06-10T08:01:00.000+0000', LastModifiedDate: '2026-06-10T08:01:00.000+0000' });
    expect(before?.IsWon).toBe(false);
    // Within the same millisecond a second write still moves SystemModstamp forward.
    await update([{ attributes: { type: 'Opportunity' }, id: opportunity, Description: 'again' }]);
    expect(s.sandbox.data.get('Opportunity', opportunity)?.SystemModstamp).toBe('2026-06-10T08:01:00.001+0000');
  });
});

describe('create, retrieve and delete', () => {
  it('creates records with per-record results', async () => {
    const r = await call(s.url, 'POST', '/composite/sobjects', { body: { records: [{ attributes: { type: 'Contact' }, LastName: 'New' }, { attributes: { type: 'Contact' }, FirstName: 'No last name' }, { attributes: { type: 'Contact' }, Id: contacts[0], LastName: 'x' }] } });
    const results = r.body as Result[];
    expect(results[0].success).toBe(true);
    expect(results[0].id).toMatch(/^003\w{15}$/);
    expect(results[1].errors[0]).toMatchObject({ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] });
    expect(results[2].errors[0].statusCode).toBe('INVALID_FIELD');
  });

  it('retrieves by id with the fields asked for, null for unknown ids, 400 for an unknown field', async () => {
    const conn = connection(s.url);
    const got = await conn.sobject('Contact').retrieve([contacts[0], '0035e0000000999AAA'], { fields: ['LastName', 'Title'] });
    expect(got).toEqual([{ attributes: { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${contacts[0]}` }, LastName: 'C0', Title: 'CEO' }, null]);
    const viaGet = await call(s.url, 'GET', `/composite/sobjects/Contact?ids=${contacts[0]},${contacts[1]}&fields=Email`);
    expect((viaGet.body as Record<string, unknown>[]).map((r) => r.Email)).toEqual(['c0@example.com', 'c1@example.com']);
    const bad = await call(s.url, 'GET', `/composite/sobjects/Contact?ids=${contacts[0]}&fields=Nope`);
    expect(bad.status).toBe(400);
    expect(firstError(bad).errorCode).toBe('INVALID_FIELD');
  });

  it('single-record routes: 201 create, GET, 204 PATCH and DELETE, 404 afterwards', async () => {
    const created = await call(s.url, 'POST', '/sobjects/Contact', { body: { LastName: 'Single', Email: 'single@example.com' } });
    expect(created.status).toBe(201);
    const { id } = created.body as { id: string };
    expect(created.body).toEqual({ id, success: true, errors: [] });
    const got = await call(s.url, 'GET', `/sobjects/Contact/${id}?fields=Email,Name`);
    expect(got.body).toEqual({ attributes: { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${id}` }, Email: 'single@example.com', Name: 'Single' });
    expect((await call(s.url, 'PATCH', `/sobjects/Contact/${id}`, { body: { FirstName: 'Sam' } })).status).toBe(204);
    const bad = await call(s.url, 'PATCH', `/sobjects/Contact/${id}`, { body: { Email: 'nope' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual([{ message: 'Email: invalid email address: nope', errorCode: 'INVALID_EMAIL_ADDRESS', fields: ['Email'] }]);
    expect((await call(s.url, 'DELETE', `/sobjects/Contact/${id}`)).status).toBe(204);
    expect(firstError(await call(s.url, 'GET', `/sobjects/Contact/${id}`)).errorCode).toBe('ENTITY_IS_DELETED');
    expect(firstError(await call(s.url, 'GET', '/sobjects/Contact/0035e0000000999AAA')).errorCode).toBe('NOT_FOUND');
  });

  it('deletes by ids, cascading to contact roles', async () => {
    const c = s.sandbox.data.createContact({ LastName: 'Cascade' });
    const o = s.sandbox.data.createOpportunity({ Name: 'O', StageName: 'Prospecting', CloseDate: '2026-01-01' }, [c]);
    const r = await call(s.url, 'DELETE', `/composite/sobjects?ids=${c},${c}`);
    expect((r.body as Result[]).map((x) => x.success ? 'ok' : x.errors[0].statusCode)).toEqual(['ok', 'ENTITY_IS_DELETED']);
    expect(s.sandbox.data.contactIdsOf(o)).toEqual([]);
  });
});
