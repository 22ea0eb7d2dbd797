// Custom fields on Opportunity through the Metadata API, as a connector's deal set-up makes them: created,
// invisible to the integration user until a permission set grants them, then described and written
// with restricted-picklist, number and datetime validation; LastStageChangeDate kept by the platform.
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, connection, firstError, start, type Started } from './helpers.ts';

let s: Started;
let conn: Connection;
let oppId: string;

beforeAll(async () => {
  s = await start({}, (sb) => {
    oppId = sb.data.createOpportunity({ Name: 'Deal', StageName: 'Prospecting', CloseDate: '2027-01-15' });
  });
  conn = connection(s.url);
});

afterAll(async () => {
  await s.close();
});

describe('Opportunity custom fields', () => {
  it('creates a picklist, a number and a datetime on Opportunity, usable once granted', async () => {
    const value = ['unknown', 'identified', 'confirmed'].map((v) => ({ fullName: v, label: v, default: false }));
    const results = [
      await conn.metadata.create('CustomField', [
        { fullName: 'Opportunity.M_Champion__c', label: 'Champion', type: 'Picklist', valueSet: { restricted: true, valueSetDefinition: { value } } },
        { fullName: 'Opportunity.M_Score__c', label: 'Score', type: 'Number', precision: 18, scale: 0 },
        { fullName: 'Opportunity.M_At__c', label: 'At', type: 'DateTime' },
      ]),
    ].flat();
    expect(results.map((r) => r.success)).toEqual([true, true, true]);
    expect(s.sandbox.data.field('Contact', 'M_Champion__c')).toBeUndefined();
    // Field-level security: invisible to the API user until a permission set grants it.
    const hidden = await conn.sobject('Opportunity').describe();
    expect(hidden.fields.some((f) => f.name === 'M_Champion__c')).toBe(false);
    const ps = await call(s.url, 'POST', '/sobjects/PermissionSet', { body: { Name: 'Deals', Label: 'Deals' } });
    const psId = (ps.body as { id: string }).id;
    for (const f of ['M_Champion__c', 'M_Score__c', 'M_At__c']) {
      const g = await call(s.url, 'POST', '/sobjects/FieldPermissions', { body: { ParentId: psId, SobjectType: 'Opportunity', Field: `Opportunity.${f}`, PermissionsRead: true, PermissionsEdit: true } });
      expect(g.status).toBe(201);
    }
    expect((await call(s.url, 'POST', '/sobjects/PermissionSetAssignment', { body: { PermissionSetId: psId, AssigneeId: s.sandbox.data.integrationUserId } })).status).toBe(201);
    const shown = await conn.sobject('Opportunity').describe();
    const champion = shown.fields.find((f) => f.name === 'M_Champion__c');
    expect(champion?.type).toBe('picklist');
    expect(champion?.updateable).toBe(true);
    expect(shown.fields.find((f) => f.name === 'M_At__c')?.type).toBe('datetime');

    const good = await call(s.url, 'PATCH', `/sobjects/Opportunity/${oppId}`, { body: { M_Champion__c: 'confirmed', M_Score__c: 58, M_At__c: '2026-12-04T05:00:00.000Z' } });
    expect(good.status).toBe(204);
    expect(s.sandbox.data.get('Opportunity', oppId)).toMatchObject({ M_Champion__c: 'confirmed', M_Score__c: 58 });
    const badPick = await call(s.url, 'PATCH', `/sobjects/Opportunity/${oppId}`, { body: { M_Champion__c: 'maybe' } });
    expect(badPick.status).toBe(400);
    expect(firstError(badPick).errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    const badDate = await call(s.url, 'PATCH', `/sobjects/Opportunity/${oppId}`, { body: { M_At__c: 'yesterday' } });
    expect(badDate.status).toBe(400);
  });
});

describe('LastStageChangeDate', () => {
  it('is set when the Opportunity is created and when its stage changes, and is read-only', async () => {
    const created = s.sandbox.data.get('Opportunity', oppId) ?? {};
    const createdAt = new Date(created.CreatedDate as string | number).getTime();
    expect(new Date(created.LastStageChangeDate as string | number).getTime()).toBe(createdAt);
    await new Promise((r) => setTimeout(r, 3));
    expect((await call(s.url, 'PATCH', `/sobjects/Opportunity/${oppId}`, { body: { Amount: 10 } })).status).toBe(204);
    expect(new Date(s.sandbox.data.get('Opportunity', oppId)?.LastStageChangeDate as string | number).getTime()).toBe(createdAt);
    expect((await call(s.url, 'PATCH', `/sobjects/Opportunity/${oppId}`, { body: { StageName: 'Qualification' } })).status).toBe(204);
    const moved = new Date(s.sandbox.data.get('Opportunity', oppId)?.LastStageChangeDate as string | number).getTime();
    expect(moved).toBeGreaterThan(createdAt);
    const q = await call(s.url, 'GET', `/query?q=${encodeURIComponent(`SELECT LastStageChangeDate FROM Opportunity WHERE Id = '${oppId}'`)}`);
    expect(Date.parse((q.body as { records: { LastStageChangeDate: string }[] }).records[0].LastStageChangeDate)).toBe(moved);
    const write = await call(s.url, 'PATCH', `/sobjects/Opportunity/${oppId}`, { body: { LastStageChangeDate: '2020-01-01T00:00:00.000Z' } });
    expect(write.status).toBe(400);
    expect(firstError(write).errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
  });
});
