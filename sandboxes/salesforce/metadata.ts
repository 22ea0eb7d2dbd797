/**
 * The Metadata API's CRUD calls (S49, S50) for CustomField: createMetadata, updateMetadata,
 * upsertMetadata, readMetadata and deleteMetadata, synchronous, with per-component SaveResult /
 * UpsertResult / DeleteResult and partial success (the default since API 34.0). A new field has no
 * field-level security: it stays invisible to the integration user until a permission set grants it.
 */
import { z } from 'zod';
import type { Core } from './core.ts';
import { SalesforceError, type RecordError } from './errors.ts';
import type { Reply } from './http.ts';
import { CUSTOMIZABLE, customFieldInput, fieldFromMetadata, metadataFromField, splitFullName } from './customFields.ts';
import type { FieldDef } from './schema.ts';
import { soapResponse } from './soapEnvelope.ts';

/** Components per create/update/upsert/delete call (Salesforce's limit for the CRUD calls). */
const MAX_COMPONENTS = 10;

const metadataList = z.object({ metadata: z.array(z.unknown()).optional() }).loose();
const namesArgs = z.object({ type: z.string(), fullNames: z.array(z.string()).optional() }).loose();

type SaveOutcome = { fullName: string; success: true; created?: boolean } | { fullName: string; success: false; errors: RecordError[] };

function errorXml(e: RecordError): Record<string, unknown> {
  return { ...(e.fields.length === 0 ? {} : { fields: e.fields }), message: e.message, statusCode: e.statusCode };
}

function resultXml(o: SaveOutcome, withCreated: boolean): Record<string, unknown> {
  return {
    ...(withCreated ? { created: String(o.success && o.created === true) } : {}),
    ...(o.success ? {} : { errors: o.errors.map(errorXml) }),
    fullName: o.fullName,
    success: String(o.success),
  };
}

function valueKind(f: FieldDef): string {
  switch (f.type) {
    case 'boolean':
      return 'boolean';
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
    case 'datetime':
      return 'number';
    default:
      return 'string';
  }
}

export class MetadataService {
  private readonly core: Core;

  constructor(core: Core) {
    this.core = core;
  }

  call(method: string, args: Record<string, unknown>): Reply {
    switch (method) {
      case 'createMetadata':
      case 'updateMetadata':
      case 'upsertMetadata': {
        const list = metadataList.safeParse(args);
        const items = list.success ? list.data.metadata ?? [] : [];
        if (items.length > MAX_COMPONENTS) throw new SalesforceError(500, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_COMPONENTS} records in a single call`);
        const mode = method === 'createMetadata' ? 'create' : method === 'updateMetadata' ? 'update' : 'upsert';
        const outcomes = items.map((item) => this.save(item, mode));
        return this.xml(method, outcomes.map((o) => resultXml(o, mode === 'upsert')));
      }
      case 'readMetadata': {
        const a = namesArgs.safeParse(args);
        if (!a.success) throw new SalesforceError(500, 'INVALID_TYPE', 'readMetadata needs a type and fullNames');
        return this.xml(method, [{ records: (a.data.fullNames ?? []).map((n) => this.read(a.data.type, n)) }]);
      }
      case 'deleteMetadata': {
        const a = namesArgs.safeParse(args);
        if (!a.success) throw new SalesforceError(500, 'INVALID_TYPE', 'deleteMetadata needs a type and fullNames');
        return this.xml(method, (a.data.fullNames ?? []).map((n) => resultXml(this.remove(a.data.type, n), false)));
      }
      default:
        throw new SalesforceError(500, 'UNKNOWN_EXCEPTION', `${method} is not available in this sandbox (CRUD calls for CustomField only)`);
    }
  }

  private xml(method: string, results: unknown[]): Reply {
    return { status: 200, text: soapResponse(method, results), contentType: 'text/xml;charset=UTF-8' };
  }

  private save(item: unknown, mode: 'create' | 'update' | 'upsert'): SaveOutcome {
    const parsed = customFieldInput.safeParse(item);
    const fullName = parsed.success ? parsed.data.fullName : typeof item === 'object' && item !== null && 'fullName' in item && typeof item.fullName === 'string' ? item.fullName : '';
    const fail = (statusCode: string, message: string, fields: string[] = []): SaveOutcome => ({ fullName, success: false, errors: [{ statusCode, message, fields }] });
    if (!parsed.success) return fail('INVALID_TYPE', 'This sandbox handles CustomField metadata only');
    const type = parsed.data['@_type'];
    if (type !== undefined && type.replace(/^\w+:/, '') !== 'CustomField') return fail('INVALID_TYPE', `This sandbox handles CustomField metadata only, not ${type}`);
    const names = splitFullName(fullName);
    const schema = names === undefined ? undefined : this.core.registry.object(names.object);
    if (names === undefined || schema === undefined || !CUSTOMIZABLE.includes(schema.def.name)) {
      return fail('INVALID_CROSS_REFERENCE_KEY', `In field: fullName - no CustomObject named ${names?.object ?? fullName} found`, ['fullName']);
    }
    const existing = schema.field(names.field);
    if (existing !== undefined && !existing.custom) return fail('DUPLICATE_DEVELOPER_NAME', `There is already a field named ${names.field} on ${schema.def.name}.`, ['fullName']);
    if (mode === 'create' && existing !== undefined) {
      return fail('DUPLICATE_DEVELOPER_NAME', `There is already a field named ${existing.name.replace(/__c$/, '')} on ${schema.def.name}.`, ['fullName']);
    }
    if (mode === 'update' && existing === undefined) return fail('INVALID_CROSS_REFERENCE_KEY', `In field: fullName - no CustomField named ${fullName} found`, ['fullName']);
    const def = fieldFromMetadata(parsed.data, existing?.name ?? names.field);
    if (Array.isArray(def)) return { fullName, success: false, errors: def };
    if (existing !== undefined && valueKind(existing) !== valueKind(def)) this.clearValues(schema.def.name, existing.name);
    this.core.registry.putCustomField(schema.def.name, def);
    this.core.store.table(schema.def.name).dropIndex(def.name);
    return { fullName: `${schema.def.name}.${def.name}`, success: true, created: existing === undefined };
  }

  private read(type: string, fullName: string): Record<string, unknown> {
    const nil = { '@_xsi:nil': 'true' };
    if (type !== 'CustomField') return nil;
    const names = splitFullName(fullName);
    const schema = names === undefined ? undefined : this.core.registry.object(names.object);
    const f = names === undefined ? undefined : schema?.field(names.field);
    // Components that do not exist come back as an empty (nil) record, not as an error.
    if (schema === undefined || f === undefined || !f.custom) return nil;
    return metadataFromField(schema.def.name, f);
  }

  private remove(type: string, fullName: string): SaveOutcome {
    const names = splitFullName(fullName);
    const schema = names === undefined ? undefined : this.core.registry.object(names.object);
    const f = names === undefined ? undefined : schema?.field(names.field);
    if (type !== 'CustomField' || schema === undefined || f === undefined || !f.custom) {
      return { fullName, success: false, errors: [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: `In field: fullName - no ${type} named ${fullName} found`, fields: ['fullName'] }] };
    }
    this.clearValues(schema.def.name, f.name);
    // Grants on a deleted field go with it.
    const perms = this.core.store.table('FieldPermissions');
    const field = `${schema.def.name}.${f.name}`.toLowerCase();
    for (let seq = 0; seq < perms.size; seq++) {
      const row = perms.at(seq);
      if (row !== undefined && String(row.Field).toLowerCase() === field) this.core.writer.delete('FieldPermissions', String(row.Id), this.core.system());
    }
    this.core.registry.removeCustomField(schema.def.name, f.name);
    this.core.store.table(schema.def.name).dropIndex(f.name);
    return { fullName, success: true };
  }

  /** Values that no longer fit a field's storage are dropped (Salesforce warns about this data loss). */
  private clearValues(objectName: string, fieldName: string): void {
    const table = this.core.store.table(objectName);
    for (let seq = 0; seq < table.size; seq++) {
      const rec = table.at(seq);
      if (rec === undefined || rec[fieldName] === undefined) continue;
      const next = { ...rec };
      delete next[fieldName];
      table.replace(next);
    }
  }
}
