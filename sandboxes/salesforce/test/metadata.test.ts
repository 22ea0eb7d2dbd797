// The Metadata API's CRUD calls for CustomField, through jsforce's own conn.metadata: what a
// connector's setup does to create and update the plugin's fields.
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connection, firstError, soql, start, type Started } from './helpers.ts';

let s: Started;
let conn: Connection;
let contactId: string;

beforeAll(async () => {
  s = await start({}, (sb) => {
    contactId = sb.data.createContact({ LastName: 'Meta' });
  });
  conn = connection(s.url);
});

afterAll(async () => {
  await s.close();
});

/** Grants read and edit on Contact fields to the integration user, as the plugin's setup would. */
async function grant(fields: string[]): Promise<void> {
  const me = await conn.identity();
  const name = `Grant_${Math.random().toString(36).slice(2, 8)}`;
  const set = await conn.sobject('PermissionSet').create({ Name: name, Label: name });
  for (const f of fields) await conn.sobject('FieldPermissions').create({ ParentId: set.id, SobjectType: 'Contact', Field: `Contact.${f}`, PermissionsRead: true, PermissionsEdit: true });
  await conn.sobject('PermissionSetAssignment').create({ AssigneeId: me.user_id, PermissionSetId: set.id });
}

const stage = (values: string[]) => ({
  fullName: 'Contact.LS_Stage__c',
  label: 'Lifecycle stage',
  type: 'Picklist',
  description: 'Set by Lifecycle Sync',
  inlineHelpText: 'Where this customer is in the lifecycle',
  valueSet: { restricted: true, valueSetDefinition: { sorted: false, value: values.map((v) => ({ fullName: v, default: false, label: v })) } },
});

describe('create and read', () => {
  it('creates fields of the types the plugin uses, and reads them back', async () => {
    const results = await conn.metadata.create('CustomField', [
      stage(['awareness', 'loyalty']),
      { fullName: 'Contact.LS_Reason__c', label: 'Stage reason', type: 'LongTextArea', length: 1000, visibleLines: 3 },
      { fullName: 'Contact.LS_Churn__c', label: 'Churn risk', type: 'Percent', precision: 5, scale: 2 },
      { fullName: 'Contact.LS_Value__c', label: 'Lifetime value', type: 'Currency', precision: 18, scale: 2 },
      { fullName: 'Contact.LS_Scored_At__c', label: 'Scored at', type: 'DateTime' },
      { fullName: 'Contact.LS_Band__c', label: 'Churn band', type: 'Text', length: 20 },
      { fullName: 'Contact.LS_Expected__c', label: 'Expected purchases', type: 'Number', precision: 6, scale: 2 },
    ]);
    expect(results.map((r) => [r.fullName, r.success])).toEqual([
      ['Contact.LS_Stage__c', true], ['Contact.LS_Reason__c', true], ['Contact.LS_Churn__c', true], ['Contact.LS_Value__c', true],
      ['Contact.LS_Scored_At__c', true], ['Contact.LS_Band__c', true], ['Contact.LS_Expected__c', true],
    ]);
    const read = await conn.metadata.read('CustomField', 'Contact.LS_Stage__c');
    expect(read).toMatchObject({
      fullName: 'Contact.LS_Stage__c', label: 'Lifecycle stage', type: 'Picklist', description: 'Set by Lifecycle Sync', inlineHelpText: 'Where this customer is in the lifecycle',
      valueSet: { restricted: true, valueSetDefinition: { value: [{ fullName: 'awareness', label: 'awareness', default: false }, { fullName: 'loyalty', label: 'loyalty', default: false }] } },
    });
    const [reason, missing] = await conn.metadata.read('CustomField', ['Contact.LS_Reason__c', 'Contact.Nothing__c']);
    expect(reason).toMatchObject({ type: 'LongTextArea', length: 1000, visibleLines: 3 });
    // A component that does not exist reads as an empty record, not an error.
    expect(missing.fullName).toBeUndefined();

    await grant(['LS_Stage__c', 'LS_Reason__c', 'LS_Churn__c', 'LS_Value__c', 'LS_Scored_At__c', 'LS_Band__c', 'LS_Expected__c']);
    const fields = (await conn.sobject('Contact').describe()).fields;
    const typeOf = (name: string) => fields.find((f) => f.name === name);
    expect(typeOf('LS_Stage__c')).toMatchObject({ type: 'picklist', restrictedPicklist: true, custom: true, label: 'Lifecycle stage', inlineHelpText: 'Where this customer is in the lifecycle' });
    expect(typeOf('LS_Reason__c')).toMatchObject({ type: 'textarea', length: 1000 });
    expect(typeOf('LS_Churn__c')).toMatchObject({ type: 'percent', precision: 5, scale: 2 });
    expect(typeOf('LS_Value__c')).toMatchObject({ type: 'currency', precision: 18, scale: 2 });
    expect(typeOf('LS_Scored_At__c')).toMatchObject({ type: 'datetime' });
    expect(typeOf('LS_Band__c')).toMatchObject({ type: 'string', length: 20 });
    const written = await conn.sobject('Contact').update([{ Id: contactId, LS_Stage__c: 'loyalty', LS_Churn__c: 12.345, LS_Scored_At__c: '2026-06-10T08:00:00Z', LS_Band__c: 'x'.repeat(21) }]);
    expect(written[0].success).toBe(false);
    expect((written[0].errors[0] as unknown as { statusCode: string }).statusCode).toBe('STRING_TOO_LONG');
    await conn.sobject('Contact').update([{ Id: contactId, LS_Stage__c: 'loyalty', LS_Churn__c: 12.345, LS_Scored_At__c: '2026-06-10T08:00:00Z' }]);
    const row = (await conn.query(`SELECT LS_Stage__c, LS_Churn__c, LS_Scored_At__c FROM Contact WHERE Id = '${contactId}'`)).records[0];
    expect(row).toMatchObject({ LS_Stage__c: 'loyalty', LS_Churn__c: 12.35, LS_Scored_At__c: '2026-06-10T08:00:00.000+0000' });
  });

  it('reports invalid definitions per component, with Salesforce’s status codes', async () => {
    const results = await conn.metadata.create('CustomField', [
      stage(['a']),
      { fullName: 'Contact.Too_Long__c', label: 'Too long', type: 'Text', length: 300 },
      { fullName: 'Contact.No_Label__c', type: 'Text', length: 10 },
      { fullName: 'Contact.Big__c', label: 'Big', type: 'Number', precision: 20, scale: 2 },
      { fullName: 'Contact.Lines__c', label: 'Lines', type: 'LongTextArea', length: 1000 },
      { fullName: 'Nowhere.Field__c', label: 'Field', type: 'Text', length: 10 },
      { fullName: 'Contact.Bad__Name__c', label: 'Bad', type: 'Text', length: 10 },
    ]);
    const codes = results.map((r) => (r.success ? 'ok' : r.errors[0].statusCode));
    expect(codes).toEqual(['DUPLICATE_DEVELOPER_NAME', 'FIELD_INTEGRITY_EXCEPTION', 'REQUIRED_FIELD_MISSING', 'FIELD_INTEGRITY_EXCEPTION', 'FIELD_INTEGRITY_EXCEPTION', 'INVALID_CROSS_REFERENCE_KEY', 'FIELD_INTEGRITY_EXCEPTION']);
    expect(results[0].errors[0].message).toBe('There is already a field named LS_Stage on Contact.');
  });
});

describe('update, upsert and delete', () => {
  it('replaces a restricted picklist’s values: writes must use the new ones', async () => {
    const updated = await conn.metadata.update('CustomField', stage(['awareness', 'advocacy']));
    expect(updated).toMatchObject({ fullName: 'Contact.LS_Stage__c', success: true });
    const refused = await conn.sobject('Contact').update([{ Id: contactId, LS_Stage__c: 'loyalty' }]);
    expect(refused[0].errors[0]).toMatchObject({ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: 'Lifecycle stage: bad value for restricted picklist field: loyalty' });
    expect((await conn.sobject('Contact').update([{ Id: contactId, LS_Stage__c: 'advocacy' }]))[0].success).toBe(true);
    const missing = await conn.metadata.update('CustomField', { fullName: 'Contact.Nope__c', label: 'Nope', type: 'Text', length: 5 });
    expect(missing.success).toBe(false);
    expect(missing.errors[0]).toMatchObject({ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'In field: fullName - no CustomField named Contact.Nope__c found' });
  });

  it('upserts (created, then not) and deletes with the grants that pointed at the field', async () => {
    const field = { fullName: 'Contact.LS_Tier__c', label: 'Value tier', type: 'Text', length: 30 };
    expect(await conn.metadata.upsert('CustomField', field)).toMatchObject({ created: true, success: true });
    expect(await conn.metadata.upsert('CustomField', { ...field, label: 'Value tier (updated)' })).toMatchObject({ created: false, success: true });
    expect((await conn.metadata.read('CustomField', 'Contact.LS_Tier__c')).label).toBe('Value tier (updated)');
    await grant(['LS_Tier__c']);
    expect((await conn.query('SELECT LS_Tier__c FROM Contact')).totalSize).toBe(1);
    expect(await conn.metadata.delete('CustomField', 'Contact.LS_Tier__c')).toMatchObject({ success: true });
    expect(firstError(await soql(s.url, 'SELECT LS_Tier__c FROM Contact')).errorCode).toBe('INVALID_FIELD');
    expect((await conn.query("SELECT Id FROM FieldPermissions WHERE Field = 'Contact.LS_Tier__c'")).totalSize).toBe(0);
  });

  it('answers a component of another type with a per-component error', async () => {
    const r = await conn.metadata.create('PermissionSet', { fullName: 'Via_Metadata', label: 'Via metadata' });
    expect(r.success).toBe(false);
    expect(r.errors[0].statusCode).toBe('INVALID_TYPE');
  });
});
