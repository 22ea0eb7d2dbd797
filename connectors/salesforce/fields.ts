/**
 * The plugin's custom fields in Salesforce, as I/O: read their definitions through the Metadata API
 * (which sees fields whatever the integration user may access) into the contract's terms, and carry
 * out the engine's plan — fields created and updated (retired picklist values deactivated, Salesforce's
 * way of keeping a value valid without offering it), then the permission set that makes them visible (a
 * new field is invisible to the API user until field-level security grants it), then a describe that
 * checks the running user can edit every field. When one describe already shows every field as
 * specified and editable, that is all a run costs. Which fields are the plugin's and what is a conflict
 * is the engine's decision (src/sync/fieldPolicy.ts).
 */
import type { Connection } from 'jsforce';
import { z } from 'zod';
import { ConnectorError, type ExistingField, type FieldKey, type FieldOption, type FieldPlan, type FieldSpec, type FieldsState, upstreamText } from '../contract/index.ts';
import { SalesforceApiError, type SalesforceApi } from './api.ts';
import { saveCollection, type CollectionContext, type SaveOutcome } from './write.ts';
import type { SalesforceSettings } from './settings.ts';
import { chunks, soqlId, soqlString } from './soql.ts';

const COMPATIBLE: Record<FieldSpec['type'], string[]> = {
  enumeration: ['Picklist'],
  text: ['Text', 'LongTextArea', 'TextArea'],
  number: ['Number', 'Currency', 'Percent'],
  datetime: ['DateTime'],
};

const asArray = <T>(v: T | T[] | null | undefined): T[] => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]);
const customValue = z.object({ fullName: z.string(), label: z.string().optional(), isActive: z.union([z.boolean(), z.string()]).optional() }).passthrough();
const customField = z
  .object({
    fullName: z.string().optional(),
    type: z.string().optional(),
    label: z.string().optional(),
    description: z.string().optional(),
    length: z.coerce.number().optional(),
    scale: z.coerce.number().optional(),
    valueSet: z.object({ valueSetDefinition: z.object({ value: z.union([customValue, z.array(customValue)]).optional() }).passthrough().optional() }).passthrough().optional(),
  })
  .passthrough();
type CustomField = z.infer<typeof customField>;
const saveResult = z.object({ fullName: z.string().optional(), success: z.union([z.boolean(), z.string()]), errors: z.unknown().optional() }).passthrough();
const metadataError = z.object({ statusCode: z.string().optional(), message: z.string().optional() }).passthrough();

type Definition = Record<string, unknown> & { fullName: string; type: string };

/** Salesforce keeps field labels to 40 characters. */
const LABEL_MAX = 40;

/** What the plugin wants a field to be, as Metadata API CustomField (`options`: the whole picklist to set). */
function definition<K extends string>(spec: FieldSpec<K>, fullName: string, options: FieldOption[]): Definition {
  const base = { fullName, label: spec.label.slice(0, LABEL_MAX), description: spec.description.slice(0, 1000), inlineHelpText: spec.description.slice(0, 510) };
  switch (spec.type) {
    case 'enumeration': {
      const value = options.map((o) => ({ fullName: o.value, label: o.label, default: false, isActive: o.active }));
      return { ...base, type: 'Picklist', valueSet: { restricted: true, valueSetDefinition: { sorted: false, value } } };
    }
    case 'text': {
      const length = spec.maxLength ?? 255;
      return length <= 255 ? { ...base, type: 'Text', length } : { ...base, type: 'LongTextArea', length: Math.max(256, length), visibleLines: 3 };
    }
    case 'number': {
      const scale = spec.decimals ?? 2;
      return { ...base, type: 'Number', precision: 18, scale };
    }
    case 'datetime':
      return { ...base, type: 'DateTime' };
  }
}

const isActive = (v: z.infer<typeof customValue>) => v.isActive === undefined || v.isActive === true || v.isActive === 'true';

function checkSaved(what: string, results: unknown): void {
  for (const r of asArray(results)) {
    const parsed = saveResult.safeParse(r);
    if (!parsed.success) throw new ConnectorError('INVALID_RESPONSE', `Salesforce ${what}: unexpected Metadata API answer`);
    if (parsed.data.success === true || parsed.data.success === 'true') continue;
    const errors = asArray(parsed.data.errors).map((e) => metadataError.safeParse(e)).map((e) => (e.success ? upstreamText(`${e.data.statusCode ?? 'ERROR'}: ${e.data.message ?? ''}`) : 'unknown error'));
    // Another process created it in the meantime: as good as done.
    if (errors.every((e) => e.startsWith('DUPLICATE_DEVELOPER_NAME') || e.startsWith('DUPLICATE_VALUE'))) continue;
    throw new ConnectorError('CRM_REJECTED', `Salesforce refused to ${what} ${parsed.data.fullName ?? ''}: ${errors.join('; ')}`);
  }
}

async function readFields(api: SalesforceApi, fullNames: string[]): Promise<Map<string, CustomField>> {
  const out = new Map<string, CustomField>();
  // readMetadata takes at most 10 names a call.
  for (const group of chunks(fullNames, 10)) {
    const records = await api.call('read custom field definitions', (conn: Connection) => conn.metadata.read('CustomField', group));
    for (const r of asArray(records as unknown)) {
      const parsed = customField.safeParse(r);
      if (parsed.success && parsed.data.fullName) out.set(parsed.data.fullName, parsed.data);
    }
  }
  return out;
}

const idRows = z.object({ totalSize: z.number(), records: z.array(z.object({ Id: z.string() }).passthrough()) });
const fieldPermissionRows = z.object({
  records: z.array(z.object({ Id: z.string(), Field: z.string(), PermissionsRead: z.boolean(), PermissionsEdit: z.boolean() }).passthrough()),
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
});
const created = z.object({ id: z.string(), success: z.boolean() }).passthrough();
const resources = z.object({ identity: z.string().url() }).passthrough();
const describedField = z
  .object({
    name: z.string(),
    type: z.string(),
    updateable: z.boolean(),
    length: z.number().optional(),
    scale: z.number().optional(),
    inlineHelpText: z.string().nullable().optional(),
    picklistValues: z.array(z.object({ value: z.string(), label: z.string().nullable().optional(), active: z.boolean() }).passthrough()).optional(),
  })
  .passthrough();
const describe = z.object({ fields: z.array(describedField) });
type DescribedField = z.infer<typeof describedField>;

const DESCRIBE_TYPES: Record<FieldSpec['type'], string[]> = { enumeration: ['picklist'], text: ['string', 'textarea'], number: ['double', 'currency', 'percent'], datetime: ['datetime'] };

/**
 * Whether describe already shows the field as the plugin wants it, for the running user: visible,
 * editable, of its type, with exactly the configured picklist values active. Then a run needs no
 * Metadata API reads and no permission checks (one request instead of seven).
 */
function describedAsWanted<K extends string>(spec: FieldSpec<K>, f: DescribedField | undefined): boolean {
  if (!f || !f.updateable || !DESCRIBE_TYPES[spec.type].includes(f.type)) return false;
  if (spec.type === 'text' && (f.length ?? 0) < (spec.maxLength ?? 0)) return false;
  if (spec.type === 'number' && (f.scale ?? 0) < (spec.decimals ?? 2)) return false;
  if (spec.type === 'enumeration') {
    const active = (f.picklistValues ?? []).filter((v) => v.active);
    const wanted = spec.options ?? [];
    return active.length === wanted.length && wanted.every((o, i) => active[i]?.value === o.value && (active[i]?.label ?? o.value) === o.label);
  }
  return true;
}

const query = (soql: string) => ({ method: 'GET' as const, url: `/query?q=${encodeURIComponent(soql)}` });

/** Failures other than "it exists already" (a retried create whose first attempt got through). */
function collectionFailures(results: SaveOutcome[]): string[] {
  return results.flatMap((r) => (r.ok || r.code === 'DUPLICATE_VALUE' ? [] : [`${r.code}: ${r.message}`]));
}

/** A single-record create; DUPLICATE_VALUE (a retried request that got through the first time) is not an error. */
async function createOnce(api: SalesforceApi, label: string, object: string, body: Record<string, unknown>): Promise<string | null> {
  try {
    return (await api.json(label, created, { method: 'POST', url: `/sobjects/${object}`, body })).id;
  } catch (error) {
    if (error instanceof SalesforceApiError && (error.errorCode === 'DUPLICATE_VALUE' || error.errorCode === 'DUPLICATE_DEVELOPER_NAME')) return null;
    throw error;
  }
}

/**
 * The permission set with read and edit on every field, assigned to the running user. With `dryRun`,
 * only reads and says what it would do. Returns what it did (or would do), in words.
 */
async function ensurePermissions(ctx: CollectionContext, object: string, fieldNames: string[], settings: SalesforceSettings, dryRun: boolean, mark: string): Promise<string[]> {
  const report = { other: [] as string[] };
  const api = ctx.api;
  const ps = settings.permissionSet;
  const found = await api.json('find the permission set', idRows, query(`SELECT Id FROM PermissionSet WHERE Name = ${soqlString(ps.name)}`));
  let psId = found.records[0]?.Id ?? null;
  if (psId === null) {
    report.other.push(`create permission set ${ps.name}`);
    if (dryRun) {
      report.other.push(`grant read and edit on ${fieldNames.length} fields`, `assign ${ps.name} to the integration user`);
      return report.other;
    }
    psId =
      (await createOnce(api, 'create the permission set', 'PermissionSet', { Name: ps.name, Label: ps.label, Description: `${mark} Read and edit on the plugin's fields.` })) ??
      (await api.json('find the permission set', idRows, query(`SELECT Id FROM PermissionSet WHERE Name = ${soqlString(ps.name)}`))).records[0]?.Id ??
      null;
    if (psId === null) throw new ConnectorError('CRM_REJECTED', `Salesforce did not create the permission set ${ps.name}`);
  }
  const grants = new Map<string, z.infer<typeof fieldPermissionRows>['records'][number]>();
  let page = await api.json('read field permissions', fieldPermissionRows, query(`SELECT Id, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId = ${soqlId(psId)} AND SobjectType = ${soqlString(object)}`));
  for (;;) {
    for (const r of page.records) grants.set(r.Field.toLowerCase(), r);
    if (page.done || !page.nextRecordsUrl) break;
    page = await api.json('read field permissions', fieldPermissionRows, { method: 'GET', url: page.nextRecordsUrl });
  }
  const toCreate = fieldNames.filter((f) => !grants.has(`${object}.${f}`.toLowerCase()));
  const toUpdate = fieldNames.map((f) => grants.get(`${object}.${f}`.toLowerCase())).filter((g) => g !== undefined && !(g.PermissionsRead && g.PermissionsEdit));
  if (toCreate.length + toUpdate.length > 0) report.other.push(`grant read and edit on ${toCreate.length + toUpdate.length} fields in ${ps.name}`);
  if (!dryRun && toCreate.length > 0) {
    const records = toCreate.map((f) => ({ attributes: { type: 'FieldPermissions' }, ParentId: psId, SobjectType: object, Field: `${object}.${f}`, PermissionsRead: true, PermissionsEdit: true }));
    const failures = collectionFailures(await saveCollection(ctx, 'POST', 'grant field permissions', records));
    if (failures.length > 0) throw new ConnectorError('CRM_REJECTED', `Salesforce refused to grant field permissions: ${failures.join('; ')}`);
  }
  if (!dryRun && toUpdate.length > 0) {
    const records = toUpdate.map((g) => ({ attributes: { type: 'FieldPermissions' }, id: g?.Id, PermissionsRead: true, PermissionsEdit: true }));
    const failures = collectionFailures(await saveCollection(ctx, 'PATCH', 'update field permissions', records));
    if (failures.length > 0) throw new ConnectorError('CRM_REJECTED', `Salesforce refused to update field permissions: ${failures.join('; ')}`);
  }
  // The login's identity URL (…/id/orgId/userId) names the user; with a plain access token, the REST
  // API's resource list carries the same identity URL.
  const userId = api.userId() ?? (await api.json('identify the integration user', resources, { method: 'GET', url: `${api.restBase}/` })).identity.split('/').filter(Boolean).pop() ?? '';
  const assigned = await api.json('read permission set assignments', idRows, query(`SELECT Id FROM PermissionSetAssignment WHERE PermissionSetId = ${soqlId(psId)} AND AssigneeId = ${soqlId(userId)}`));
  if (assigned.totalSize === 0) {
    report.other.push(`assign ${ps.name} to the integration user`);
    if (!dryRun) await createOnce(api, 'assign the permission set', 'PermissionSetAssignment', { PermissionSetId: psId, AssigneeId: userId });
  }
  return report.other;
}

const fullNameOf = (object: string, name: string) => `${object}.${name}`;

/** One object's plugin fields: the customer object's (Contact or Account) or Opportunity's (the deal fields). */
export interface FieldSet<K extends string> {
  object: string;
  names: Record<K, string>;
  /** The keys the admin mapped to fields of their own (never created or redefined). */
  mapped: ReadonlySet<K>;
}

export function customerFieldSet(settings: SalesforceSettings, names: Record<FieldKey, string>): FieldSet<FieldKey> {
  return { object: settings.customerObject, names, mapped: new Set(Object.keys(settings.fieldNames) as FieldKey[]) };
}

export async function readSalesforceFields<K extends string>(ctx: CollectionContext, specs: FieldSpec<K>[], settings: SalesforceSettings, set: FieldSet<K>): Promise<FieldsState<K>> {
  const api = ctx.api;
  const { object, names } = set;
  const state: FieldsState<K> = {
    names: Object.fromEntries(specs.map((s) => [s.key, { name: names[s.key], mapped: set.mapped.has(s.key) }])) as FieldsState<K>['names'],
    existing: {},
    setup: [],
    labelMaxLength: LABEL_MAX,
    inPlace: false,
  };
  const described = await api.json(`describe ${object}`, describe, { method: 'GET', url: `/sobjects/${object}/describe` });
  const byName = new Map(described.fields.map((f) => [f.name.toLowerCase(), f]));
  if (specs.every((spec) => describedAsWanted(spec, byName.get(names[spec.key].toLowerCase())))) return { ...state, inPlace: true };
  const metadata = await readFields(api, specs.map((s) => fullNameOf(object, names[s.key])));
  for (const spec of specs) {
    const current = metadata.get(fullNameOf(object, names[spec.key]));
    if (!current) continue;
    const field: ExistingField<K> = {
      key: spec.key,
      name: names[spec.key],
      crmType: current.type ?? 'an unknown type',
      compatible: COMPATIBLE[spec.type].includes(current.type ?? ''),
      label: current.label ?? '',
      description: current.description ?? '',
      options: asArray(current.valueSet?.valueSetDefinition?.value).map((v) => ({ value: v.fullName, label: v.label ?? v.fullName, active: isActive(v) })),
      maxLength: spec.type === 'text' ? (current.length ?? null) : null,
      decimals: current.type === 'Number' ? (current.scale ?? 0) : null,
      readable: byName.has(names[spec.key].toLowerCase()),
    };
    state.existing[spec.key] = field;
  }
  state.setup = await ensurePermissions(ctx, object, specs.map((s) => names[s.key]), settings, true, '');
  return state;
}

export async function applySalesforceFields<K extends string>(ctx: CollectionContext, plan: FieldPlan<K>, settings: SalesforceSettings, object: string): Promise<{ other: string[] }> {
  const api = ctx.api;
  const creates = plan.create.map((c) => definition(c.spec, fullNameOf(object, c.name), (c.spec.options ?? []).map((o) => ({ ...o, active: true }))));
  const updates = plan.update.map((u) => definition(u.spec, fullNameOf(object, u.name), u.options));
  // create/updateMetadata take at most 10 components a call.
  for (const group of chunks(creates, 10)) checkSaved('create the field', await api.call('create custom fields', (conn: Connection) => conn.metadata.create('CustomField', group)));
  for (const group of chunks(updates, 10)) checkSaved('update the field', await api.call('update custom fields', (conn: Connection) => conn.metadata.update('CustomField', group)));
  const fieldNames = [...plan.create.map((c) => c.name), ...plan.update.map((u) => u.name), ...plan.ok.map((o) => o.name)];
  const other = await ensurePermissions(ctx, object, fieldNames, settings, false, plan.ownershipMark);
  const described = await api.json(`describe ${object}`, describe, { method: 'GET', url: `/sobjects/${object}/describe` });
  const editable = new Set(described.fields.filter((f) => f.updateable).map((f) => f.name.toLowerCase()));
  const hidden = fieldNames.filter((n) => !editable.has(n.toLowerCase()));
  if (hidden.length > 0) {
    throw new ConnectorError('FIELD_CONFLICT', `the integration user still cannot edit ${hidden.join(', ')} on ${object} after the permission set ${settings.permissionSet.name} was assigned: check field-level security and the user's license`);
  }
  return { other };
}
