// Properties, property groups and deal pipelines over raw HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotSandbox, type HubSpotSandbox } from '../index.ts';

const TOKEN = 'sandbox-private-app-token';
let sandbox: HubSpotSandbox;
let url: string;

beforeAll(async () => {
  sandbox = createHubSpotSandbox();
  url = await sandbox.listen();
});

afterAll(async () => {
  await sandbox.close();
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(url + path, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (text !== '') expect(res.headers.get('content-type')).toBe('application/json;charset=utf-8');
  return { status: res.status, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
}

type Property = { name: string; type: string; fieldType: string; hubspotDefined: boolean; modificationMetadata: { readOnlyValue: boolean }; options: { value: string }[] };

const score = { name: 'ls_score', label: 'Lifecycle score', type: 'number', fieldType: 'number', groupName: 'contactinformation', description: 'From Lifecycle Sync' };

describe('default properties', () => {
  it('lists HubSpot-defined contact properties with their types and read-only flags', async () => {
    const r = await call('GET', '/crm/v3/properties/contacts');
    expect(r.status).toBe(200);
    expect(r.body).not.toHaveProperty('paging');
    const byName = new Map((r.body.results as Property[]).map((p) => [p.name, p]));
    for (const name of ['email', 'firstname', 'lastname', 'createdate', 'lastmodifieddate', 'hs_object_id', 'lifecyclestage', 'notes_last_updated', 'notes_last_contacted', 'hs_email_last_open_date', 'hs_last_sales_activity_timestamp', 'hs_feedback_last_nps_rating']) {
      expect(byName.get(name)?.hubspotDefined, name).toBe(true);
    }
    expect(byName.get('notes_last_updated')).toMatchObject({ type: 'datetime', fieldType: 'date' });
    expect(byName.get('lastmodifieddate')?.modificationMetadata.readOnlyValue).toBe(true);
    expect(byName.get('email')?.modificationMetadata.readOnlyValue).toBe(false);
  });

  it('lists deal properties, with the calculated ones read-only', async () => {
    const r = await call('GET', '/crm/v3/properties/0-3');
    const byName = new Map((r.body.results as Property[]).map((p) => [p.name, p]));
    for (const name of ['amount_in_home_currency', 'hs_lastmodifieddate', 'hs_is_closed', 'hs_is_closed_won', 'hs_object_id']) {
      expect(byName.get(name)?.modificationMetadata.readOnlyValue, name).toBe(true);
    }
    expect(byName.get('hs_is_closed')).toMatchObject({ type: 'bool', fieldType: 'booleancheckbox' });
    expect(byName.get('dealstage')?.options.map((o) => o.value)).toContain('closedwon');
  });
});

describe('creating and updating properties', () => {
  it('creates with 201 and the full definition', async () => {
    const r = await call('POST', '/crm/v3/properties/contacts', score);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      name: 'ls_score', label: 'Lifecycle score', type: 'number', fieldType: 'number', groupName: 'contactinformation',
      hubspotDefined: false, calculated: false, hasUniqueValue: false, archived: false, options: [],
      modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
    });
    expect(r.body.createdAt).toMatch(/Z$/);
    expect((await call('GET', '/crm/v3/properties/contacts/ls_score')).body.name).toBe('ls_score');
    expect(sandbox.data.getProperty('contacts', 'ls_score')).toEqual({ name: 'ls_score', type: 'number', fieldType: 'number', groupName: 'contactinformation' });
  });

  it('answers 409 OBJECT_ALREADY_EXISTS for a duplicate name', async () => {
    const r = await call('POST', '/crm/v3/properties/contacts', score);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ status: 'error', category: 'OBJECT_ALREADY_EXISTS' });
  });

  it.each([
    ['a type/fieldType pair HubSpot rejects', { ...score, name: 'p1', type: 'number', fieldType: 'text' }],
    ['a datetime shown as a text field', { ...score, name: 'p2', type: 'datetime', fieldType: 'text' }],
    ['an unknown group', { ...score, name: 'p3', groupName: 'nogroup' }],
    ['a calculation without a formula', { ...score, name: 'p4', fieldType: 'calculation_equation' }],
    ['a name with capitals', { ...score, name: 'LsScore' }],
    ['duplicate option values', { ...score, name: 'p5', type: 'enumeration', fieldType: 'select', options: [{ label: 'A', value: 'a' }, { label: 'A2', value: 'a' }] }],
  ])('answers 400 VALIDATION_ERROR for %s', async (_name, body) => {
    const r = await call('POST', '/crm/v3/properties/contacts', body);
    expect(r.status).toBe(400);
    expect(r.body.category).toBe('VALIDATION_ERROR');
  });

  it('names missing required fields', async () => {
    const r = await call('POST', '/crm/v3/properties/contacts', { name: 'p6', type: 'string', fieldType: 'text' });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe('Invalid input JSON: Cannot build PropertyCreate, some of required attributes are not set [label, groupName]');
  });

  it('updates label, description and options with PATCH', async () => {
    const r = await call('PATCH', '/crm/v3/properties/contacts/ls_score', { label: 'Score', description: 'Updated' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'ls_score', label: 'Score', description: 'Updated', type: 'number' });
    expect((await call('PATCH', '/crm/v3/properties/contacts/email', { label: 'E-mail' })).status).toBe(400);
    expect((await call('PATCH', '/crm/v3/properties/contacts/nothing', { label: 'x' })).status).toBe(404);
  });

  it('archives a custom property (204) and lists it with archived=true', async () => {
    await call('POST', '/crm/v3/properties/contacts', { ...score, name: 'to_archive' });
    const del = await fetch(`${url}/crm/v3/properties/contacts/to_archive`, { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(del.status).toBe(204);
    expect((await call('GET', '/crm/v3/properties/contacts/to_archive')).status).toBe(404);
    const archived = await call('GET', '/crm/v3/properties/contacts?archived=true');
    expect((archived.body.results as Property[]).map((p) => p.name)).toEqual(['to_archive']);
  });
});

describe('property groups', () => {
  it('lists, creates (201) and refuses duplicates (409)', async () => {
    const list = await call('GET', '/crm/v3/properties/deals/groups');
    expect(list.body.results).toEqual([{ name: 'dealinformation', label: 'Deal information', displayOrder: 0, archived: false }]);
    const created = await call('POST', '/crm/v3/properties/contacts/groups', { name: 'lifecycle_sync', label: 'Lifecycle Sync' });
    expect(created).toEqual({ status: 201, body: { name: 'lifecycle_sync', label: 'Lifecycle Sync', displayOrder: -1, archived: false } });
    expect((await call('POST', '/crm/v3/properties/contacts/groups', { name: 'lifecycle_sync', label: 'Again' })).status).toBe(409);
    expect((await call('GET', '/crm/v3/properties/contacts/groups/lifecycle_sync')).status).toBe(200);
    expect((await call('POST', '/crm/v3/properties/contacts', { ...score, name: 'in_new_group', groupName: 'lifecycle_sync' })).status).toBe(201);
  });
});

describe('pipelines', () => {
  it('serves the default deal pipeline with string metadata', async () => {
    const r = await call('GET', '/crm/v3/pipelines/deals');
    expect(r.status).toBe(200);
    const [pipeline] = r.body.results as { id: string; stages: { id: string; metadata: Record<string, string>; writePermissions: string }[] }[];
    expect(pipeline.id).toBe('default');
    expect(pipeline.stages.map((s) => s.id)).toEqual(['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost']);
    expect(pipeline.stages.find((s) => s.id === 'closedwon')?.metadata).toEqual({ isClosed: 'true', probability: '1.0' });
    expect(pipeline.stages.find((s) => s.id === 'closedlost')?.metadata).toEqual({ isClosed: 'true', probability: '0.0' });
    expect((await call('GET', '/crm/v3/pipelines/deals/default/stages')).status).toBe(200);
    expect((await call('GET', '/crm/v3/pipelines/deals/nope')).status).toBe(404);
  });
});

describe('unknown routes', () => {
  it('answers 404 with a JSON body', async () => {
    const r = await call('GET', '/crm/v3/nothing/here/at/all');
    expect(r.status).toBe(404);
    expect(r.body.status).toBe('error');
  });
});
