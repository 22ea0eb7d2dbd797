// Bulk API 2.0: query jobs with paged CSV results (Sforce-Locator / Sforce-NumberOfRecords), and
// ingest jobs with successful, failed and unprocessed results. Jobs advance asynchronously.
import Papa from 'papaparse';
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, connection, firstError, start, type Started } from './helpers.ts';

let s: Started;
let conn: Connection;
let ids: string[];

beforeAll(async () => {
  // Long enough that a request right after creating a job reliably finds it unfinished, even on a busy machine.
  s = await start({ bulk: { processingDelayMs: 300, resultPageRecords: 1000 } }, (sb) => {
    ids = [];
    for (let i = 0; i < 2500; i++) ids.push(sb.data.createContact({ LastName: `L${i}`, Email: i % 10 === 0 ? null : `c${i}@example.com`, EmailBouncedDate: i === 1 ? '2026-01-02T03:04:05Z' : null }));
  });
  conn = connection(s.url);
  conn.bulk2.pollInterval = 20;
});

afterAll(async () => {
  await s.close();
});

async function waitFor(path: string, states: string[]): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const info = (await call(s.url, 'GET', path)).body as Record<string, unknown>;
    if (states.includes(String(info.state))) return info;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`job never reached ${states.join('/')}`);
}

describe('query jobs', () => {
  it('pages results by maxRecords, each page a CSV with its header, until Sforce-Locator is "null"', async () => {
    const created = await call(s.url, 'POST', '/jobs/query', { body: { operation: 'query', query: 'SELECT Id, Email, EmailBouncedDate FROM Contact' } });
    expect(created.status).toBe(200);
    const job = created.body as Record<string, unknown>;
    expect(job).toMatchObject({ operation: 'query', object: 'Contact', state: 'UploadComplete', contentType: 'CSV', apiVersion: 62, lineEnding: 'LF', columnDelimiter: 'COMMA' });
    const early = await call(s.url, 'GET', `/jobs/query/${String(job.id)}/results`);
    expect(early.status).toBe(412);
    const done = await waitFor(`/jobs/query/${String(job.id)}`, ['JobComplete']);
    expect(done).toMatchObject({ numberRecordsProcessed: 2500, jobType: 'V2Query' });
    const rows: string[][] = [];
    const counts: string[] = [];
    let locator: string | null = '';
    while (locator !== null) {
      const page = await call(s.url, 'GET', `/jobs/query/${String(job.id)}/results?maxRecords=1000${locator === '' ? '' : `&locator=${locator}`}`);
      expect(page.headers.get('content-type')).toContain('text/csv');
      counts.push(page.headers.get('sforce-numberofrecords') ?? '');
      const parsed = Papa.parse<string[]>(page.text, { skipEmptyLines: true }).data;
      expect(parsed[0]).toEqual(['Id', 'Email', 'EmailBouncedDate']);
      rows.push(...parsed.slice(1));
      const next = page.headers.get('sforce-locator');
      locator = next === 'null' ? null : next;
    }
    expect(counts).toEqual(['1000', '1000', '500']);
    expect(rows.map((r) => r[0])).toEqual(ids);
    expect(rows[0]).toEqual([ids[0], '', '']);
    expect(rows[1]).toEqual([ids[1], 'c1@example.com', '2026-01-02T03:04:05.000Z']);
    const mismatch = await call(s.url, 'GET', `/services/data/v63.0/jobs/query/${String(job.id)}/results`);
    expect(mismatch.status).toBe(409);
  });

  it('serves a single-page result to jsforce’s bulk2.query', async () => {
    const records = await (await conn.bulk2.query("SELECT Id, LastName FROM Contact WHERE LastName LIKE 'L24%'")).toArray();
    expect(records).toHaveLength(111);
    expect(records[0]).toEqual({ Id: ids[24], LastName: 'L24' });
  });

  it('refuses what Bulk API 2.0 queries cannot do, and reports SOQL errors', async () => {
    for (const query of ['SELECT Id, (SELECT Id FROM OpportunityContactRoles) FROM Contact', 'SELECT COUNT() FROM Contact', 'SELECT Id FROM Contact OFFSET 5']) {
      const r = await call(s.url, 'POST', '/jobs/query', { body: { operation: 'query', query } });
      expect(r.status, query).toBe(400);
      expect(firstError(r).errorCode, query).toBe('API_ERROR');
    }
    expect(firstError(await call(s.url, 'POST', '/jobs/query', { body: { operation: 'query', query: 'SELECT Nope FROM Contact' } })).errorCode).toBe('INVALID_FIELD');
  });

  it('aborts and deletes jobs', async () => {
    const job = (await call(s.url, 'POST', '/jobs/query', { body: { operation: 'queryAll', query: 'SELECT Id FROM Contact' } })).body as { id: string };
    const aborted = await call(s.url, 'PATCH', `/jobs/query/${job.id}`, { body: { state: 'Aborted' } });
    expect((aborted.body as { state: string }).state).toBe('Aborted');
    expect((await call(s.url, 'DELETE', `/jobs/query/${job.id}`)).status).toBe(204);
    expect((await call(s.url, 'GET', `/jobs/query/${job.id}`)).status).toBe(404);
  });
});

describe('ingest jobs', () => {
  it('updates through jsforce, with failed rows, #N/A for null and empty cells left unchanged', async () => {
    s.sandbox.data.update('Contact', ids[3], { Title: 'Keep me', Phone: '123' });
    const result = await conn.bulk2.loadAndWaitForResults({
      object: 'Contact',
      operation: 'update',
      pollInterval: 20,
      input: [
        { Id: ids[3], Email: 'new@example.com', Title: '', Phone: null },
        { Id: ids[4], Email: 'not an email', Title: '', Phone: null },
        { Id: '0035e0000000ZZZAAA', Email: 'a@example.com', Title: '', Phone: null },
      ],
    });
    expect(result.successfulResults).toEqual([{ sf__Id: ids[3], sf__Created: 'false', Id: ids[3], Email: 'new@example.com', Title: '', Phone: '#N/A' }]);
    expect(result.failedResults.map((r) => [r.sf__Id, r.sf__Error])).toEqual([
      [ids[4], 'INVALID_EMAIL_ADDRESS:Email: invalid email address: not an email:Email --'],
      ['0035e0000000ZZZAAA', 'INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--'],
    ]);
    expect(s.sandbox.data.get('Contact', ids[3])).toMatchObject({ Email: 'new@example.com', Title: 'Keep me', Phone: null });
  });

  it('walks the documented states over HTTP, with counters and one upload per job', async () => {
    const created = await call(s.url, 'POST', '/jobs/ingest', { body: { object: 'Contact', operation: 'insert', lineEnding: 'CRLF' } });
    const job = created.body as { id: string; state: string; contentUrl: string };
    expect(job.state).toBe('Open');
    expect(job.contentUrl).toBe(`services/data/v62.0/jobs/ingest/${job.id}/batches`);
    const csv = 'LastName,Email,NPS_Score__c\r\n"Insert, One",one@example.com,9\r\nTwo,two@example.com,ten\r\n,three@example.com,1\r\n';
    expect((await call(s.url, 'PUT', `/jobs/ingest/${job.id}/batches`, { raw: csv, headers: { 'Content-Type': 'text/csv' } })).status).toBe(201);
    const twice = await call(s.url, 'PUT', `/jobs/ingest/${job.id}/batches`, { raw: csv, headers: { 'Content-Type': 'text/csv' } });
    expect(firstError(twice).message).toContain('Found multiple contents for job');
    const closed = await call(s.url, 'PATCH', `/jobs/ingest/${job.id}`, { body: { state: 'UploadComplete' } });
    expect((closed.body as { state: string }).state).toBe('UploadComplete');
    const done = await waitFor(`/jobs/ingest/${job.id}`, ['JobComplete', 'Failed']);
    expect(done).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 3, numberRecordsFailed: 2, jobType: 'V2Ingest' });
    const ok = Papa.parse<Record<string, string>>((await call(s.url, 'GET', `/jobs/ingest/${job.id}/successfulResults/`)).text, { header: true, skipEmptyLines: true, newline: '\r\n' }).data;
    expect(ok).toEqual([{ sf__Id: expect.stringMatching(/^003/) as unknown, sf__Created: 'true', LastName: 'Insert, One', Email: 'one@example.com', NPS_Score__c: '9' }]);
    const failed = Papa.parse<Record<string, string>>((await call(s.url, 'GET', `/jobs/ingest/${job.id}/failedResults/`)).text, { header: true, skipEmptyLines: true, newline: '\r\n' }).data;
    expect(failed.map((r) => r.sf__Error)).toEqual([
      "INVALID_FIELD:Failed to deserialize field at col 3. Due to, 'ten' is not a valid value for the type xsd:double:NPS_Score__c --",
      'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --',
    ]);
  });

  it('fails a job whose header names an unknown field, leaving its rows unprocessed', async () => {
    const job = (await call(s.url, 'POST', '/jobs/ingest', { body: { object: 'Contact', operation: 'update' } })).body as { id: string };
    await call(s.url, 'PUT', `/jobs/ingest/${job.id}/batches`, { raw: `Id,Nope__c\n${ids[5]},x\n`, headers: { 'Content-Type': 'text/csv' } });
    await call(s.url, 'PATCH', `/jobs/ingest/${job.id}`, { body: { state: 'UploadComplete' } });
    const done = await waitFor(`/jobs/ingest/${job.id}`, ['JobComplete', 'Failed']);
    expect(done).toMatchObject({ state: 'Failed', errorMessage: 'InvalidBatch : Field name not found : Nope__c' });
    const unprocessed = (await call(s.url, 'GET', `/jobs/ingest/${job.id}/unprocessedrecords/`)).text;
    expect(unprocessed).toBe(`"Id","Nope__c"\n"${ids[5]}","x"\n`);
  });

  it('upserts on Id and deletes', async () => {
    const upsert = await conn.bulk2.loadAndWaitForResults({ object: 'Contact', operation: 'upsert', externalIdFieldName: 'Id', pollInterval: 20, input: [{ Id: ids[6], LastName: 'Updated' }, { Id: '', LastName: 'Created' }] });
    expect(upsert.successfulResults.map((r) => r.sf__Created)).toEqual(['false', 'true']);
    const removed = await conn.bulk2.loadAndWaitForResults({ object: 'Contact', operation: 'delete', pollInterval: 20, input: [{ Id: ids[7] }] });
    expect(removed.successfulResults).toHaveLength(1);
    expect(s.sandbox.data.get('Contact', ids[7])?.IsDeleted).toBe(true);
  });
});
