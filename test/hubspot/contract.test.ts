/**
 * Strict contract tests: the HubSpot connector's requests and its reading of HubSpot's documented
 * responses, with nock intercepting the official SDK's HTTP. Every interceptor matches the exact body
 * and bearer header; nothing else may leave the process, and every interceptor must be used.
 */
import { type HubSpotApiVersion, hubspotSettingsSchema } from '../../connectors/hubspot/settings.ts';
import { isDeepStrictEqual } from 'node:util';
import nock from 'nock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OAuthTokenSource, privateAppToken, type TokenSource } from '../../connectors/hubspot/auth.ts';
import { HubSpotConnector } from '../../connectors/hubspot/connector.ts';
import { HubSpotOAuth } from '../../connectors/hubspot/oauth.ts';
import { ConnectorError, FIELD_KEYS, type FieldSpec, type PulledPage } from '../../connectors/contract/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import { ensureFields } from '../../src/sync/fieldPolicy.ts';
import { fieldSpecs } from '../../src/sync/fields.ts';
import { CONTRACT_RETRY, FakeTime } from '../fakeTime.ts';

const ALL_FIELDS = [...FIELD_KEYS];
const BASE = 'https://api.hubapi.com';
const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const config = loadConfig();
const specs: FieldSpec[] = fieldSpecs(config.classifier, config.sync);

const time = new FakeTime(Date.UTC(2026, 10, 22, 12));

/** The contact batch update of the default API version (2026-09). */
const UPDATE = '/crm/objects/2026-09/contacts/batch/update';

function connector(auth: TokenSource = privateAppToken(TOKEN), apiVersion?: HubSpotApiVersion): HubSpotConnector {
  const settings = hubspotSettingsSchema.parse(config.connectors.hubspot);
  return new HubSpotConnector({
    settings: { ...settings, baseUrl: BASE, apiVersion: apiVersion ?? settings.apiVersion },
    fields: specs,
    auth,
    burstShare: 1,
    log: silentLogger(),
    retry: CONTRACT_RETRY,
    clock: time.clock,
    sleep: time.sleep,
  });
}

function api(token = TOKEN) {
  return nock(BASE, { reqheaders: { authorization: `Bearer ${token}` } });
}

const correlationId = 'aeb5f871-7f07-4993-9211-075dc63e7cbf';
/** GET /account-info/v3/details as HubSpot documents it. */
const ACCOUNT_DETAILS = {
  additionalCurrencies: ['NZD', 'AUD', 'EUR'],
  companyCurrency: 'USD',
  dataHostingLocation: 'eu1',
  portalId: 12345678,
  accountType: 'STANDARD',
  timeZone: 'US/Eastern',
  uiDomain: 'app-eu1.hubspot.com',
  utcOffset: '-04:00',
  utcOffsetMilliseconds: -14400000,
};

beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  time.slept = 0;
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'every interceptor must be used').toEqual([]);
});

describe('batch update', () => {
  it('sends at most 100 inputs with property values as strings and maps a 207 partial failure back to its id', async () => {
    api()
      .post(UPDATE, {
        inputs: [
          { id: '101', properties: { lcs_stage: 'loyalty', lcs_ltv: '250', lcs_churn_risk: '' } },
          { id: '102', properties: { lcs_stage: 'churned', lcs_ltv: '0', lcs_churn_risk: '93' } },
        ],
      })
      .reply(207, {
        status: 'COMPLETE',
        results: [{ id: '101', properties: { lcs_stage: 'loyalty', lastmodifieddate: '2026-11-22T12:00:01.250Z' }, createdAt: '2025-01-01T00:00:00Z', updatedAt: '2026-11-22T12:00:01.250Z', archived: false }],
        numErrors: 1,
        errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Could not get some CONTACT objects, they may be deleted or not exist.', context: { ids: ['102'] } }],
        startedAt: '2026-11-22T12:00:01.100Z',
        completedAt: '2026-11-22T12:00:01.300Z',
      });
    const results = await connector().write([
      { recordId: '101', values: { stage: 'loyalty', ltv: '250', churnRisk: null } },
      { recordId: '102', values: { stage: 'churned', ltv: '0', churnRisk: '93' } },
    ]);
    expect(results).toEqual([
      { recordId: '101', ok: true, modifiedAt: Date.parse('2026-11-22T12:00:01.250Z') },
      { recordId: '102', ok: false, code: 'RECORD_NOT_FOUND', message: 'Could not get some CONTACT objects, they may be deleted or not exist.' },
    ]);
  });

  it('refuses a batch above 100 without calling HubSpot', async () => {
    const updates = Array.from({ length: 101 }, (_, i) => ({ recordId: String(i + 1), values: { stage: 'loyalty' } }));
    await expect(connector().write(updates)).rejects.toThrow(/at most 100/);
  });

  it('a 400 validation error rejects the whole batch: halves are retried until the bad record is isolated', async () => {
    const input = (id: string, stage: string) => ({ id, properties: { lcs_stage: stage } });
    const invalid = {
      status: 'error',
      message: 'Property values were not valid: [{"isValid":false,"message":"champion was not one of the allowed options: [awareness, consideration]","error":"INVALID_OPTION","name":"lcs_stage"}]',
      correlationId,
      errors: [{ message: 'champion was not one of the allowed options: [awareness, consideration]', code: 'INVALID_OPTION', context: { propertyName: ['lcs_stage'] } }],
      category: 'VALIDATION_ERROR',
    };
    const ok = (ids: string[]) => ({ status: 'COMPLETE', results: ids.map((id) => ({ id, properties: {}, createdAt: '2025-01-01T00:00:00Z', updatedAt: '2026-11-22T12:00:00Z', archived: false })), startedAt: 'x', completedAt: 'y' });
    api()
      .post(UPDATE, { inputs: [input('1', 'loyalty'), input('2', 'retention'), input('3', 'purchase'), input('4', 'champion')] })
      .reply(400, invalid)
      .post(UPDATE, { inputs: [input('1', 'loyalty'), input('2', 'retention')] })
      .reply(200, ok(['1', '2']))
      .post(UPDATE, { inputs: [input('3', 'purchase'), input('4', 'champion')] })
      .reply(400, invalid)
      .post(UPDATE, { inputs: [input('3', 'purchase')] })
      .reply(200, ok(['3']))
      .post(UPDATE, { inputs: [input('4', 'champion')] })
      .reply(400, invalid);
    const results = await connector().write(['loyalty', 'retention', 'purchase', 'champion'].map((stage, i) => ({ recordId: String(i + 1), values: { stage } })));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(results[3]).toMatchObject({ recordId: '4', code: 'INVALID_OPTION', message: expect.stringContaining('champion was not one of the allowed options') as unknown });
  });
});

describe('API versions', () => {
  const okBatch = (ids: string[]) => ({
    status: 'COMPLETE',
    results: ids.map((id) => ({ id, properties: { lastmodifieddate: '2026-11-22T12:00:02.000Z' }, createdAt: '2025-01-01T00:00:00Z', updatedAt: '2026-11-22T12:00:02.000Z', archived: false })),
    startedAt: '2026-11-22T12:00:01.900Z',
    completedAt: '2026-11-22T12:00:02.100Z',
  });
  const input = (id: string, band: string) => ({ id, properties: { lcs_churn_risk_band: band } });
  const updates = (bands: string[]) => bands.map((band, i) => ({ recordId: String(i + 1), values: { churnRiskBand: band } }));
  const refused = (ids: string[]) => ({
    status: 'error',
    message: `${ids.length} record(s) did not pass the validation rules of portal 12345678`,
    correlationId,
    errors: ids.map((id) => ({ message: 'A contact at high churn risk needs a phone number', code: 'REQUIRED_PROPERTY', context: { ids: [id], propertyName: ['phone'] } })),
    category: 'VALIDATION_ERROR',
  });

  it('2026-09: a 400 naming records refused by the portal’s validation rules fails those with CRM_VALIDATION and resends the rest once', async () => {
    api()
      .post(UPDATE, { inputs: [input('1', 'low'), input('2', 'high'), input('3', 'medium'), input('4', 'high')] })
      .reply(400, refused(['2', '4']))
      .post(UPDATE, { inputs: [input('1', 'low'), input('3', 'medium')] })
      .reply(200, okBatch(['1', '3']));
    const c = connector();
    const results = await c.write(updates(['low', 'high', 'medium', 'high']));
    expect(results.map((r) => r.recordId)).toEqual(['1', '2', '3', '4']);
    expect(results.map((r) => r.ok)).toEqual([true, false, true, false]);
    expect(results[1]).toEqual({ recordId: '2', ok: false, code: 'CRM_VALIDATION', message: "HubSpot's validation rules refused contact 2: A contact at high churn risk needs a phone number" });
    expect(results[3]).toMatchObject({ recordId: '4', code: 'CRM_VALIDATION' });
    expect(c.quota().requests).toBe(2); // no halving when HubSpot names the records
  });

  it('2026-09: a per-record VALIDATION_ERROR in a 207 is CRM_VALIDATION too; a deleted contact stays RECORD_NOT_FOUND', async () => {
    api()
      .post(UPDATE, { inputs: [input('1', 'high'), input('2', 'low'), input('3', 'low')] })
      .reply(207, {
        ...okBatch(['3']),
        numErrors: 2,
        errors: [
          { status: 'error', category: 'VALIDATION_ERROR', message: 'phone is required when lcs_churn_risk_band is high', context: { ids: ['1'] } },
          { status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Could not get some CONTACT objects, they may be deleted or not exist.', context: { ids: ['2'] } },
        ],
      });
    const results = await connector().write(updates(['high', 'low', 'low']));
    expect(results).toEqual([
      { recordId: '1', ok: false, code: 'CRM_VALIDATION', message: "HubSpot's validation rules refused contact 1: phone is required when lcs_churn_risk_band is high" },
      { recordId: '2', ok: false, code: 'RECORD_NOT_FOUND', message: 'Could not get some CONTACT objects, they may be deleted or not exist.' },
      { recordId: '3', ok: true, modifiedAt: Date.parse('2026-11-22T12:00:02.000Z') },
    ]);
  });

  it('2026-03 and legacy write to their own paths; legacy goes through the SDK’s v3 client', async () => {
    api().post('/crm/objects/2026-03/contacts/batch/update', { inputs: [input('1', 'low')] }).reply(200, okBatch(['1']));
    expect((await connector(undefined, '2026-03').write(updates(['low'])))[0].ok).toBe(true);
    api().post('/crm/v3/objects/contacts/batch/update', { inputs: [input('1', 'low')] }).reply(200, okBatch(['1']));
    expect((await connector(undefined, 'legacy').write(updates(['low'])))[0].ok).toBe(true);
  });

  it('batch read of the plugin’s values uses the version’s path', async () => {
    const read = (path: string) =>
      api()
        .post(path, (b: { inputs: { id: string }[]; properties: string[] }) => isDeepStrictEqual(b.inputs, [{ id: '1' }, { id: '2' }]) && b.properties.includes('lcs_stage'))
        .reply(207, { status: 'COMPLETE', results: [{ id: '1', properties: { lcs_stage: 'loyalty' }, createdAt: 'x', updatedAt: 'y', archived: false }], numErrors: 1, errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'gone', context: { ids: ['2'] } }], startedAt: 'x', completedAt: 'y' });
    read('/crm/objects/2026-09/contacts/batch/read');
    const values = await connector().readFieldValues(['1', '2']);
    expect([...values.keys()]).toEqual(['1']);
    expect(values.get('1')?.stage).toBe('loyalty');
    read('/crm/v3/objects/contacts/batch/read');
    expect([...(await connector(undefined, 'legacy').readFieldValues(['1', '2'])).keys()]).toEqual(['1']);
  });

  describe('deal→contact associations in a full pull', () => {
    const deal = (id: string) => ({ id, properties: { hs_is_closed_won: 'true', hs_is_closed: 'true', amount: '120', closedate: '2026-11-01T12:00:00.000Z', hs_lastmodifieddate: '2026-11-02T00:00:00.000Z' }, createdAt: '2025-01-01T00:00:00Z', updatedAt: '2026-11-02T00:00:00.000Z', archived: false });
    const lists = () =>
      api()
        .get('/crm/v3/objects/contacts')
        .query(true)
        .reply(200, { results: [] })
        .get('/crm/v3/pipelines/deals')
        .reply(200, { results: [] })
        .get('/crm/v3/objects/deals')
        .query(true)
        .reply(200, { results: [deal('501'), deal('502'), deal('503')] });
    const pull = async (apiVersion?: HubSpotApiVersion) => {
      const pages: PulledPage[] = [];
      for await (const page of connector(undefined, apiVersion).pull({ fields: ALL_FIELDS, mode: 'full', resume: null, since: null })) pages.push(page);
      return Object.fromEntries(pages.flatMap((p) => p.deals).map((d) => [d.recordId, d.customerIds]));
    };

    it('2026-09 (the default): the dated path, string ids, per-deal paging; a deal without contacts (207) has none', async () => {
      const path = '/crm/associations/2026-09/deals/contacts/batch/read';
      const to = (ids: string[]) => ids.map((toObjectId) => ({ toObjectId, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 3, label: null }] }));
      lists()
        .post(path, { inputs: [{ id: '501' }, { id: '502' }, { id: '503' }] })
        .reply(207, {
          status: 'COMPLETE',
          results: [
            { from: { id: '501' }, to: to(['1001', '1002']), paging: { next: { after: 'MC0xMDAy' } } },
            { from: { id: '502' }, to: to(['1003']) },
          ],
          numErrors: 1,
          errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND', message: 'No contact is associated with deal 503.', context: { fromObjectId: ['503'] } }],
          startedAt: 'x',
          completedAt: 'y',
        })
        .post(path, { inputs: [{ id: '501', after: 'MC0xMDAy' }] })
        .reply(200, { status: 'COMPLETE', results: [{ from: { id: '501' }, to: to(['1004']) }], startedAt: 'x', completedAt: 'y' });
      expect(await pull()).toEqual({ '501': ['1001', '1002', '1004'], '502': ['1003'], '503': [] });
    });

    it('legacy: the SDK’s v4 client; its numeric ids become strings', async () => {
      lists()
        .post('/crm/v4/associations/deals/contacts/batch/read', { inputs: [{ id: '501' }, { id: '502' }, { id: '503' }] })
        .reply(200, { status: 'COMPLETE', results: [{ from: { id: '501' }, to: [{ toObjectId: 1001, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 3, label: null }] }] }], startedAt: '2026-11-22T12:00:00Z', completedAt: '2026-11-22T12:00:00Z' });
      expect(await pull('legacy')).toEqual({ '501': ['1001'], '502': [], '503': [] });
    });

    it('an answer that is not the documented shape is INVALID_RESPONSE naming the path and the field', async () => {
      lists()
        .post('/crm/associations/2026-03/deals/contacts/batch/read')
        .reply(200, { status: 'COMPLETE', results: [{ _from: { id: '501' }, to: [{ toObjectId: '1001' }] }] });
      const error = await pull('2026-03').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectorError);
      expect(error).toMatchObject({ code: 'INVALID_RESPONSE', message: expect.stringMatching(/POST \/crm\/associations\/2026-03\/deals\/contacts\/batch\/read[\s\S]*results\[0\]\.from/) as unknown });
    });
  });
});

describe('rate limits and quotas', () => {
  const okBatch = { status: 'COMPLETE', results: [{ id: '7', properties: {}, createdAt: '2025-01-01T00:00:00Z', updatedAt: '2026-11-22T12:00:00Z', archived: false }], startedAt: 'x', completedAt: 'y' };
  const body = { inputs: [{ id: '7', properties: { lcs_stage: 'retention' } }] };

  it('429 TEN_SECONDLY_ROLLING: waits, retries, counts it; paces by the X-HubSpot-RateLimit headers', async () => {
    api()
      .post(UPDATE, body)
      .reply(
        429,
        { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', correlationId, policyName: 'TEN_SECONDLY_ROLLING', requestId: 'r1' },
        { 'X-HubSpot-RateLimit-Max': '190', 'X-HubSpot-RateLimit-Remaining': '0', 'X-HubSpot-RateLimit-Interval-Milliseconds': '10000' },
      )
      .post(UPDATE, body)
      .reply(200, okBatch, {
        'X-HubSpot-RateLimit-Max': '190',
        'X-HubSpot-RateLimit-Remaining': '150',
        'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
        'X-HubSpot-RateLimit-Daily': '650000',
        'X-HubSpot-RateLimit-Daily-Remaining': '640000',
      });
    const c = connector();
    const [result] = await c.write([{ recordId: '7', values: { stage: 'retention' } }]);
    expect(result.ok).toBe(true);
    expect(time.slept).toBeGreaterThanOrEqual(500); // backed off before the retry
    expect(c.quota()).toMatchObject({ requests: 2, rateLimited: 1, retries: 1, window: { max: 190, intervalMs: 10_000 }, daily: { limit: 650_000, remaining: 640_000 } });
  });

  it('429 DAILY: no retry; the operation stops with QUOTA_EXHAUSTED', async () => {
    api()
      .post(UPDATE, body)
      .reply(429, { status: 'error', message: 'You have reached your daily limit.', errorType: 'RATE_LIMIT', correlationId, policyName: 'DAILY', requestId: 'r2' });
    const error = await connector()
      .write([{ recordId: '7', values: { stage: 'retention' } }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).code).toBe('QUOTA_EXHAUSTED');
  });

  it('the request guard (the engine’s daily share) stops before a request is sent', async () => {
    const c = connector();
    c.setRequestGuard(() => {
      throw new ConnectorError('QUOTA_SHARE_SPENT', 'share spent');
    });
    await expect(c.write([{ recordId: '7', values: { stage: 'retention' } }])).rejects.toMatchObject({ code: 'QUOTA_SHARE_SPENT' });
    expect(c.quota().requests).toBe(0);
  });

  it('5xx then success: retried with backoff', async () => {
    api()
      .post(UPDATE, body)
      .reply(502, { status: 'error', message: 'Bad gateway', correlationId, category: 'UNKNOWN' })
      .post(UPDATE, body)
      .reply(200, okBatch);
    const c = connector();
    expect((await c.write([{ recordId: '7', values: { stage: 'retention' } }]))[0].ok).toBe(true);
    expect(c.quota()).toMatchObject({ requests: 2, retries: 1, rateLimited: 0 });
  });
});

describe('auth', () => {
  it('401 EXPIRED_AUTHENTICATION on OAuth: refreshes with the refresh token and retries with the new access token', async () => {
    const persisted: unknown[] = [];
    const auth = new OAuthTokenSource({
      clientId: 'client-id',
      clientSecret: 'client-secret',
      baseUrl: BASE,
      tokens: { accessToken: 'old-access', refreshToken: 'refresh-1', expiresAt: time.now + 3_600_000 },
      persist: (t) => void persisted.push(t),
      clock: time.clock,
    });
    api('old-access')
      .get('/account-info/v3/details')
      .reply(401, {
        status: 'error',
        message: 'The OAuth token used to make this call expired 3 second(s) ago.',
        correlationId,
        category: 'EXPIRED_AUTHENTICATION',
        context: { 'expire time': ['2026-11-22T11:59:57.000Z'] },
      });
    nock(BASE)
      .post('/oauth/v1/token', { grant_type: 'refresh_token', client_id: 'client-id', client_secret: 'client-secret', refresh_token: 'refresh-1' })
      .reply(200, { token_type: 'bearer', refresh_token: 'refresh-2', access_token: 'new-access', expires_in: 1800 });
    api('new-access').get('/account-info/v3/details').reply(200, ACCOUNT_DETAILS);
    const verified = await connector(auth).verify();
    expect(verified).toEqual({ ok: true, accountId: '12345678', account: `HubSpot portal 12345678 at ${BASE}`, recordUrl: 'https://app-eu1.hubspot.com/contacts/12345678/record/0-1/{id}', recordLabel: 'contact', dealRecordUrl: 'https://app-eu1.hubspot.com/contacts/12345678/record/0-3/{id}' });
    expect(persisted).toEqual([{ accessToken: 'new-access', refreshToken: 'refresh-2', expiresAt: time.now + 1_800_000 }]);
  });

  it('a private app token that is rejected is an AUTH_FAILED error naming the variable', async () => {
    api()
      .get('/account-info/v3/details')
      .reply(401, { status: 'error', message: 'Authentication credentials not found.', correlationId, category: 'INVALID_AUTHENTICATION' });
    const verified = await connector().verify();
    expect(verified).toMatchObject({ ok: false, code: 'AUTH_FAILED', status: 401, message: expect.stringMatching(/INVALID_AUTHENTICATION/) as unknown });
  });

  it('verify is one call to the account details, which name the portal; an answer without a portal id is not a success', async () => {
    api().get('/account-info/v3/details').reply(200, ACCOUNT_DETAILS, { 'X-HubSpot-RateLimit-Max': '190', 'X-HubSpot-RateLimit-Remaining': '189', 'X-HubSpot-RateLimit-Interval-Milliseconds': '10000' });
    const c = connector();
    expect(await c.verify()).toMatchObject({ ok: true, accountId: '12345678' });
    expect(c.quota()).toMatchObject({ requests: 1, window: { max: 190, intervalMs: 10_000 } });
    api().get('/account-info/v3/details').reply(200, { ...ACCOUNT_DETAILS, portalId: 'not a number' });
    expect(await connector().verify()).toMatchObject({ ok: false, code: 'INVALID_RESPONSE', message: 'HubSpot answered the account details without a portal id' });
    // A 502 is retried like any call.
    api().get('/account-info/v3/details').reply(502, { status: 'error', message: 'Bad gateway', correlationId, category: 'UNKNOWN' }).get('/account-info/v3/details').reply(200, ACCOUNT_DETAILS);
    expect(await connector().verify()).toMatchObject({ ok: true, accountId: '12345678' });
  });
});

describe('error answers that repeat the credentials', () => {
  it('the message is cut short and never holds the token the connector sent', async () => {
    const opaque = 'opaque-access-token-0123456789abcdef';
    const echoed = `Bad credentials: Bearer ${opaque} (the key ${opaque} is unknown) ${'and more '.repeat(300)}`;
    for (const status of [401, 403, 400]) {
      api(opaque).get('/account-info/v3/details').reply(status, { status: 'error', message: echoed, correlationId, category: 'INVALID_AUTHENTICATION' });
      const verified = await connector(privateAppToken(opaque)).verify();
      if (verified.ok) throw new Error(`a ${status} was taken for success`);
      expect(verified.message, String(status)).not.toContain(opaque);
      expect(verified.message.length, String(status)).toBeLessThan(500);
      expect(verified.message, String(status)).toMatch(/Bad credentials/);
    }
  });
});

describe('fields', () => {
  const group = { name: 'lifecycle_sync', label: 'Lifecycle Sync', displayOrder: -1, archived: false };

  it('creates the missing properties in the group; a 409 on create (another process was first) counts as created', async () => {
    const created: string[] = [];
    const scope = api()
      .get('/crm/v3/properties/contacts/groups')
      .reply(200, { results: [] })
      .get('/crm/v3/properties/contacts')
      .reply(200, { results: [{ name: 'email', label: 'Email', type: 'string', fieldType: 'text', groupName: 'contactinformation' }] })
      .post('/crm/v3/properties/contacts/groups', { name: 'lifecycle_sync', label: 'Lifecycle Sync', displayOrder: -1 })
      .reply(201, group)
      .post('/crm/v3/properties/contacts', (b: { name: string; groupName: string }) => b.groupName === 'lifecycle_sync' && b.name !== 'lcs_scored_at')
      .times(specs.length - 1)
      .reply(201, { name: 'lcs_ltv', label: 'Lifetime value to date', type: 'number', fieldType: 'number', groupName: 'lifecycle_sync', createdAt: '2026-11-22T12:00:00Z' })
      .post('/crm/v3/properties/contacts', (b: { name: string }) => b.name === 'lcs_scored_at')
      .reply(409, { status: 'error', message: "A property named 'lcs_scored_at' already exists.", correlationId, category: 'OBJECT_ALREADY_EXISTS' });
    scope.on('request', (_req, _interceptor, body: string) => {
      const name = (JSON.parse(body || '{}') as { name?: string; groupName?: string }).groupName ? (JSON.parse(body) as { name: string }).name : null;
      if (name) created.push(name);
    });
    const { report } = await ensureFields(connector(), specs, { dryRun: false });
    expect(report.created).toHaveLength(specs.length);
    expect(created.sort()).toEqual(specs.map((s) => report.created.find((c) => c.key === s.key)?.name).sort());
  });

  it('an existing property of the wrong type is an error before anything is created', async () => {
    api()
      .get('/crm/v3/properties/contacts/groups')
      .reply(200, { results: [group] })
      .get('/crm/v3/properties/contacts')
      .reply(200, { results: [{ name: 'lcs_ltv', label: 'LTV', type: 'string', fieldType: 'text', groupName: 'lifecycle_sync', description: 'Managed by Lifecycle Sync.' }] });
    await expect(ensureFields(connector(), specs, { dryRun: false })).rejects.toThrow(/lcs_ltv exists with type string, but ltv needs number/);
  });

  it('a dry run reads but never writes', async () => {
    api().get('/crm/v3/properties/contacts/groups').reply(200, { results: [] }).get('/crm/v3/properties/contacts').reply(200, { results: [] });
    const { report } = await ensureFields(connector(), specs, { dryRun: true });
    expect(report.created).toHaveLength(specs.length);
    expect(report.other).toEqual(['create property group lifecycle_sync']);
  });
});

describe('incremental pull', () => {
  const contact = (id: string, modified: string) => ({ id, properties: { lastmodifieddate: modified, hs_object_id: id }, createdAt: '2025-01-01T00:00:00Z', updatedAt: modified, archived: false });
  interface SearchBody {
    filterGroups: unknown;
    sorts: unknown;
    properties: string[];
    limit: number;
    after?: string;
  }
  /** Exact filters, sorts, limit and after; the requested properties must include `needs`. */
  const search =
    (modified: string, filters: unknown[], needs: string[], after?: string) =>
    (b: SearchBody): boolean =>
      isDeepStrictEqual({ filterGroups: b.filterGroups, sorts: b.sorts, limit: b.limit, after: b.after }, { filterGroups: [{ filters }], sorts: [{ propertyName: modified, direction: 'ASCENDING' }], limit: 200, after }) &&
      needs.every((p) => b.properties.includes(p));

  it('searches ascending on lastmodifieddate and re-bases the window before the 10,000-result cap', async () => {
    const since = Date.parse('2026-11-21T00:00:00Z');
    const needs = ['lastmodifieddate', 'lcs_stage', 'lcs_scored_at'];
    const gte = (ms: number) => [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(ms) }];
    const last = '2026-11-21T08:00:00.000Z';
    api()
      .post('/crm/v3/objects/contacts/search', search('lastmodifieddate', gte(since), needs))
      .reply(200, { total: 12_000, results: [contact('1', '2026-11-21T07:00:00.000Z')], paging: { next: { after: '9800' } } })
      // 9,800 + 200 reaches exactly 10,000: still allowed.
      .post('/crm/v3/objects/contacts/search', search('lastmodifieddate', gte(since), needs, '9800'))
      .reply(200, { total: 12_000, results: [contact('2', '2026-11-21T07:30:00.000Z'), contact('3', last)], paging: { next: { after: '10000' } } })
      // Past 10,000 HubSpot refuses: the window restarts at the last timestamp seen.
      .post('/crm/v3/objects/contacts/search', search('lastmodifieddate', gte(Date.parse(last)), needs))
      .reply(200, { total: 2, results: [contact('3', last), contact('4', '2026-11-21T09:00:00.000Z')] })
      .post('/crm/v3/objects/deals/search', search('hs_lastmodifieddate', [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(since) }], ['amount', 'closedate', 'dealstage', 'pipeline']))
      .reply(200, { total: 0, results: [] })
      .get('/crm/v3/pipelines/deals')
      .reply(200, { results: [] });
    const pages: PulledPage[] = [];
    for await (const page of connector().pull({ fields: ALL_FIELDS, mode: 'incremental', resume: null, since })) pages.push(page);
    const ids = pages.flatMap((p) => p.customers.map((c) => c.recordId));
    expect(ids).toEqual(['1', '2', '3', '4']); // contact 3 is returned twice by HubSpot but pulled once
  });

  it("excludes the plugin's own last writes in the query (three OR-groups), unless modified after them", async () => {
    const since = Date.parse('2026-11-21T00:00:00Z');
    const scoredAt = '2026-11-21T02:00:00.000Z';
    const window = { propertyName: 'lastmodifieddate', operator: 'GTE', value: String(since) };
    api()
      .post('/crm/v3/objects/contacts/search', (b: SearchBody) =>
        isDeepStrictEqual(b.filterGroups, [
          { filters: [window, { propertyName: 'lcs_scored_at', operator: 'NEQ', value: String(Date.parse(scoredAt)) }] },
          { filters: [window, { propertyName: 'lcs_scored_at', operator: 'NOT_HAS_PROPERTY' }] },
          { filters: [window, { propertyName: 'lastmodifieddate', operator: 'GT', value: String(Date.parse('2026-11-21T02:10:00Z')) }] },
        ]),
      )
      .reply(200, { total: 0, results: [] })
      .post('/crm/v3/objects/deals/search')
      .reply(200, { total: 0, results: [] })
      .get('/crm/v3/pipelines/deals')
      .reply(200, { results: [] });
    const request = { fields: ALL_FIELDS, mode: 'incremental' as const, resume: null, since, skipOwnWrites: { field: 'scoredAt' as const, value: scoredAt, unlessModifiedAfter: Date.parse('2026-11-21T02:10:00Z') } };
    for await (const page of connector().pull(request)) expect(page.customers).toEqual([]);
  });
});

describe('OAuth install', () => {
  const oauth = new HubSpotOAuth({ clientId: 'client-id', clientSecret: 'client-secret', apiBaseUrl: BASE, clock: time.clock });
  const exchange = { grant_type: 'authorization_code', client_id: 'client-id', client_secret: 'client-secret', redirect_uri: 'https://lcs.example/oauth/hubspot/callback', code: 'code-1' };

  it('the grant is for the portal the new token\u2019s metadata names, and keeps where the API is', async () => {
    nock(BASE).post('/oauth/v1/token', exchange).reply(200, { token_type: 'bearer', refresh_token: 'refresh-1', access_token: 'access-1', expires_in: 1800 });
    nock(BASE).get('/oauth/v1/access-tokens/access-1').reply(200, { token: 'access-1', user: 'admin@acme.example', hub_domain: 'acme.example', scopes: ['oauth'], hub_id: 62515, app_id: 456, expires_in: 1799, user_id: 123, token_type: 'access' });
    const grant = await oauth.exchange({ code: 'code-1', redirectUri: exchange.redirect_uri });
    expect(grant).toEqual({
      credentials: { kind: 'oauth', accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt: time.now + 1_800_000, extra: { hubId: '62515', hubDomain: 'acme.example' } },
      name: 'HubSpot (acme.example)',
      accountId: '62515',
      accountEnv: { HUBSPOT_BASE_URL: BASE },
    });
  });

  it('without the portal id the install fails: an installation must know its account', async () => {
    nock(BASE).post('/oauth/v1/token', exchange).reply(200, { token_type: 'bearer', refresh_token: 'refresh-1', access_token: 'access-2', expires_in: 1800 });
    nock(BASE).get('/oauth/v1/access-tokens/access-2').reply(404, { status: 'error', message: 'The token is invalid or has expired', correlationId, category: 'OBJECT_NOT_FOUND' });
    await expect(oauth.exchange({ code: 'code-1', redirectUri: exchange.redirect_uri })).rejects.toThrow(/HubSpot did not say which portal granted access/);
  });
});
