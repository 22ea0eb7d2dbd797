// The official SDK (@hubspot/api-client 14) against the sandbox: it throws on any status or content type
// it does not expect, so every call that returns here proves the response is one HubSpot would send.
import { Client } from '@hubspot/api-client';
import type { PublicObjectSearchRequest } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/models/Filter.js';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/deals/models/AssociationSpec.js';
import { PropertyCreateFieldTypeEnum, PropertyCreateTypeEnum } from '@hubspot/api-client/lib/codegen/crm/properties/models/PropertyCreate.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotSandbox, type HubSpotSandbox } from '../index.ts';

const CLIENT = { clientId: 'sandbox-client-id', clientSecret: 'sandbox-client-secret', redirectUri: 'http://localhost:3000/oauth/hubspot/callback' };

let sandbox: HubSpotSandbox;
let client: Client;
let contactIds: string[];
let dealIds: string[];

/** The SDK's ApiException as a plain shape (each generated module has its own class). */
async function failure(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown>; headers: Record<string, string> }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: number; body?: Record<string, unknown>; headers?: Record<string, string> };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, body: e.body ?? {}, headers: e.headers ?? {} };
  }
  throw new Error('expected the SDK to throw');
}

/** Documented sort objects; the SDK types `sorts` as strings but passes objects through. */
function searchBody(body: { filterGroups?: { filters: { propertyName: string; operator: FilterOperatorEnum; value?: string }[] }[]; sorts?: { propertyName: string; direction: string }[]; properties?: string[]; limit?: number; after?: string }): PublicObjectSearchRequest {
  return { filterGroups: [], sorts: [], properties: [], limit: 10, ...body } as unknown as PublicObjectSearchRequest;
}

beforeAll(async () => {
  sandbox = createHubSpotSandbox({ limits: { tenSecondly: 100_000, searchPerSecond: 10_000 }, associationPageSize: 2 });
  contactIds = [];
  for (let i = 0; i < 10_050; i++) contactIds.push(sandbox.data.createContact({ email: `c${i}@example.com`, firstname: `C${i}` }));
  dealIds = ['closedwon', 'closedwon', 'qualifiedtobuy'].map((stage, i) =>
    sandbox.data.createDeal({ dealname: `D${i}`, amount: String(100 * (i + 1)), pipeline: 'default', dealstage: stage }, [contactIds[0]]));
  sandbox.data.associate(dealIds[0], contactIds[1]);
  const url = await sandbox.listen();
  client = new Client({ accessToken: 'sandbox-private-app-token', basePath: url, numberOfApiCallRetries: 0 });
});

afterAll(async () => {
  await sandbox.close();
});

describe('properties', () => {
  it('creates, lists and updates properties and groups', async () => {
    const group = await client.crm.properties.groupsApi.create('contacts', { name: 'lifecycle_sync', label: 'Lifecycle Sync', displayOrder: 1 });
    expect(group.name).toBe('lifecycle_sync');
    expect((await client.crm.properties.groupsApi.getAll('contacts')).results.map((g) => g.name)).toContain('lifecycle_sync');
    const created = await client.crm.properties.coreApi.create('contacts', {
      name: 'ls_stage', label: 'Lifecycle stage (model)', type: PropertyCreateTypeEnum.Enumeration, fieldType: PropertyCreateFieldTypeEnum.Select,
      groupName: 'lifecycle_sync', options: [{ label: 'Active', value: 'active', displayOrder: 0, hidden: false }, { label: 'Lost', value: 'lost', displayOrder: 1, hidden: false }],
    });
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(created.options.map((o) => o.value)).toEqual(['active', 'lost']);
    const all = await client.crm.properties.coreApi.getAll('contacts');
    expect(all.results.find((p) => p.name === 'ls_stage')?.hubspotDefined).toBe(false);
    const updated = await client.crm.properties.coreApi.update('contacts', 'ls_stage', { label: 'Model stage' });
    expect(updated.label).toBe('Model stage');
    const duplicate = await failure(client.crm.properties.coreApi.create('contacts', { name: 'ls_stage', label: 'x', type: PropertyCreateTypeEnum.String, fieldType: PropertyCreateFieldTypeEnum.Text, groupName: 'lifecycle_sync' }));
    expect(duplicate.code).toBe(409);
    expect(duplicate.body.category).toBe('OBJECT_ALREADY_EXISTS');
  });
});

describe('contacts', () => {
  it('reads pages with associations', async () => {
    const page = await client.crm.contacts.basicApi.getPage(2, undefined, ['email'], undefined, ['deals']);
    expect(page.results.map((c) => c.id)).toEqual(contactIds.slice(0, 2));
    expect(page.results[0].associations?.deals.results.map((a) => a.id)).toEqual(dealIds);
    expect(page.results[0].updatedAt).toBeInstanceOf(Date);
    expect(page.paging?.next?.after).toBe(contactIds[2]);
    const next = await client.crm.contacts.basicApi.getPage(2, page.paging?.next?.after, ['email']);
    expect(next.results[0].properties.email).toBe('c2@example.com');
  });

  it('returns 207 results from batch update and throws 400 for invalid values', async () => {
    const partial = await client.crm.contacts.batchApi.update({ inputs: [{ id: contactIds[0], properties: { lastname: 'Zero' } }, { id: '1', properties: { lastname: 'None' } }] });
    expect(partial.results.map((r) => r.properties.lastname)).toEqual(['Zero']);
    expect('errors' in partial && partial.errors?.[0].category).toBe('OBJECT_NOT_FOUND');
    const ok = await client.crm.contacts.batchApi.updateWithHttpInfo({ inputs: [{ id: contactIds[1], properties: { lastname: 'One' } }] });
    expect(ok.httpStatusCode).toBe(200);
    expect(ok.headers['x-hubspot-ratelimit-remaining']).toBeDefined();
    const invalid = await failure(client.crm.contacts.batchApi.update({ inputs: [{ id: contactIds[0], properties: { hs_feedback_last_nps_rating: 'ten' } }] }));
    expect(invalid.code).toBe(400);
    expect(invalid.body).toMatchObject({ category: 'VALIDATION_ERROR', errors: [{ code: 'INVALID_INTEGER' }] });
    expect(invalid.headers['x-hubspot-correlation-id']).toBe(invalid.body.correlationId);
  });

  it('searches with paging up to the 10,000-result cap', async () => {
    const request = (after?: string) => searchBody({
      filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: FilterOperatorEnum.Gte, value: '0' }] }],
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
      properties: ['email'],
      limit: 200,
      ...(after === undefined ? {} : { after }),
    });
    const first = await client.crm.contacts.searchApi.doSearch(request());
    expect(first.total).toBe(10_050);
    expect(first.results).toHaveLength(200);
    expect(first.paging?.next?.after).toBe('200');
    const last = await client.crm.contacts.searchApi.doSearch(request('9800'));
    expect(last.paging?.next?.after).toBe('10000');
    const beyond = await failure(client.crm.contacts.searchApi.doSearch(request('10000')));
    expect(beyond.code).toBe(400);
    expect(beyond.body.category).toBe('VALIDATION_ERROR');
  });

  it('throws the SECONDLY 429 the SDK recognises for search', async () => {
    const limited = createHubSpotSandbox({ limits: { searchPerSecond: 1 } });
    const url = await limited.listen();
    try {
      const c = new Client({ accessToken: 'sandbox-private-app-token', basePath: url, numberOfApiCallRetries: 0 });
      await c.crm.contacts.searchApi.doSearch(searchBody({}));
      const refused = await failure(c.crm.contacts.searchApi.doSearch(searchBody({})));
      expect(refused.code).toBe(429);
      expect(refused.body.message).toBe('You have reached your secondly limit.');
    } finally {
      await limited.close();
    }
  });
  it('creates in batches (201) and singly', async () => {
    const batch = await client.crm.contacts.batchApi.create({ inputs: [{ properties: { email: 'new1@example.com' }, associations: [] }] });
    expect(batch.results[0].properties.email).toBe('new1@example.com');
    const single = await client.crm.deals.basicApi.create({
      properties: { dealname: 'SDK deal', pipeline: 'default', dealstage: 'closedlost' },
      associations: [{ to: { id: batch.results[0].id }, types: [{ associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined, associationTypeId: 3 }] }],
    });
    expect(single.properties.dealname).toBe('SDK deal');
    expect(sandbox.data.dealIdsOf(batch.results[0].id)).toEqual([single.id]);
  });
});

describe('deals, pipelines and associations', () => {
  it('reads deals by page and by batch', async () => {
    const page = await client.crm.deals.basicApi.getPage(3, undefined, ['dealname', 'hs_is_closed_won']);
    expect(page.results.map((d) => d.properties.hs_is_closed_won)).toEqual(['true', 'true', 'false']);
    const batch = await client.crm.deals.batchApi.read({ inputs: dealIds.map((id) => ({ id })), properties: ['amount'], propertiesWithHistory: [] });
    expect(batch.results.map((d) => d.properties.amount).sort()).toEqual(['100', '200', '300']);
    const partial = await client.crm.deals.batchApi.read({ inputs: [{ id: dealIds[0] }, { id: '3' }], properties: [], propertiesWithHistory: [] });
    expect('numErrors' in partial && partial.numErrors).toBe(1);
  });

  it('lists deal pipelines', async () => {
    const { results } = await client.crm.pipelines.pipelinesApi.getAll('deals');
    expect(results[0].stages.find((s) => s.id === 'closedwon')?.metadata).toEqual({ isClosed: 'true', probability: '1.0' });
    expect(results[0].createdAt).toBeInstanceOf(Date);
  });

  it('reads associations v4 with per-object paging and 207 for objects without any', async () => {
    const first = await client.crm.associations.v4.batchApi.getPage('contacts', 'deals', { inputs: [{ id: contactIds[0] }, { id: contactIds[5] }] });
    expect(first.results).toHaveLength(1);
    const [row] = first.results;
    expect(row._from.id).toBe(contactIds[0]);
    expect(row.to.map((t) => Number(t.toObjectId))).toEqual(dealIds.slice(0, 2).map(Number));
    expect(row.to[0].associationTypes[0]).toMatchObject({ category: 'HUBSPOT_DEFINED', typeId: 4 });
    expect('errors' in first && first.errors?.[0].subCategory).toBe('crm.associations.NO_ASSOCIATIONS_FOUND');
    const after = row.paging?.next?.after;
    expect(after).toBeDefined();
    const second = await client.crm.associations.v4.batchApi.getPage('contacts', 'deals', { inputs: [{ id: contactIds[0], after }] });
    expect(second.results[0].to.map((t) => String(t.toObjectId))).toEqual([dealIds[2]]);
    expect(second.results[0].paging).toBeUndefined();
    const back = await client.crm.associations.v4.batchApi.getPage('deals', 'contacts', { inputs: [{ id: dealIds[0] }] });
    expect(back.results[0].to.map((t) => String(t.toObjectId))).toEqual([contactIds[0], contactIds[1]]);
    expect(back.results[0].to[0].associationTypes[0].typeId).toBe(3);
  });
});

describe('OAuth', () => {
  it('creates tokens for both grants through tokensApi.create', async () => {
    const code = sandbox.issueAuthorizationCode();
    const issued = await client.oauth.tokensApi.create('authorization_code', code, CLIENT.redirectUri, CLIENT.clientId, CLIENT.clientSecret);
    expect(issued.tokenType).toBe('bearer');
    expect(issued.expiresIn).toBe(1800);
    const info = await client.oauth.accessTokensApi.get(issued.accessToken);
    expect(info.scopes).toContain('crm.objects.contacts.read');
    expect(info.expiresIn).toBeLessThanOrEqual(1800);
    const refreshed = await client.oauth.tokensApi.create('refresh_token', undefined, undefined, CLIENT.clientId, CLIENT.clientSecret, issued.refreshToken);
    expect(refreshed.accessToken).not.toBe(issued.accessToken);
    const reused = await failure(client.oauth.tokensApi.create('authorization_code', code, CLIENT.redirectUri, CLIENT.clientId, CLIENT.clientSecret));
    expect(reused.code).toBe(400);
    expect(reused.body).toMatchObject({ status: 'EXPIRED_AUTH_CODE', error: 'invalid_grant' });

    const oauthClient = new Client({ accessToken: refreshed.accessToken, basePath: sandbox.url, numberOfApiCallRetries: 0 });
    const page = await oauthClient.crm.contacts.basicApi.getPageWithHttpInfo(1);
    expect(page.httpStatusCode).toBe(200);
    expect(page.headers['x-hubspot-ratelimit-daily']).toBeUndefined();
    sandbox.expireAccessTokens();
    const expired = await failure(oauthClient.crm.contacts.basicApi.getPage(1));
    expect(expired.code).toBe(401);
    expect(expired.body.category).toBe('EXPIRED_AUTHENTICATION');
  });
});
