// Describe and field-level security: what the integration user can see of a custom field before and
// after a permission set grants it, driven end to end through jsforce as a connector's setup would.
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, connection, firstError, rejection, soql, start, type Started } from './helpers.ts';

let s: Started;
let conn: Connection;
let contactId: string;

beforeAll(async () => {
  s = await start({}, (sb) => {
    contactId = sb.data.createContact({ LastName: 'Lovelace', Email: 'ada@example.com' });
  });
  conn = connection(s.url);
});

/** jsforce types picklist entries as `any`. */
function values(entries: unknown): string[] {
  return (entries as { value: string }[] | undefined ?? []).map((v) => v.value);
}

afterAll(async () => {
  await s.close();
});

describe('describe', () => {
  it('lists the objects, and describes fields with their types and attributes', async () => {
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((o) => o.name)).toEqual(expect.arrayContaining(['Contact', 'Account', 'Opportunity', 'OpportunityContactRole', 'PermissionSet', 'FieldPermissions', 'PermissionSetAssignment', 'User']));
    const contact = await conn.sobject('Contact').describe();
    expect(contact.keyPrefix).toBe('003');
    const field = (name: string) => contact.fields.find((f) => f.name === name);
    expect(field('Email')).toMatchObject({ type: 'email', length: 80, updateable: true, custom: false, soapType: 'xsd:string' });
    expect(field('LastName')).toMatchObject({ type: 'string', length: 80, nillable: false });
    expect(field('AccountId')).toMatchObject({ type: 'reference', referenceTo: ['Account'], relationshipName: 'Account' });
    expect(field('SystemModstamp')).toMatchObject({ type: 'datetime', updateable: false, createable: false });
    expect(field('NPS_Score__c')).toMatchObject({ type: 'double', precision: 2, scale: 0, custom: true });
    expect(values(field('Churn_Reason__c')?.picklistValues)).toContain('Moved');
    expect(contact.childRelationships).toEqual(expect.arrayContaining([expect.objectContaining({ childSObject: 'OpportunityContactRole', field: 'ContactId', relationshipName: 'OpportunityContactRoles' })]));
    const opportunity = await conn.sobject('Opportunity').describe();
    const stage = opportunity.fields.find((f) => f.name === 'StageName');
    expect(stage?.restrictedPicklist).toBe(true);
    expect(values(stage?.picklistValues)).toContain('Closed Won');
  });

  it('answers NOT_FOUND for an unknown object', async () => {
    const r = await call(s.url, 'GET', '/sobjects/Nope/describe');
    expect(r.status).toBe(404);
    expect(firstError(r)).toEqual({ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' });
  });
});

describe('field-level security of a new custom field', () => {
  it('hides the field until a permission set grants it, then allows what the grant allows', async () => {
    const created = await conn.metadata.create('CustomField', { fullName: 'Contact.LCS_Stage__c', label: 'Lifecycle stage', type: 'Text', length: 40 });
    expect(created.success).toBe(true);
    // Created, but not granted: invisible everywhere, as if it did not exist.
    const hidden = await soql(s.url, 'SELECT Id, LCS_Stage__c FROM Contact');
    expect(firstError(hidden).errorCode).toBe('INVALID_FIELD');
    expect(firstError(hidden).message).toContain("No such column 'LCS_Stage__c' on entity 'Contact'");
    expect((await conn.sobject('Contact').describe()).fields.map((f) => f.name)).not.toContain('LCS_Stage__c');
    const update = await conn.sobject('Contact').update([{ Id: contactId, LCS_Stage__c: 'loyalty' }]);
    expect(update[0]).toMatchObject({ success: false, errors: [{ statusCode: 'INVALID_FIELD', message: "No such column 'LCS_Stage__c' on sobject of type Contact" }] });

    // A read-only grant: visible, but not writable.
    const set = await conn.sobject('PermissionSet').create({ Name: 'Lifecycle_Sync', Label: 'Lifecycle Sync' });
    const grant = await conn.sobject('FieldPermissions').create({ ParentId: set.id, SobjectType: 'Contact', Field: 'Contact.LCS_Stage__c', PermissionsRead: true, PermissionsEdit: false });
    expect(grant.success).toBe(true);
    const me = await conn.identity();
    const assignment = await conn.sobject('PermissionSetAssignment').create({ AssigneeId: me.user_id, PermissionSetId: set.id });
    expect(assignment.success).toBe(true);
    expect((await conn.query('SELECT Id, LCS_Stage__c FROM Contact')).records[0]).toMatchObject({ LCS_Stage__c: null });
    const readOnly = await conn.sobject('Contact').update([{ Id: contactId, LCS_Stage__c: 'loyalty' }]);
    expect(readOnly[0]).toMatchObject({ success: false, errors: [{ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['LCS_Stage__c'] }] });

    // Edit as well: now writable, and queryable through the permission objects.
    await conn.sobject('FieldPermissions').update({ Id: grant.id ?? '', PermissionsEdit: true });
    expect((await conn.sobject('Contact').update([{ Id: contactId, LCS_Stage__c: 'loyalty' }]))[0].success).toBe(true);
    expect((await conn.query(`SELECT LCS_Stage__c FROM Contact WHERE Id = '${contactId}'`)).records[0].LCS_Stage__c).toBe('loyalty');
    const grants = await conn.query(`SELECT Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE Parent.Name = 'Lifecycle_Sync'`);
    expect(grants.records).toEqual([expect.objectContaining({ Field: 'Contact.LCS_Stage__c', PermissionsRead: true, PermissionsEdit: true })]);
    const assigned = await conn.query(`SELECT PermissionSet.Name FROM PermissionSetAssignment WHERE AssigneeId = '${me.user_id}' AND PermissionSetId = '${set.id}'`);
    expect(assigned.totalSize).toBe(1);

    // Removing the assignment takes the access away again.
    await conn.sobject('PermissionSetAssignment').destroy(assignment.id ?? '');
    expect(firstError(await soql(s.url, 'SELECT LCS_Stage__c FROM Contact')).errorCode).toBe('INVALID_FIELD');
  });

  it('checks permission records as Salesforce does', async () => {
    const set = await conn.sobject('PermissionSet').create({ Name: 'Second_Set', Label: 'Second' });
    const bad = await conn.sobject('FieldPermissions').create([
      { ParentId: set.id, SobjectType: 'Contact', Field: 'Contact.Nope__c', PermissionsRead: true },
      { ParentId: set.id, SobjectType: 'Contact', Field: 'Contact.NPS_Score__c', PermissionsRead: false, PermissionsEdit: true },
    ]);
    expect(bad.map((r) => (r.success ? 'ok' : (r.errors[0] as unknown as { statusCode: string }).statusCode))).toEqual(['INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', 'FIELD_INTEGRITY_EXCEPTION']);
    // A single-record create that fails is a 400, which jsforce throws with the error code as its name.
    const duplicate = await rejection(conn.sobject('PermissionSet').create({ Name: 'Second_Set', Label: 'Again' }));
    expect(duplicate.errorCode).toBe('DUPLICATE_DEVELOPER_NAME');
    const me = await conn.identity();
    await conn.sobject('PermissionSetAssignment').create({ AssigneeId: me.user_id, PermissionSetId: set.id });
    const again = await call(s.url, 'POST', '/sobjects/PermissionSetAssignment', { body: { AssigneeId: me.user_id, PermissionSetId: set.id } });
    expect(again.status).toBe(400);
    expect(firstError(again).errorCode).toBe('DUPLICATE_VALUE');
  });
});
