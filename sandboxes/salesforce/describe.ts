/**
 * Describe results (S21): `GET /sobjects/` (describeGlobal) and `GET /sobjects/{type}/describe`, with the
 * field attributes of DescribeFieldResult. Fields the running user cannot read are left out, as they
 * are for an integration user without field-level security on them.
 */
import type { Core } from './core.ts';
import type { ObjectSchema } from './registry.ts';
import type { FieldDef } from './schema.ts';
import { SOAP_TYPE, isTextType } from './values.ts';

function urls(name: string, version: string): Record<string, string> {
  const base = `/services/data/v${version}/sobjects/${name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

function objectSummary(schema: ObjectSchema, version: string): Record<string, unknown> {
  const d = schema.def;
  return {
    activateable: false, createable: d.createable, custom: false, customSetting: false, deletable: d.deletable, deprecatedAndHidden: false,
    feedEnabled: false, hasSubtypes: false, isSubtype: false, keyPrefix: d.keyPrefix, label: d.label, labelPlural: d.labelPlural, layoutable: true,
    mergeable: d.name === 'Contact' || d.name === 'Account', mruEnabled: true, name: d.name, queryable: true, replicateable: true, retrieveable: true,
    searchable: d.name !== 'FieldPermissions' && d.name !== 'PermissionSetAssignment', triggerable: true, undeletable: d.deletable, updateable: d.updateable,
    urls: urls(d.name, version),
  };
}

export function describeField(f: FieldDef): Record<string, unknown> {
  const text = isTextType(f.type) || f.type === 'id' || f.type === 'reference';
  return {
    aggregatable: f.type !== 'textarea' || f.length <= 255,
    autoNumber: false,
    byteLength: text ? f.length * 3 : 0,
    calculated: f.calculated,
    calculatedFormula: null,
    cascadeDelete: false,
    caseSensitive: false,
    controllerName: null,
    createable: f.createable,
    custom: f.custom,
    defaultValue: f.defaultValue,
    defaultValueFormula: null,
    defaultedOnCreate: f.defaultValue !== null || ['Id', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp', 'OwnerId'].includes(f.name),
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: f.digits,
    externalId: f.externalId,
    filterable: f.type !== 'textarea' || f.length <= 255,
    groupable: f.type !== 'textarea' && f.type !== 'double' && f.type !== 'currency' && f.type !== 'percent' && f.type !== 'datetime',
    htmlFormatted: false,
    idLookup: f.type === 'id' || f.unique,
    inlineHelpText: f.inlineHelpText ?? null,
    label: f.label,
    length: f.length,
    name: f.name,
    nameField: f.name === 'Name',
    namePointing: false,
    nillable: f.nillable,
    permissionable: f.permissionable,
    picklistValues: (f.picklist?.values ?? []).map((v) => ({ active: v.active, defaultValue: v.defaultValue, label: v.label, validFor: null, value: v.value })),
    polymorphicForeignKey: false,
    precision: f.precision,
    referenceTargetField: null,
    referenceTo: f.referenceTo,
    relationshipName: f.relationshipName,
    relationshipOrder: null,
    restrictedPicklist: f.picklist?.restricted ?? false,
    scale: f.scale,
    soapType: SOAP_TYPE[f.type],
    sortable: f.type !== 'multipicklist' && (f.type !== 'textarea' || f.length <= 255),
    type: f.type,
    unique: f.unique,
    updateable: f.updateable,
    writeRequiresMasterRead: false,
  };
}

export function describeGlobal(core: Core, version: string): Record<string, unknown> {
  return { encoding: 'UTF-8', maxBatchSize: 200, sobjects: core.registry.all().map((s) => objectSummary(s, version)) };
}

export function describeObject(core: Core, schema: ObjectSchema, version: string, userId: string): Record<string, unknown> {
  const name = schema.def.name;
  const fields = schema.fields.filter((f) => core.fls.canRead(userId, name, f));
  return {
    ...objectSummary(schema, version),
    actionOverrides: [],
    childRelationships: schema.childRelationships.map((c) => ({
      cascadeDelete: c.cascadeDelete, childSObject: c.childSObject, deprecatedAndHidden: false, field: c.field,
      junctionIdListNames: [], junctionReferenceTo: [], relationshipName: c.relationshipName, restrictedDelete: false,
    })),
    compactLayoutable: true,
    fields: fields.map(describeField),
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    recordTypeInfos: [],
    searchLayoutable: true,
    supportedScopes: [{ label: 'All', name: 'everything' }],
    urls: { ...urls(name, version), layouts: `/services/data/v${version}/sobjects/${name}/describe/layouts` },
  };
}

/** `GET /sobjects/{type}`: the object's summary and (here, always empty) recent items. */
export function basicInfo(schema: ObjectSchema, version: string): Record<string, unknown> {
  return { objectDescribe: objectSummary(schema, version), recentItems: [] };
}
