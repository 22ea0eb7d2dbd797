// The query resources: batches of 2,000 or Sforce-Query-Options batchSize, nextRecordsUrl locators,
// queryAll, snapshots, and what jsforce's own query paging makes of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asQuery, call, connection, firstError, soql, start, type Started } from './helpers.ts';

let s: Started;
let contactIds: string[];

beforeAll(async () => {
  s = await start({}, (sb) => {
    contactIds = [];
    for (let i = 0; i < 4500; i++) contactIds.push(sb.data.createContact({ LastName: `Person ${String(i).padStart(4, '0')}`, Email: `p${i}@example.com` }));
    const opp = sb.data.createOpportunity({ Name: 'Shared', StageName: 'Prospecting', CloseDate: '2026-01-01' });
    for (const c of contactIds.slice(0, 450)) sb.data.addContactRole(opp, c);
  });
});

afterAll(async () => {
  await s.close();
});

describe('paging', () => {
  it('answers 2,000 records a batch with a nextRecordsUrl until done', async () => {
    const first = asQuery(await soql(s.url, 'SELECT Id FROM Contact'));
    expect(first.totalSize).toBe(4500);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(2000);
    expect(first.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/0r8\w{15}-2000$/);
    const second = asQuery(await call(s.url, 'GET', first.nextRecordsUrl ?? ''));
    expect(second.records).toHaveLength(2000);
    const third = asQuery(await call(s.url, 'GET', second.nextRecordsUrl ?? ''));
    expect(third).toMatchObject({ totalSize: 4500, done: true });
    expect(third.records).toHaveLength(500);
    expect('nextRecordsUrl' in third).toBe(false);
    const all = [...first.records, ...second.records, ...third.records].map((r) => r.Id);
    expect(all).toEqual(contactIds);
  });

  it('honours Sforce-Query-Options batchSize between 200 and 2,000', async () => {
    const page = async (size: string) => asQuery(await soql(s.url, 'SELECT Id FROM Contact', { headers: { 'Sforce-Query-Options': `batchSize=${size}` } })).records.length;
    expect(await page('500')).toBe(500);
    expect(await page('50')).toBe(200);
    expect(await page('5000')).toBe(2000);
  });

  it('counts child rows of subqueries towards the batch', async () => {
    const r = asQuery(await soql(s.url, 'SELECT Name, (SELECT ContactId FROM OpportunityContactRoles) FROM Opportunity', { headers: { 'Sforce-Query-Options': 'batchSize=200' } }));
    // One parent with 450 children still comes back whole: a batch never splits a record.
    expect(r.records).toHaveLength(1);
    expect((r.records[0].OpportunityContactRoles as { totalSize: number }).totalSize).toBe(450);
  });

  it('continues queryAll through /query/ locators, and keeps a snapshot of what matched', async () => {
    const sb = s.sandbox;
    const gone = sb.data.createContact({ LastName: 'Gone' });
    sb.data.delete('Contact', gone);
    expect(asQuery(await soql(s.url, "SELECT Id FROM Contact WHERE LastName = 'Gone'")).totalSize).toBe(0);
    const all = asQuery(await soql(s.url, "SELECT Id, IsDeleted FROM Contact WHERE LastName = 'Gone'", { all: true }));
    expect(all.records).toEqual([expect.objectContaining({ Id: gone, IsDeleted: true })]);
    const first = asQuery(await soql(s.url, 'SELECT Id, Title FROM Contact ORDER BY Id', { all: true, headers: { 'Sforce-Query-Options': 'batchSize=2000' } }));
    expect(first.nextRecordsUrl).toContain('/query/');
    sb.data.update('Contact', contactIds[2500], { Title: 'changed after the query' });
    const second = asQuery(await call(s.url, 'GET', first.nextRecordsUrl ?? ''));
    expect(second.records.find((r) => r.Id === contactIds[2500])?.Title).toBeNull();
  });

  it('rejects unknown locators and a missing query', async () => {
    const r = await call(s.url, 'GET', '/query/0r85e0000000999AAA-2000');
    expect(r.status).toBe(400);
    expect(firstError(r).errorCode).toBe('INVALID_QUERY_LOCATOR');
    expect(firstError(await call(s.url, 'GET', '/query')).errorCode).toBe('MALFORMED_QUERY');
  });
});

describe('through jsforce', () => {
  it('autoFetch follows the locators to the end; without it the first batch comes back', async () => {
    const conn = connection(s.url);
    const first = await conn.query<{ Id: string }>('SELECT Id FROM Contact');
    expect(first.records).toHaveLength(2000);
    expect(first.done).toBe(false);
    const all = await conn.query<{ Id: string }>('SELECT Id FROM Contact', { autoFetch: true, maxFetch: 100_000, headers: { 'Sforce-Query-Options': 'batchSize=1000' } });
    expect(all.records).toHaveLength(4500);
    expect(all.records.slice(0, 4500).map((r) => r.Id)).toEqual(contactIds);
    expect(conn.limitInfo.apiUsage?.used).toBeGreaterThan(0);
  });
});
