// The date-based paths (2026-03, 2026-09) beside the numbered ones, and the account's validation rules
// that 2026-09 writes must pass: raw HTTP, exact statuses and bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotSandbox, type HubSpotSandbox } from '../index.ts';

const TOKEN = 'sandbox-private-app-token';

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url + path, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

let sandbox: HubSpotSandbox;
let url: string;
let withPhone: string;
let lead: string;
let other: string;
let deal: string;

const RULE = { objectType: 'contacts' as const, required: 'phone', when: { property: 'lifecyclestage', values: ['customer'] }, message: 'A customer needs a phone number' };

beforeAll(async () => {
  sandbox = createHubSpotSandbox({ limits: { tenSecondly: 100_000, searchPerSecond: 1000 }, validationRules: [RULE] });
  withPhone = sandbox.data.createContact({ email: 'a@example.com', phone: '+1 555 0100' });
  lead = sandbox.data.createContact({ email: 'b@example.com', lifecyclestage: 'lead' });
  other = sandbox.data.createContact({ email: 'c@example.com' });
  deal = sandbox.data.createDeal({ dealname: 'Won', amount: '10', pipeline: 'default', dealstage: 'closedwon', closedate: '2026-01-01T12:00:00Z' }, [withPhone, lead]);
  url = await sandbox.listen();
});

afterAll(async () => {
  await sandbox.close();
});

describe('date-based paths', () => {
  it('associations: the same pages at v4 and the dated paths; ids are numbers at v4, strings on the dated ones', async () => {
    const body = { inputs: [{ id: deal }] };
    const v4 = await call('POST', '/crm/v4/associations/deals/contacts/batch/read', body);
    const ids = (r: { body: Record<string, unknown> }) => ((r.body.results as { to: { toObjectId: unknown }[] }[])[0]?.to ?? []).map((t) => t.toObjectId);
    expect(ids(v4)).toEqual([Number(withPhone), Number(lead)]);
    for (const version of ['2026-03', '2026-09']) {
      const dated = await call('POST', `/crm/associations/${version}/deals/contacts/batch/read`, body);
      expect(dated.status, version).toBe(200);
      expect((dated.body.results as { from: { id: string } }[])[0].from).toEqual({ id: deal });
      expect(ids(dated), version).toEqual([withPhone, lead]);
    }
    // A deal without contacts: 207 with NO_ASSOCIATIONS_FOUND, as at v4.
    const lonely = sandbox.data.createDeal({ dealname: 'Alone', pipeline: 'default', dealstage: 'appointmentscheduled' });
    const none = await call('POST', '/crm/associations/2026-09/deals/contacts/batch/read', { inputs: [{ id: lonely }] });
    expect(none.status).toBe(207);
    expect(none.body.errors).toEqual([expect.objectContaining({ subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND' })]);
  });

  it('objects and properties answer on the dated paths, and the stats name the path used', async () => {
    sandbox.stats.reset();
    const read = await call('POST', '/crm/objects/2026-03/contacts/batch/read', { inputs: [{ id: lead }], properties: ['email'] });
    expect(read.status).toBe(200);
    expect((read.body.results as { properties: Record<string, string> }[])[0].properties.email).toBe('b@example.com');
    expect((await call('GET', '/crm/properties/2026-09/contacts/phone')).body).toMatchObject({ name: 'phone' });
    const page = await call('GET', '/crm/objects/2026-09/contacts?limit=1');
    expect((page.body.paging as { next: { link: string } }).next.link).toContain('/crm/objects/2026-09/contacts?limit=1&after=');
    expect(sandbox.stats.byRoute).toMatchObject({ 'POST /crm/objects/2026-03/contacts/batch/read': 1, 'GET /crm/properties/2026-09/contacts/{propertyName}': 1 });
    expect((await call('GET', '/crm/objects/2025-09/contacts')).status).toBe(404);
  });
});

describe('validation rules (2026-09 writes)', () => {
  const customer = (id: string) => ({ id, properties: { lifecyclestage: 'customer' } });

  it('a batch update breaking a rule is a 400 naming each refused record; nothing of the batch is written', async () => {
    const r = await call('POST', '/crm/objects/2026-09/contacts/batch/update', { inputs: [customer(withPhone), customer(lead), customer(other)] });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      status: 'error',
      category: 'VALIDATION_ERROR',
      message: `2 record(s) did not pass the validation rules of portal ${sandbox.portalId}: [${lead}, ${other}]`,
      errors: [
        { message: 'A customer needs a phone number', code: 'REQUIRED_PROPERTY', context: { ids: [lead], propertyName: ['phone'] } },
        { message: 'A customer needs a phone number', code: 'REQUIRED_PROPERTY', context: { ids: [other], propertyName: ['phone'] } },
      ],
    });
    expect(sandbox.data.getContact(withPhone)?.properties.lifecyclestage).toBeUndefined();
    expect(sandbox.data.getContact(lead)?.properties.lifecyclestage).toBe('lead');
    // Without the refused records the batch goes through.
    expect((await call('POST', '/crm/objects/2026-09/contacts/batch/update', { inputs: [customer(withPhone)] })).status).toBe(200);
    expect(sandbox.data.getContact(withPhone)?.properties.lifecyclestage).toBe('customer');
  });

  it('a write that gives the required value, or does not touch the rule’s properties, passes; clearing the required value is refused', async () => {
    expect((await call('POST', '/crm/objects/2026-09/contacts/batch/update', { inputs: [{ id: lead, properties: { lifecyclestage: 'customer', phone: '+1 555 0101' } }] })).status).toBe(200);
    expect((await call('PATCH', `/crm/objects/2026-09/contacts/${withPhone}`, { properties: { firstname: 'Ann' } })).status).toBe(200);
    const cleared = await call('PATCH', `/crm/objects/2026-09/contacts/${withPhone}`, { properties: { phone: '' } });
    expect(cleared.status).toBe(400);
    expect(cleared.body.errors).toEqual([expect.objectContaining({ context: { ids: [withPhone], propertyName: ['phone'] } })]);
  });

  it('2026-03 and v3 writes do not apply the rules', async () => {
    const fresh = sandbox.data.createContact({ email: 'd@example.com' });
    expect((await call('POST', '/crm/objects/2026-03/contacts/batch/update', { inputs: [customer(fresh)] })).status).toBe(200);
    const another = sandbox.data.createContact({ email: 'e@example.com' });
    expect((await call('PATCH', `/crm/v3/objects/contacts/${another}`, { properties: { lifecyclestage: 'customer' } })).status).toBe(200);
  });

  it('rules are replaced by the admin call; a bad rule is refused naming its field', async () => {
    expect(() => sandbox.setValidationRules([{ ...RULE, when: { property: 'lifecyclestage', values: [] } }])).toThrow(/at least one value[\s\S]*when\.values/);
    sandbox.setValidationRules([]);
    const fresh = sandbox.data.createContact({ email: 'f@example.com' });
    expect((await call('POST', '/crm/objects/2026-09/contacts/batch/update', { inputs: [customer(fresh)] })).status).toBe(200);
  });
});
