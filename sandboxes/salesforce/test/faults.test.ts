// Injected failures (setFaults) and the request counters tests use to interrupt a client mid-run.
import { Connection, OAuth2 } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONNECTED_APP, type RequestEvent } from '../index.ts';
import { call, connection, soql, start, VERSION, type Started } from './helpers.ts';

let s: Started;
let ids: string[];

beforeAll(async () => {
  s = await start({ bulk: { processingDelayMs: 20 } }, (sb) => {
    ids = Array.from({ length: 50 }, (_, i) => sb.data.createContact({ LastName: `F${i}` }));
  });
});

afterAll(async () => {
  await s.close();
});

describe('injected faults', () => {
  it('answers 500 and 503 with Salesforce’s bodies, decided by a seeded sequence', async () => {
    const statuses = async () => {
      s.sandbox.setFaults({ rate5xx: 0.5, seed: 42 });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await call(s.url, 'GET', '/limits')).status);
      return out;
    };
    const first = await statuses();
    expect(await statuses()).toEqual(first);
    expect(first.filter((x) => x === 500 || x === 503).length).toBeGreaterThan(3);
    expect(first.filter((x) => x === 200).length).toBeGreaterThan(3);
    s.sandbox.setFaults({ rate5xx: 1, seed: 1 });
    const r = await call(s.url, 'GET', '/limits');
    const body = r.body as { errorCode: string }[];
    expect(body[0].errorCode).toBe(r.status === 503 ? 'SERVER_UNAVAILABLE' : 'UNKNOWN_EXCEPTION');
    // OAuth is never faulted.
    expect((await fetch(`${s.url}/services/oauth2/token`, { method: 'POST' })).status).toBe(400);
    s.sandbox.setFaults({});
  });

  it('drops connections and adds latency', async () => {
    s.sandbox.setFaults({ rateDrop: 1 });
    await expect(call(s.url, 'GET', '/limits')).rejects.toThrow();
    s.sandbox.setFaults({ latencyMs: 60 });
    const t = performance.now();
    expect((await call(s.url, 'GET', '/limits')).status).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(55);
    s.sandbox.setFaults({});
    expect(s.sandbox.stats.injected.drop).toBe(1);
  });

  it('answers REQUEST_LIMIT_EXCEEDED, and INVALID_SESSION_ID that jsforce refreshes through', async () => {
    s.sandbox.setFaults({ rateRequestLimit: 1 });
    const limited = await call(s.url, 'GET', '/limits');
    expect(limited.status).toBe(403);
    expect(limited.body).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    const conn = new Connection({ oauth2: new OAuth2({ ...DEFAULT_CONNECTED_APP, loginUrl: s.url }), version: VERSION });
    s.sandbox.setFaults({});
    await conn.authorize(s.sandbox.issueAuthorizationCode());
    let refreshes = 0;
    conn.on('refresh', () => refreshes++);
    s.sandbox.setFaults({ rateInvalidSession: 0.5, seed: 3 });
    for (let i = 0; i < 5; i++) expect((await conn.query('SELECT Id FROM Contact LIMIT 1')).records).toHaveLength(1);
    s.sandbox.setFaults({});
    expect(refreshes).toBeGreaterThan(0);
    expect(s.sandbox.stats.injected.invalidSession).toBe(refreshes);
  });

  it('fails single records with UNABLE_TO_LOCK_ROW in collections and Bulk ingest', async () => {
    const conn = connection(s.url);
    s.sandbox.setFaults({ rateLockRow: 0.5, seed: 9 });
    const results = await conn.sobject('Contact').update(ids.slice(0, 20).map((Id) => ({ Id, Title: 'locked?' })));
    const locked = results.filter((r) => !r.success);
    expect(locked.length).toBeGreaterThan(2);
    expect(locked.length).toBeLessThan(18);
    expect(locked[0].errors[0]).toEqual({ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record', fields: [] });
    conn.bulk2.pollInterval = 20;
    const bulk = await conn.bulk2.loadAndWaitForResults({ object: 'Contact', operation: 'update', pollInterval: 20, input: ids.slice(20, 40).map((Id) => ({ Id, Title: 'bulk' })) });
    expect(bulk.failedResults.length).toBeGreaterThan(2);
    expect(bulk.failedResults[0].sf__Error).toMatch(/^UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 200 records: 003\w+:--$/);
    expect(bulk.successfulResults.length + bulk.failedResults.length).toBe(20);
    s.sandbox.setFaults({});
    expect(s.sandbox.stats.injected.lockRow).toBe(locked.length + bulk.failedResults.length);
  });

  it('rejects rates outside 0..1', () => {
    expect(() => s.sandbox.setFaults({ rate5xx: 2 })).toThrow(/between 0 and 1/);
  });
});

describe('stats', () => {
  it('counts requests by route and kind, and tells listeners as each request arrives', async () => {
    s.sandbox.stats.reset();
    const events: RequestEvent[] = [];
    const stop = s.sandbox.stats.onRequest((e) => events.push(e));
    const conn = connection(s.url);
    await conn.sobject('Contact').update([{ Id: ids[0], Title: 'counted' }]);
    await conn.query('SELECT Id FROM Contact', { autoFetch: false });
    await soql(s.url, 'SELECT Id FROM Contact');
    stop();
    await call(s.url, 'GET', '/limits');
    expect(events.map((e) => e.kind)).toEqual(['collections.update', 'query', 'query']);
    expect(events[0]).toEqual({ method: 'PATCH', route: 'PATCH /services/data/{version}/composite/sobjects', kind: 'collections.update' });
    expect(s.sandbox.stats.byKind).toMatchObject({ 'collections.update': 1, query: 2, limits: 1 });
    expect(s.sandbox.stats.byRoute['GET /services/data/{version}/query']).toBe(2);
    expect(s.sandbox.stats.requests).toBe(4);
    expect(s.sandbox.stats.apiRequests).toBe(4);
    expect(s.sandbox.stats.recordsWritten).toBe(1);
  });
});
