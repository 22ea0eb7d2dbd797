/**
 * Direct access to the records, bypassing HTTP, sessions and limits: seeding and test assertions.
 * Values are validated like the API's, but as the sandbox itself (no field-level security, read-only
 * and audit fields such as LastActivityDate or CreatedDate may be set). Every write bumps
 * SystemModstamp and LastModifiedDate as an API write would.
 */
import type { Core } from './core.ts';
import { canonicalId } from './ids.ts';
import type { FieldDef, FieldType, Value } from './schema.ts';
import type { Rec } from './store.ts';
import { toJson } from './values.ts';

export type FieldInput = string | number | boolean | null;
/** A record as REST returns it: datetimes as `2026-01-01T00:00:00.000+0000`, dates as `YYYY-MM-DD`. */
export type SandboxRecord = Record<string, string | number | boolean | null>;

export interface SandboxFieldInfo {
  name: string;
  label: string;
  type: FieldType;
  length: number;
  precision: number;
  scale: number;
  custom: boolean;
  createable: boolean;
  updateable: boolean;
  picklistValues?: string[];
  restrictedPicklist: boolean;
}

export interface SandboxData {
  now(): number;
  create(objectName: string, fields: Record<string, FieldInput>): string;
  update(objectName: string, id: string, fields: Record<string, FieldInput>): void;
  /** Same as update: here to read as "set this record's fields" in test setups. */
  setFields(objectName: string, id: string, fields: Record<string, FieldInput>): void;
  /** Deletes like the API (to the recycle bin for Account/Contact/Opportunity/OpportunityContactRole). */
  delete(objectName: string, id: string): void;
  get(objectName: string, id: string): SandboxRecord | undefined;
  /** Ids in creation order; deleted records only when asked. */
  ids(objectName: string, options?: { includeDeleted?: boolean }): string[];
  field(objectName: string, name: string): SandboxFieldInfo | undefined;
  fields(objectName: string): SandboxFieldInfo[];
  createAccount(fields: Record<string, FieldInput>): string;
  createContact(fields: Record<string, FieldInput>): string;
  /** An opportunity and a contact role for each contact (the first one primary). */
  createOpportunity(fields: Record<string, FieldInput>, contactIds?: string[]): string;
  addContactRole(opportunityId: string, contactId: string, options?: { role?: string; primary?: boolean }): string;
  /** Contacts with a role on the opportunity, and opportunities a contact has a role on. */
  contactIdsOf(opportunityId: string): string[];
  opportunityIdsOf(contactId: string): string[];
  /** The integration user (the first configured user) and the org. */
  readonly integrationUserId: string;
  readonly orgId: string;
}

/** The trusted insert behind each SandboxData, for the sandbox's own seeding (not part of the public API). */
const trusted = new WeakMap<SandboxData, (objectName: string, values: Readonly<Record<string, Value>>) => string>();

export function trustedInsert(data: SandboxData): (objectName: string, values: Readonly<Record<string, Value>>) => string {
  const insert = trusted.get(data);
  if (insert === undefined) throw new Error('not a Salesforce sandbox data object');
  return insert;
}

export function createSandboxData(core: Core, orgId: string): SandboxData {
  const { writer, store, registry } = core;
  const schemaOf = (objectName: string) => {
    const s = registry.object(objectName);
    if (s === undefined) throw new Error(`unknown object ${objectName}`);
    return s;
  };
  const live = (objectName: string, rawId: string): Rec => {
    const id = canonicalId(rawId);
    const rec = id === undefined ? undefined : store.table(schemaOf(objectName).def.name).get(id);
    if (rec === undefined || rec.IsDeleted === true) throw new Error(`no ${objectName} with id ${rawId}`);
    return rec;
  };
  const write = (objectName: string, fields: Record<string, FieldInput>, existing?: Rec): string => {
    const name = schemaOf(objectName).def.name;
    const planned = writer.plan(name, existing === undefined ? 'create' : 'update', fields, core.system(), existing);
    if (!planned.ok) {
      const problems = [...(planned.parseError === undefined ? [] : [`${planned.parseError.field.name}: ${planned.parseError.message}`]), ...planned.errors.map((e) => `${e.statusCode}: ${e.message}`)];
      throw new Error(`invalid ${name}: ${problems.join('; ')}`);
    }
    return String(planned.apply().Id);
  };
  const info = (f: FieldDef): SandboxFieldInfo => {
    return {
      name: f.name, label: f.label, type: f.type, length: f.length, precision: f.precision, scale: f.scale, custom: f.custom,
      createable: f.createable, updateable: f.updateable, restrictedPicklist: f.picklist?.restricted ?? false,
      ...(f.picklist === undefined ? {} : { picklistValues: f.picklist.values.filter((v) => v.active).map((v) => v.value) }),
    };
  };
  const addContactRole = (opportunityId: string, contactId: string, options: { role?: string; primary?: boolean } = {}): string =>
    write('OpportunityContactRole', { OpportunityId: opportunityId, ContactId: contactId, IsPrimary: options.primary ?? false, ...(options.role === undefined ? {} : { Role: options.role }) });
  const related = (field: 'OpportunityId' | 'ContactId', other: 'ContactId' | 'OpportunityId', id: string): string[] => {
    const table = store.table('OpportunityContactRole');
    const canonical = canonicalId(id) ?? id;
    return table.childSeqs(field, canonical).map((s) => table.at(s)).filter((r): r is Rec => r !== undefined && r.IsDeleted !== true).map((r) => String(r[other]));
  };
  const data: SandboxData = {
    now: () => core.clock(),
    create: (objectName, fields) => write(objectName, fields),
    update: (objectName, id, fields) => {
      write(objectName, fields, live(objectName, id));
    },
    setFields: (objectName, id, fields) => {
      write(objectName, fields, live(objectName, id));
    },
    delete: (objectName, id) => {
      const rec = live(objectName, id);
      const error = writer.delete(schemaOf(objectName).def.name, String(rec.Id), core.system());
      if (error !== undefined) throw new Error(`${error.statusCode}: ${error.message}`);
    },
    get: (objectName, id) => {
      const schema = schemaOf(objectName);
      const canonical = canonicalId(id);
      const rec = canonical === undefined ? undefined : store.table(schema.def.name).get(canonical);
      if (rec === undefined) return undefined;
      const out: SandboxRecord = {};
      for (const f of schema.fields) out[f.name] = toJson(f, rec[f.name]);
      return out;
    },
    ids: (objectName, options = {}) => {
      const table = store.table(schemaOf(objectName).def.name);
      const out: string[] = [];
      for (let s = 0; s < table.size; s++) {
        const r = table.at(s);
        if (r !== undefined && (options.includeDeleted === true || r.IsDeleted !== true)) out.push(String(r.Id));
      }
      return out;
    },
    field: (objectName, name) => {
      const f = schemaOf(objectName).field(name);
      return f === undefined ? undefined : info(f);
    },
    fields: (objectName) => schemaOf(objectName).fields.map(info),
    createAccount: (fields) => write('Account', fields),
    createContact: (fields) => write('Contact', fields),
    createOpportunity: (fields, contactIds = []) => {
      for (const c of contactIds) live('Contact', c);
      const id = write('Opportunity', fields);
      contactIds.forEach((c, i) => addContactRole(id, c, { primary: i === 0 }));
      return id;
    },
    addContactRole,
    contactIdsOf: (opportunityId) => related('OpportunityId', 'ContactId', opportunityId),
    opportunityIdsOf: (contactId) => related('ContactId', 'OpportunityId', contactId),
    integrationUserId: core.integrationUserId,
    orgId,
  };
  trusted.set(data, (objectName, values) => writer.insertTrusted(objectName, values, core.system()));
  return data;
}
