// CRM search over raw HTTP: operators, groups, sorting, paging, documented limits and index lag.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotSandbox, type HubSpotSandbox } from '../index.ts';

const TOKEN = 'sandbox-private-app-token';
const LAG = 5000;

interface Found {
  status: number;
  headers: Headers;
  body: { total: number; results: { id: string; properties: Record<string, string | null> }[]; paging?: { next: { after: string } }; message?: string; category?: string };
}

async function search(url: string, body: unknown, type = 'contacts'): Promise<Found> {
  const res = await fetch(`${url}/crm/v3/objects/${type}/search`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Found['body'] };
}

const f = (propertyName: string, operator: string, value?: string, extra: Record<string, unknown> = {}) => ({ propertyName, operator, ...(value === undefined ? {} : { value }), ...extra });
const ids = (r: Found) => r.body.results.map((x) => x.id);

let now = Date.UTC(2026, 0, 15, 12);
let sandbox: HubSpotSandbox;
let url: string;
const c: Record<string, string> = {};

beforeAll(async () => {
  sandbox = createHubSpotSandbox({ clock: () => now, searchLagMs: LAG, limits: { searchPerSecond: 10_000 } });
  c.ann = sandbox.data.createContact({ email: 'ann.lee@acme.com', firstname: 'Ann', lastname: 'Lee', lifecyclestage: 'customer', hs_feedback_last_nps_rating: '10', notes_last_updated: '2026-01-10T00:00:00Z' });
  now += 1000;
  c.bo = sandbox.data.createContact({ email: 'bo@globex.com', firstname: 'Bo', lastname: 'Stone', lifecyclestage: 'lead', hs_feedback_last_nps_rating: '6' });
  now += 1000;
  c.cy = sandbox.data.createContact({ email: 'cy@acme.com', firstname: 'Cy', lastname: 'Lee', lifecyclestage: 'customer', notes_last_updated: '2026-01-01T00:00:00Z' });
  now += 1000;
  c.di = sandbox.data.createContact({ email: 'di@initech.com', firstname: 'Di', lastname: 'Park', lifecyclestage: 'opportunity', hs_feedback_last_nps_rating: '8' });
  sandbox.data.createDeal({ dealname: 'Big one', amount: '500', pipeline: 'default', dealstage: 'closedwon' }, [c.di]);
  now += LAG;
  url = await sandbox.listen();
});

afterAll(async () => {
  await sandbox.close();
});

describe('filters', () => {
  const cases: [string, unknown[], string[]][] = [
    ['EQ on a string is case-insensitive', [f('lastname', 'EQ', 'LEE')], ['ann', 'cy']],
    ['NEQ also matches records without a value', [f('hs_feedback_last_nps_rating', 'NEQ', '10')], ['bo', 'cy', 'di']],
    ['LT on a number', [f('hs_feedback_last_nps_rating', 'LT', '8')], ['bo']],
    ['LTE on a number', [f('hs_feedback_last_nps_rating', 'LTE', '8')], ['bo', 'di']],
    ['GT on a number', [f('hs_feedback_last_nps_rating', 'GT', '8')], ['ann']],
    ['GTE on a number', [f('hs_feedback_last_nps_rating', 'GTE', '8')], ['ann', 'di']],
    ['BETWEEN on a datetime in epoch ms', [f('notes_last_updated', 'BETWEEN', String(Date.UTC(2026, 0, 5)), { highValue: String(Date.UTC(2026, 0, 11)) })], ['ann']],
    ['IN on an enumeration', [f('lifecyclestage', 'IN', undefined, { values: ['lead', 'opportunity'] })], ['bo', 'di']],
    ['enumerations are case-sensitive', [f('lifecyclestage', 'EQ', 'Customer')], []],
    ['IN on a string wants lowercase values', [f('lastname', 'IN', undefined, { values: ['lee', 'Park'] })], ['ann', 'cy']],
    ['NOT_IN', [f('lifecyclestage', 'NOT_IN', undefined, { values: ['customer'] })], ['bo', 'di']],
    ['HAS_PROPERTY', [f('notes_last_updated', 'HAS_PROPERTY')], ['ann', 'cy']],
    ['NOT_HAS_PROPERTY', [f('hs_feedback_last_nps_rating', 'NOT_HAS_PROPERTY')], ['cy']],
    ['CONTAINS_TOKEN with a wildcard', [f('email', 'CONTAINS_TOKEN', '*@acme.com')], ['ann', 'cy']],
    ['NOT_CONTAINS_TOKEN', [f('email', 'NOT_CONTAINS_TOKEN', '*@acme.com')], ['bo', 'di']],
    ['filters in a group are ANDed', [f('lastname', 'EQ', 'lee'), f('hs_feedback_last_nps_rating', 'HAS_PROPERTY')], ['ann']],
    ['the associations pseudo-property', [f('associations.deal', 'HAS_PROPERTY')], ['di']],
  ];
  it.each(cases)('%s', async (_name, filters, expected) => {
    const r = await search(url, { filterGroups: [{ filters }] });
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual(expected.map((k) => c[k]));
    expect(r.body.total).toBe(expected.length);
  });

  it('ORs filter groups', async () => {
    const r = await search(url, { filterGroups: [{ filters: [f('firstname', 'EQ', 'bo')] }, { filters: [f('firstname', 'EQ', 'di')] }] });
    expect(ids(r)).toEqual([c.bo, c.di]);
  });

  it('searches default text properties with query', async () => {
    expect(ids(await search(url, { query: 'lee' }))).toEqual([c.ann, c.cy]);
    expect(ids(await search(url, { query: 'initech' }))).toEqual([c.di]);
  });

  it('refuses unknown properties and missing values', async () => {
    expect((await search(url, { filterGroups: [{ filters: [f('nope', 'EQ', 'x')] }] })).status).toBe(400);
    expect((await search(url, { filterGroups: [{ filters: [f('lastname', 'EQ')] }] })).status).toBe(400);
    expect((await search(url, { filterGroups: [{ filters: [f('notes_last_updated', 'GT', 'last week')] }] })).status).toBe(400);
  });
});

describe('sorting, paging and responses', () => {
  it('sorts by one property either way; default order is creation order', async () => {
    expect(ids(await search(url, {}))).toEqual([c.ann, c.bo, c.cy, c.di]);
    const asc = await search(url, { sorts: [{ propertyName: 'hs_feedback_last_nps_rating', direction: 'ASCENDING' }] });
    expect(ids(asc)).toEqual([c.bo, c.di, c.ann, c.cy]); // no value last
    const desc = await search(url, { sorts: [{ propertyName: 'firstname', direction: 'DESCENDING' }] });
    expect(ids(desc)).toEqual([c.di, c.cy, c.bo, c.ann]);
  });

  it('pages with integer-string offsets and reports the total', async () => {
    const first = await search(url, { limit: 3, sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }] });
    expect(first.body.total).toBe(4);
    expect(first.body.paging).toEqual({ next: { after: '3' } });
    const second = await search(url, { limit: 3, after: '3', sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }] });
    expect(ids(second)).toEqual([c.di]);
    expect(second.body).not.toHaveProperty('paging');
  });

  it('returns the default properties, or the requested ones plus the always-returned ones', async () => {
    const plain = await search(url, { limit: 1 });
    expect(Object.keys(plain.body.results[0].properties)).toEqual(['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname']);
    const chosen = await search(url, { limit: 1, properties: ['lifecyclestage', 'hs_email_last_open_date'] });
    expect(chosen.body.results[0].properties).toEqual({
      createdate: expect.any(String) as string, hs_email_last_open_date: null, hs_object_id: c.ann,
      lastmodifieddate: expect.any(String) as string, lifecyclestage: 'customer',
    });
  });

  it('sends no rate-limit headers but a correlation id', async () => {
    const r = await search(url, {});
    expect(r.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(r.headers.get('x-hubspot-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect([...r.headers.keys()].filter((k) => k.startsWith('x-hubspot-ratelimit'))).toEqual([]);
  });

  it('searches deals, where the modified date is hs_lastmodifieddate', async () => {
    const r = await search(url, { filterGroups: [{ filters: [f('hs_is_closed_won', 'EQ', 'true')] }] }, 'deals');
    expect(r.body.total).toBe(1);
    expect(Object.keys(r.body.results[0].properties)).toContain('hs_lastmodifieddate');
  });
});

describe('documented limits (400 VALIDATION_ERROR)', () => {
  const group = (n: number) => ({ filters: Array.from({ length: n }, () => f('firstname', 'HAS_PROPERTY')) });
  it.each([
    ['6 filter groups', { filterGroups: Array.from({ length: 6 }, () => group(1)) }],
    ['7 filters in a group', { filterGroups: [group(7)] }],
    ['19 filters in all', { filterGroups: [group(6), group(6), group(6), group(1)] }],
    ['two sorts', { sorts: [{ propertyName: 'firstname' }, { propertyName: 'lastname' }] }],
    ['limit 201', { limit: 201 }],
    ['a non-integer after', { after: 'abc' }],
    ['an unknown operator', { filterGroups: [{ filters: [f('firstname', 'LIKE', 'x')] }] }],
  ])('%s', async (_name, body) => {
    const r = await search(url, body);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
  });

  it('refuses a body over 3,000 characters', async () => {
    const body = JSON.stringify({ query: 'x'.repeat(3000) });
    expect((await search(url, body)).status).toBe(400);
  });
});

describe('index lag', () => {
  it('shows a write to search only after the lag, while GET sees it at once', async () => {
    const id = sandbox.data.createContact({ email: 'late@acme.com', firstname: 'Late' });
    const query = { filterGroups: [{ filters: [f('email', 'EQ', 'late@acme.com')] }] };
    expect((await search(url, query)).body.total).toBe(0);
    const got = await fetch(`${url}/crm/v3/objects/contacts/${id}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(got.status).toBe(200);
    now += LAG - 1;
    expect((await search(url, query)).body.total).toBe(0);
    now += 1;
    expect((await search(url, query)).body.total).toBe(1);

    sandbox.data.updateContact(id, { firstname: 'Later' });
    const stale = await search(url, query);
    expect(stale.body.results[0].properties.firstname).toBe('Late');
    now += LAG;
    expect((await search(url, query)).body.results[0].properties.firstname).toBe('Later');
  });

  it('drops archived records from search after the lag', async () => {
    const id = sandbox.data.createContact({ email: 'temp@acme.com' });
    now += LAG;
    const del = await fetch(`${url}/crm/v3/objects/contacts/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(del.status).toBe(204);
    const query = { filterGroups: [{ filters: [f('email', 'EQ', 'temp@acme.com')] }] };
    expect((await search(url, query)).body.total).toBe(1);
    now += LAG;
    expect((await search(url, query)).body.total).toBe(0);
  });
});

describe('incremental sync pattern and the 10,000-result cap', () => {
  let big: HubSpotSandbox;
  let bigUrl: string;
  beforeAll(async () => {
    big = createHubSpotSandbox({ limits: { searchPerSecond: 10_000 } });
    for (let i = 0; i < 10_050; i++) big.data.createContact({ email: `p${i}@example.com`, lifecyclestage: i % 2 === 0 ? 'lead' : 'customer' });
    bigUrl = await big.listen();
  });
  afterAll(async () => {
    await big.close();
  });

  const window = (after?: string, limit = 200) => ({
    filterGroups: [{ filters: [f('lastmodifieddate', 'GTE', '0')] }],
    sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
    limit,
    ...(after === undefined ? {} : { after }),
  });

  it('reports the true total and pages up to 10,000', async () => {
    const r = await search(bigUrl, window('9800'));
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(10_050);
    expect(r.body.paging?.next.after).toBe('10000');
  });

  it('answers 400 at or across 10,000', async () => {
    const at = await search(bigUrl, window('10000', 10));
    expect(at.status).toBe(400);
    expect(at.body.category).toBe('VALIDATION_ERROR');
    expect((await search(bigUrl, window('9900', 200))).status).toBe(400);
  });

  it('matches OR-groups that each bound the modified date (the sync engine pattern)', async () => {
    const ids = big.data.contactIds();
    const cutoff = Date.parse(big.data.getContact(ids[10_000])?.properties.lastmodifieddate ?? '');
    const windowFilter = f('lastmodifieddate', 'GTE', String(cutoff));
    const r = await search(bigUrl, {
      filterGroups: [{ filters: [windowFilter, f('lifecyclestage', 'EQ', 'lead')] }, { filters: [windowFilter, f('lifecyclestage', 'EQ', 'customer')] }],
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
      limit: 100,
    });
    const expected = ids.filter((id) => Date.parse(big.data.getContact(id)?.properties.lastmodifieddate ?? '') >= cutoff);
    expect(r.body.total).toBe(expected.length);
    expect(ids.length).toBe(10_050);
  });
});
