/**
 * Strict contract tests: the Salesforce connector's requests and its reading of Salesforce's
 * documented responses, over real HTTP to a scripted peer (see strictServer.ts for why not nock).
 * Every expectation matches the bearer token and, for writes, the exact body; an unexpected request
 * fails the test, and every expectation must be used.
 */
import { salesforceSettingsSchema, type SalesforceSettings } from '../../connectors/salesforce/settings.ts';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accessTokenAuth, jwtAuth, refreshTokenAuth, type SalesforceAuth } from '../../connectors/salesforce/auth.ts';
import { SalesforceConnector } from '../../connectors/salesforce/connector.ts';
import { soqlDatetime, soqlString } from '../../connectors/salesforce/soql.ts';
import { ConnectorError, FIELD_KEYS, type FieldSpec, type PulledPage, RECORD_NOT_FOUND } from '../../connectors/contract/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import { fieldSpecs } from '../../src/sync/fields.ts';
import { StrictServer } from './strictServer.ts';
import { CONTRACT_RETRY, FakeTime } from '../fakeTime.ts';

const ALL_FIELDS = [...FIELD_KEYS];
const srv = new StrictServer();
// One peer plays both the login server and the instance.
let INSTANCE = '';
let LOGIN = '';
const TOKEN = '00D000000000001!AQ0AQH0dMHZfz972Szmpkb58urFRkgeBGsxL';
const V = '/services/data/v64.0';
const config = loadConfig();
const specs: FieldSpec[] = fieldSpecs(config.classifier, config.sync);
const LIMIT_HEADER = { 'Sforce-Limit-Info': 'api-usage=120/15000', 'Content-Type': 'application/json;charset=UTF-8' };

const time = new FakeTime(Date.UTC(2026, 10, 22, 12));

function connector(auth: SalesforceAuth = accessTokenAuth({ accessToken: TOKEN, instanceUrl: INSTANCE }), settings: Partial<SalesforceSettings> = {}): SalesforceConnector {
  return new SalesforceConnector({
    settings: { ...salesforceSettingsSchema.parse(config.connectors.salesforce), instanceUrl: null, bulkPollMs: 1000, ...settings },
    fields: specs,
    auth,
    log: silentLogger(),
    retry: CONTRACT_RETRY,
    clock: time.clock,
    sleep: time.sleep,
  });
}

type QueryMatch = Record<string, string> | ((q: Record<string, string>) => boolean);
type BodyMatch = unknown;

/** nock-like chains over the strict peer. */
function peer(token: string | undefined) {
  const route = (method: string) => (path: string, body?: BodyMatch) => {
    let query: QueryMatch | undefined;
    const chain = {
      query(q: QueryMatch) {
        query = q;
        return chain;
      },
      reply(status: number, replyBody?: unknown, headers?: Record<string, string>) {
        srv.expect(method, path, { body, query, token }).reply(status, replyBody, headers);
      },
    };
    return chain;
  };
  return { get: route('GET'), patch: route('PATCH'), post: route('POST'), put: route('PUT') };
}
const sf = (token = TOKEN) => peer(token);
const login = () => peer(undefined);

async function drain(pages: AsyncIterable<PulledPage>): Promise<PulledPage[]> {
  const out: PulledPage[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

const id = (prefix: string, n: number) => `${prefix}${String(n).padStart(12, '0')}AAA`;

beforeAll(async () => {
  INSTANCE = LOGIN = await srv.start();
});
afterAll(() => srv.stop());
beforeEach(() => {
  time.slept = 0;
});
afterEach(() => {
  const [unexpected, unmet] = [[...srv.unexpected], srv.unmet()];
  srv.reset();
  expect(unexpected, 'no request may be unexpected').toEqual([]);
  expect(unmet, 'every expectation must be used').toEqual([]);
});

describe('sObject Collections update', () => {
  it('sends allOrNone false with typed values and maps per-record statusCode errors back to their ids', async () => {
    const [a, b, c, d] = [1, 2, 3, 4].map((n) => id('003', n));
    sf()
      .patch(`${V}/composite/sobjects`, {
        allOrNone: false,
        records: [
          { attributes: { type: 'Contact' }, id: a, LCS_Stage__c: 'loyalty', LCS_LTV__c: 1250.5, LCS_Scored_At__c: '2026-11-22T12:00:00.000Z' },
          { attributes: { type: 'Contact' }, id: b, LCS_Stage__c: 'onboarding', LCS_Churn_Risk__c: null },
          { attributes: { type: 'Contact' }, id: c, LCS_Stage__c: 'nope' },
          { attributes: { type: 'Contact' }, id: d, LCS_Stage__c: 'loyalty' },
        ],
      })
      .reply(
        200,
        [
          { id: a, success: true, errors: [] },
          { id: b, success: true, errors: [] },
          { success: false, errors: [{ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: 'bad value for restricted picklist field: nope', fields: ['LCS_Stage__c'] }] },
          { success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] },
        ],
        LIMIT_HEADER,
      );
    const results = await connector().write([
      { recordId: a, values: { stage: 'loyalty', ltv: '1250.5', scoredAt: '2026-11-22T12:00:00.000Z' } },
      { recordId: b, values: { stage: 'onboarding', churnRisk: null } },
      { recordId: c, values: { stage: 'nope' } },
      { recordId: d, values: { stage: 'loyalty' } },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'ok', 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', RECORD_NOT_FOUND]);
    expect(results[2]).toMatchObject({ recordId: c, message: 'bad value for restricted picklist field: nope' });
  });

  it('sends records Salesforce could not lock again, and only those', async () => {
    const [a, b] = [1, 2].map((n) => id('003', n));
    sf()
      .patch(`${V}/composite/sobjects`, (body: { records: { id: string }[] }) => body.records.length === 2)
      .reply(200, [
        { id: a, success: true, errors: [] },
        { success: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record', fields: [] }] },
      ]);
    sf()
      .patch(`${V}/composite/sobjects`, { allOrNone: false, records: [{ attributes: { type: 'Contact' }, id: b, LCS_Stage__c: 'loyalty' }] })
      .reply(200, [{ id: b, success: true, errors: [] }]);
    const results = await connector().write([
      { recordId: a, values: { stage: 'loyalty' } },
      { recordId: b, values: { stage: 'loyalty' } },
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(time.slept).toBeGreaterThan(0);
  });

  it('retries a PATCH that met a 503 (jsforce itself never retries PATCH) and reads the daily allocation from Sforce-Limit-Info', async () => {
    const a = id('003', 1);
    sf().patch(`${V}/composite/sobjects`).reply(503, [{ errorCode: 'SERVER_UNAVAILABLE', message: 'Server is temporarily unavailable' }]);
    sf()
      .patch(`${V}/composite/sobjects`)
      .reply(200, [{ id: a, success: true, errors: [] }], { 'Sforce-Limit-Info': 'api-usage=14990/15000', 'Content-Type': 'application/json' });
    const c = connector();
    const [result] = await c.write([{ recordId: a, values: { stage: 'loyalty' } }]);
    // Modified "when Salesforce says": its Date header, to the second.
    expect(result).toEqual({ recordId: a, ok: true, modifiedAt: expect.any(Number) as unknown });
    expect(Math.abs((result.ok ? (result.modifiedAt ?? 0) : 0) - Date.now())).toBeLessThan(5000);
    expect(c.quota()).toMatchObject({ requests: 2, retries: 1, daily: { limit: 15000, remaining: 10 } });
  });

  it('REQUEST_LIMIT_EXCEEDED stops cleanly without retrying', async () => {
    sf().patch(`${V}/composite/sobjects`).reply(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    const error = await connector()
      .write([{ recordId: id('003', 1), values: { stage: 'loyalty' } }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: 'QUOTA_EXHAUSTED', message: expect.stringMatching(/TotalRequests Limit exceeded/) as unknown });
  });
});

/** GET /services/data/vXX.X/ as Salesforce documents it ("Resources by Version"): `identity` names the org and user. */
const ORG = '00D000000000001AAA';
function resourcesByVersion(userId: string): Record<string, string> {
  return { sobjects: `${V}/sobjects`, query: `${V}/query`, limits: `${V}/limits`, identity: `${LOGIN}/id/${ORG}/${userId}`, composite: `${V}/composite` };
}

describe('verify', () => {
  it('is one call to the versioned REST root, whose identity URL names the org', async () => {
    sf().get(`${V}/`).reply(200, resourcesByVersion('005000000000009AAA'), LIMIT_HEADER);
    const c = connector();
    expect(await c.verify()).toEqual({ ok: true, accountId: ORG, account: `Salesforce org ${ORG} at ${INSTANCE} (API 64.0)`, recordUrl: `${INSTANCE}/lightning/r/Contact/{id}/view`, recordLabel: 'contact', dealRecordUrl: `${INSTANCE}/lightning/r/Opportunity/{id}/view` });
    expect(c.quota()).toMatchObject({ requests: 1, daily: { limit: 15000, remaining: 14880 } });
  });

  it('a root without an identity URL naming an org is not a success', async () => {
    sf().get(`${V}/`).reply(200, { sobjects: `${V}/sobjects` });
    expect(await connector().verify()).toMatchObject({ ok: false, code: 'INVALID_RESPONSE' });
    sf().get(`${V}/`).reply(200, { identity: `${LOGIN}/id/not-an-org/005000000000009AAA` });
    expect(await connector().verify()).toMatchObject({ ok: false, code: 'INVALID_RESPONSE', message: expect.stringMatching(/names no org id/) as unknown });
  });
});

describe('sessions', () => {
  it('an expired session is refreshed with the refresh token and the request sent again with the new one', async () => {
    const persisted: unknown[] = [];
    const auth = refreshTokenAuth({
      clientId: 'client-id',
      clientSecret: 'client-secret',
      loginUrl: LOGIN,
      refreshToken: 'refresh-1',
      stored: { accessToken: 'old-token', instanceUrl: INSTANCE },
      persist: (t) => void persisted.push(t),
    });
    sf('old-token').get(`${V}/`).reply(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    login()
      .post('/services/oauth2/token', (body: Record<string, string>) => body.grant_type === 'refresh_token' && body.refresh_token === 'refresh-1' && body.client_id === 'client-id')
      .reply(200, { access_token: 'new-token', instance_url: INSTANCE, id: `${LOGIN}/id/00D000000000001AAA/005000000000001AAA`, token_type: 'Bearer', issued_at: String(time.now), signature: 'x' });
    sf('new-token').get(`${V}/`).reply(200, resourcesByVersion('005000000000001AAA'));
    expect(await connector(auth).verify()).toMatchObject({ ok: true, accountId: ORG });
    expect(persisted).toEqual([{ accessToken: 'new-token', instanceUrl: INSTANCE, userId: '005000000000001AAA', refreshToken: 'refresh-1' }]);
  });

  it('a revoked refresh token is a one-line AUTH_FAILED naming the fix', async () => {
    const auth = refreshTokenAuth({ clientId: 'c', clientSecret: 's', loginUrl: LOGIN, refreshToken: 'revoked', stored: { accessToken: 'old-token', instanceUrl: INSTANCE } });
    sf('old-token').get(`${V}/`).reply(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    login().post('/services/oauth2/token').reply(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' });
    const result = await connector(auth).verify();
    expect(result).toEqual({ ok: false, code: 'AUTH_FAILED', status: null, message: expect.stringMatching(/refresh the session: reinstall the app.*invalid_grant: expired access\/refresh token/) as unknown });
  });

  it('error answers that repeat the session id or the refresh token: cut short, without them', async () => {
    const session = 'opaque-session-id-0123456789abcdef';
    sf(session).get(`${V}/`).reply(400, [{ message: `bad header Authorization: Bearer ${session}; session ${session} ${'and more '.repeat(300)}`, errorCode: 'INVALID_AUTH_HEADER' }]);
    const rejected = await connector(accessTokenAuth({ accessToken: session, instanceUrl: INSTANCE })).verify();
    if (rejected.ok) throw new Error('a 400 was taken for success');
    expect(rejected.message).not.toContain(session);
    expect(rejected.message.length).toBeLessThan(500);
    expect(rejected.message).toMatch(/INVALID_AUTH_HEADER: bad header/);

    const refreshToken = 'opaque-refresh-token-0123456789abcdef';
    const auth = refreshTokenAuth({ clientId: 'c', clientSecret: 'opaque-client-secret-0123456789', loginUrl: LOGIN, refreshToken, stored: { accessToken: 'old-token', instanceUrl: INSTANCE } });
    sf('old-token').get(`${V}/`).reply(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    login().post('/services/oauth2/token').reply(400, { error: 'invalid_grant', error_description: `refresh token ${refreshToken} (client secret opaque-client-secret-0123456789) is revoked` });
    const refused = await connector(auth).verify();
    if (refused.ok) throw new Error('a refused refresh was taken for success');
    expect(refused.message).not.toContain(refreshToken);
    expect(refused.message).not.toContain('opaque-client-secret-0123456789');
    expect(refused.message).toMatch(/invalid_grant: refresh token/);
  });

  it('the JWT bearer flow posts a signed RS256 assertion for the user and the login server', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    let assertion = '';
    login()
      .post('/services/oauth2/token', (body: Record<string, string>) => {
        assertion = body.assertion;
        return body.grant_type === 'urn:ietf:params:oauth:grant-type:jwt-bearer' && body.client_secret === undefined;
      })
      .reply(200, { access_token: 'jwt-session', instance_url: INSTANCE, id: `${LOGIN}/id/00D000000000001AAA/005000000000002AAA`, token_type: 'Bearer' });
    sf('jwt-session').get(`${V}/`).reply(200, resourcesByVersion('005000000000002AAA'));
    const auth = jwtAuth({ clientId: 'consumer-key', username: 'integration@acme.example', loginUrl: LOGIN, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), stored: null, clock: time.clock });
    expect(await connector(auth).verify()).toMatchObject({ ok: true });
    const [header, claims, signature] = assertion.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(claims, 'base64url').toString())).toEqual({ iss: 'consumer-key', sub: 'integration@acme.example', aud: LOGIN, exp: Math.floor(time.now / 1000) + 180 });
    const { verify } = await import('node:crypto');
    expect(verify('RSA-SHA256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
  });
});

describe('queries', () => {
  const customerQuery = (q: string) => q.startsWith('SELECT Id, SystemModstamp, AccountId') && q.includes('FROM Contact');

  it('a full pull follows nextRecordsUrl past 10,000 records (jsforce autoFetch would stop) and resumes after the last Id', async () => {
    sf()
      .get(`${V}/query`)
      .query({ q: 'SELECT COUNT() FROM Contact' })
      .reply(200, { totalSize: 12_500, done: true, records: [] });
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ attributes: { type: 'Contact' }, Id: id('003', from + i), SystemModstamp: '2026-11-01T10:00:00.000+0000', AccountId: null }));
    sf()
      .get(`${V}/query`)
      .query((q) => typeof q.q === 'string' && customerQuery(q.q) && q.q.endsWith('FROM Contact ORDER BY Id'))
      .reply(200, { totalSize: 12_500, done: false, nextRecordsUrl: `${V}/query/01gD0000000001-2000`, records: batch(0, 2000) });
    for (let k = 1; k < 6; k++) {
      const n = k < 5 ? 2000 : 2000;
      sf()
        .get(`${V}/query/01gD0000000001-${k * 2000}`)
        .reply(200, { totalSize: 12_500, done: false, nextRecordsUrl: `${V}/query/01gD0000000001-${(k + 1) * 2000}`, records: batch(k * 2000, n) });
    }
    sf().get(`${V}/query/01gD0000000001-12000`).reply(200, { totalSize: 12_500, done: true, records: batch(12_000, 500) });
    const c = connector();
    const pages: PulledPage[] = [];
    for await (const p of c.pull({ fields: ALL_FIELDS, mode: 'full', resume: null, since: null })) {
      pages.push(p);
      if (p.cursor.phase === 'customers' && pages.reduce((s, x) => s + x.customers.length, 0) === 12_500) break;
    }
    expect(pages.reduce((s, p) => s + p.customers.length, 0)).toBe(12_500);
    expect(pages.at(-1)?.cursor).toMatchObject({ phase: 'customers', via: 'rest', afterId: id('003', 12_499) });

    // Resuming: a new query after the last Id stored, not the expired locator.
    sf()
      .get(`${V}/query`)
      .query((q) => typeof q.q === 'string' && q.q.includes(`WHERE Id > '${id('003', 12_499)}' ORDER BY Id`))
      .reply(200, { totalSize: 0, done: true, records: [] });
    sf()
      .get(`${V}/query`)
      .query({ q: 'SELECT IsoCode, ConversionRate FROM CurrencyType WHERE IsActive = true' })
      .reply(400, [{ message: "sObject type 'CurrencyType' is not supported.", errorCode: 'INVALID_TYPE' }]);
    sf()
      .get(`${V}/query`)
      .query({ q: 'SELECT COUNT() FROM Opportunity' })
      .reply(200, { totalSize: 0, done: true, records: [] });
    sf()
      .get(`${V}/query`)
      .query((q) => typeof q.q === 'string' && q.q.startsWith('SELECT Id, Amount, CloseDate, CreatedDate, IsClosed, IsWon, AccountId, SystemModstamp, (SELECT ContactId FROM OpportunityContactRoles) FROM Opportunity ORDER BY Id'))
      .reply(200, { totalSize: 0, done: true, records: [] });
    const rest = await drain(c.pull({ fields: ALL_FIELDS, mode: 'full', resume: pages.at(-1)?.cursor ?? null, since: null }));
    expect(rest.reduce((s, p) => s + p.customers.length + p.deals.length, 0)).toBe(0);
  });

  it('an ungranted field is INVALID_FIELD, reported with the query', async () => {
    sf().get(`${V}/query`).query({ q: 'SELECT COUNT() FROM Contact' }).reply(200, { totalSize: 3, done: true, records: [] });
    sf()
      .get(`${V}/query`)
      .query(() => true)
      .reply(400, [{ message: "\nSELECT Id, LCS_Stage__c FROM Contact\n           ^\nERROR at Row:1:Column:12\nNo such column 'LCS_Stage__c' on entity 'Contact'.", errorCode: 'INVALID_FIELD' }]);
    const error = await drain(connector().pull({ fields: ALL_FIELDS, mode: 'full', resume: null, since: null })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^Salesforce query Contact records: INVALID_FIELD: .*No such column 'LCS_Stage__c'/s);
  });

  it('an incremental pull asks for records modified since, oldest first, without the plugin\'s own last writes', async () => {
    const since = Date.UTC(2026, 10, 21, 3, 0, 0, 500);
    let soql = '';
    sf()
      .get(`${V}/query`)
      .query((q) => {
        if (typeof q.q !== 'string' || !q.q.includes('FROM Contact')) return false;
        soql = q.q;
        return true;
      })
      .reply(200, { totalSize: 0, done: true, records: [] });
    sf().get(`${V}/query`).query((q) => typeof q.q === 'string' && q.q.includes('FROM CurrencyType')).reply(200, { totalSize: 1, done: true, records: [{ IsoCode: 'EUR', ConversionRate: 1 }] });
    sf().get(`${V}/query`).query((q) => typeof q.q === 'string' && q.q.includes('CurrencyIsoCode') && q.q.includes('FROM Opportunity WHERE SystemModstamp >= 2026-11-21T03:00:00Z ORDER BY SystemModstamp, Id')).reply(200, { totalSize: 0, done: true, records: [] });
    sf().get(`${V}/query`).query((q) => typeof q.q === 'string' && q.q === 'SELECT OpportunityId FROM OpportunityContactRole WHERE SystemModstamp >= 2026-11-21T03:00:00Z AND Opportunity.SystemModstamp < 2026-11-21T03:00:00Z').reply(200, { totalSize: 0, done: true, records: [] });
    await drain(
      connector().pull({ fields: ALL_FIELDS, mode: 'incremental', resume: null, since, skipOwnWrites: { field: 'scoredAt', value: '2026-11-21T02:00:00.000Z', unlessModifiedAfter: Date.UTC(2026, 10, 21, 2, 5) } }),
    );
    expect(soql).toMatch(/ FROM Contact WHERE SystemModstamp >= 2026-11-21T03:00:00Z AND \(LCS_Scored_At__c != 2026-11-21T02:00:00Z OR LCS_Scored_At__c = null OR SystemModstamp > 2026-11-21T02:05:00Z\) ORDER BY SystemModstamp, Id$/);
  });
});

describe('Bulk API 2.0', () => {
  it('a query job is polled through its states and its results read page by page by Sforce-Locator', async () => {
    sf().get(`${V}/query`).query({ q: 'SELECT COUNT() FROM Contact' }).reply(200, { totalSize: 300_000, done: true, records: [] });
    sf()
      .post(`${V}/jobs/query`, (b: { operation: string; query: string; contentType: string }) => b.operation === 'query' && b.contentType === 'CSV' && b.query.startsWith('SELECT Id, SystemModstamp, AccountId') && !b.query.includes('ORDER BY'))
      .reply(200, { id: '750000000000001AAA', state: 'UploadComplete', operation: 'query', object: 'Contact' });
    sf().get(`${V}/jobs/query/750000000000001AAA`).reply(200, { id: '750000000000001AAA', state: 'InProgress' });
    sf().get(`${V}/jobs/query/750000000000001AAA`).reply(200, { id: '750000000000001AAA', state: 'JobComplete', numberRecordsProcessed: 3 });
    const header = '"Id","SystemModstamp","AccountId","LCS_Stage__c"\n';
    sf()
      .get(`${V}/jobs/query/750000000000001AAA/results`)
      .reply(200, `${header}"${id('003', 1)}","2026-11-01T10:00:00.000Z","","loyalty"\n"${id('003', 2)}","2026-11-01T10:00:00.000Z","",""\n`, { 'Content-Type': 'text/csv', 'Sforce-Locator': 'MjAwMDA', 'Sforce-NumberOfRecords': '2' });
    sf()
      .get(`${V}/jobs/query/750000000000001AAA/results`)
      .query({ locator: 'MjAwMDA' })
      .reply(200, `${header}"${id('003', 3)}","2026-11-01T10:00:00.000Z","",""\n`, { 'Content-Type': 'text/csv', 'Sforce-Locator': 'null', 'Sforce-NumberOfRecords': '1' });
    const c = connector();
    const pages: PulledPage[] = [];
    for await (const p of c.pull({ fields: ALL_FIELDS, mode: 'full', resume: null, since: null })) {
      pages.push(p);
      if (p.cursor.phase === 'deals') break;
    }
    expect(pages.map((p) => p.customers.map((x) => x.recordId))).toEqual([[id('003', 1), id('003', 2)], [id('003', 3)]]);
    expect(pages[0].customers[0].fieldValues.stage).toBe('loyalty');
    expect(pages[0].cursor).toMatchObject({ via: 'bulk', jobId: '750000000000001AAA', locator: 'MjAwMDA' });
    expect(time.slept).toBe(1000);
  });

  it('a failed query job is an error naming the job', async () => {
    sf().get(`${V}/query`).query({ q: 'SELECT COUNT() FROM Contact' }).reply(200, { totalSize: 300_000, done: true, records: [] });
    sf().post(`${V}/jobs/query`).reply(200, { id: '750000000000002AAA', state: 'UploadComplete' });
    sf().get(`${V}/jobs/query/750000000000002AAA`).reply(200, { id: '750000000000002AAA', state: 'Failed', errorMessage: 'InvalidBatch: Failed to process query' });
    const error = await drain(connector().pull({ fields: ALL_FIELDS, mode: 'full', resume: null, since: null })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CRM_REJECTED', message: 'Salesforce Bulk API query job 750000000000002AAA failed: InvalidBatch: Failed to process query' });
  });

  it('an ingest job uploads every column of every record and maps failed results back; locked rows go again', async () => {
    const [a, b, c] = [1, 2, 3].map((n) => id('003', n));
    let csv = '';
    sf().post(`${V}/jobs/ingest`, { object: 'Contact', operation: 'update', contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' }).reply(200, { id: '750000000000003AAA', state: 'Open' });
    sf()
      .put(`${V}/jobs/ingest/750000000000003AAA/batches`, (body: string) => {
        csv = body;
        return true;
      })
      .reply(201);
    sf().patch(`${V}/jobs/ingest/750000000000003AAA`, { state: 'UploadComplete' }).reply(200, { id: '750000000000003AAA', state: 'UploadComplete' });
    sf().get(`${V}/jobs/ingest/750000000000003AAA`).reply(200, { id: '750000000000003AAA', state: 'JobComplete', numberRecordsProcessed: 3, numberRecordsFailed: 2 });
    sf()
      .get(`${V}/jobs/ingest/750000000000003AAA/failedResults/`)
      .reply(200, `"sf__Id","sf__Error","Id","LCS_Churn_Risk__c","LCS_Stage__c"\n"${b}","UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--","${b}","",""\n"${c}","ENTITY_IS_DELETED:entity is deleted:--","${c}","",""\n`, { 'Content-Type': 'text/csv' });
    // The locked record in a job of its own.
    sf().post(`${V}/jobs/ingest`).reply(200, { id: '750000000000004AAA', state: 'Open' });
    sf().put(`${V}/jobs/ingest/750000000000004AAA/batches`).reply(201);
    sf().patch(`${V}/jobs/ingest/750000000000004AAA`).reply(200, { id: '750000000000004AAA', state: 'UploadComplete' });
    sf().get(`${V}/jobs/ingest/750000000000004AAA`).reply(200, { id: '750000000000004AAA', state: 'JobComplete', numberRecordsProcessed: 1, numberRecordsFailed: 0 });
    const conn = connector();
    const results = await conn.bulk?.write([
      { recordId: a, values: { stage: 'loyalty' } },
      { recordId: b, values: { churnRisk: '12' } },
      { recordId: c, values: { stage: null } },
    ]);
    expect(csv.split('\n')).toEqual(['"Id","LCS_Churn_Risk__c","LCS_Stage__c"', `"${a}","","loyalty"`, `"${b}","12",""`, `"${c}","","#N/A"`]);
    expect(results?.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'ok', RECORD_NOT_FOUND]);
  });
});

describe('SOQL values', () => {
  it('escapes backslashes first, then quotes and control characters', () => {
    expect(soqlString(`O'Brien \\ "x"\n`)).toBe(`'O\\'Brien \\\\ \\"x\\"\\n'`);
    expect(soqlString("' OR Name LIKE '%")).toBe("'\\' OR Name LIKE \\'%'");
  });
  it('datetimes are unquoted UTC literals to the second', () => {
    expect(soqlDatetime(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02T03:04:05Z');
  });
});
