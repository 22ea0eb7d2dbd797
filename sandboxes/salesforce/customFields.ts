/**
 * CustomField metadata (S52) to and from field definitions: the types the plugin creates (Text,
 * LongTextArea, Picklist, Number, Currency, Percent, DateTime...) with the per-type rules Setup enforces
 * (text length 1–255, long text 256–131,072 with visible lines, precision ≤ 18 and scale ≤ precision, at
 * least one picklist value).
 */
import { z } from 'zod';
import { recordError, type RecordError } from './errors.ts';
import type { FieldDef, FieldType, PicklistValue } from './schema.ts';

const text = z.string().optional();
const customValue = z.object({
  fullName: z.string(),
  default: text,
  label: text,
  isActive: text,
  color: text,
  description: text,
}).loose();

export const customFieldInput = z.object({
  '@_type': text,
  fullName: z.string(),
  label: text,
  type: text,
  length: text,
  precision: text,
  scale: text,
  visibleLines: text,
  description: text,
  inlineHelpText: text,
  required: text,
  unique: text,
  externalId: text,
  defaultValue: text,
  valueSet: z.object({
    restricted: text,
    valueSetName: text,
    valueSetDefinition: z.object({ sorted: text, value: z.array(customValue).optional() }).loose().optional(),
  }).loose().optional(),
}).loose();

export type CustomFieldInput = z.output<typeof customFieldInput>;

/** Objects the sandbox lets custom fields be added to. */
export const CUSTOMIZABLE = ['Account', 'Contact', 'Opportunity', 'OpportunityContactRole'];
const NAME = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*__c$/;

const TYPES: Record<string, FieldType> = {
  Text: 'string', TextArea: 'textarea', LongTextArea: 'textarea', Email: 'email', Phone: 'phone', Url: 'url', Picklist: 'picklist',
  MultiselectPicklist: 'multipicklist', Number: 'double', Currency: 'currency', Percent: 'percent', Date: 'date', DateTime: 'datetime', Checkbox: 'boolean',
};

const flag = (v: string | undefined): boolean => v === 'true';

function integer(v: string | undefined): number | undefined {
  return v === undefined || !/^\d+$/.test(v.trim()) ? undefined : Number(v);
}

export function splitFullName(fullName: string): { object: string; field: string } | undefined {
  const [object, field, extra] = fullName.split('.');
  return field === undefined || extra !== undefined ? undefined : { object, field };
}

function integrity(message: string, field: string): RecordError[] {
  return [recordError('FIELD_INTEGRITY_EXCEPTION', message, [field])];
}

/** The field a CustomField describes, or why it is invalid. */
export function fieldFromMetadata(input: CustomFieldInput, fieldName: string): FieldDef | RecordError[] {
  if (!NAME.test(fieldName) || fieldName.length > 43) {
    return integrity(`The API Name can only contain underscores and alphanumeric characters, must end with __c, begin with a letter, not include spaces, not end with an underscore, and not contain two consecutive underscores: ${fieldName}`, 'fullName');
  }
  if (input.label === undefined || input.label.trim() === '') return [recordError('REQUIRED_FIELD_MISSING', 'Required field is missing: label', ['label'])];
  if (input.label.length > 40) return integrity('Field Label: data value too large (max length=40)', 'label');
  const typeName = input.type ?? '';
  const type = TYPES[typeName] as FieldType | undefined;
  if (type === undefined) return integrity(`Type: bad value for restricted picklist field: ${typeName === '' ? '(none)' : typeName}`, 'type');
  const required = flag(input.required);
  let length = 0;
  let precision = 0;
  let scale = 0;
  let picklist: FieldDef['picklist'];
  const len = integer(input.length);
  const visibleLines = integer(input.visibleLines);
  switch (typeName) {
    case 'Text':
      if (len === undefined || len < 1 || len > 255) return integrity('Length: the length must be a number between 1 and 255', 'length');
      length = len;
      break;
    case 'TextArea':
      length = 255;
      break;
    case 'LongTextArea':
      if (len === undefined || len < 256 || len > 131_072) return integrity('Length: the length must be a number between 256 and 131,072', 'length');
      if (visibleLines === undefined || visibleLines < 2 || visibleLines > 50) return integrity('Visible Lines: must be a number between 2 and 50', 'visibleLines');
      length = len;
      break;
    case 'Email':
      length = 80;
      break;
    case 'Phone':
      length = 40;
      break;
    case 'Url':
      length = 255;
      break;
    case 'Number':
    case 'Currency':
    case 'Percent': {
      const p = integer(input.precision);
      const s = integer(input.scale) ?? 0;
      if (p === undefined || p < 1 || p > 18) return integrity('Precision: the precision must be a number between 1 and 18', 'precision');
      if (s > p) return integrity('Scale: the scale cannot be larger than the precision', 'scale');
      precision = p;
      scale = s;
      break;
    }
    case 'Picklist':
    case 'MultiselectPicklist': {
      if (input.valueSet?.valueSetName !== undefined) return integrity('Global value sets are not available in this sandbox', 'valueSet');
      const values = input.valueSet?.valueSetDefinition?.value ?? [];
      if (values.length === 0) return [recordError('REQUIRED_FIELD_MISSING', 'Required field is missing: valueSet', ['valueSet'])];
      const seen = new Set<string>();
      const list: PicklistValue[] = [];
      for (const v of values) {
        const key = v.fullName.toLowerCase();
        if (seen.has(key)) return [recordError('DUPLICATE_VALUE', `Duplicate picklist value: ${v.fullName}`, ['valueSet'])];
        if (v.fullName.length > 255) return integrity(`Picklist value too long: ${v.fullName}`, 'valueSet');
        seen.add(key);
        list.push({ value: v.fullName, label: v.label ?? v.fullName, active: v.isActive !== 'false', defaultValue: flag(v.default) });
      }
      if (typeName === 'MultiselectPicklist' && (visibleLines === undefined || visibleLines < 3 || visibleLines > 10)) return integrity('Visible Lines: must be a number between 3 and 10', 'visibleLines');
      picklist = { values: list, restricted: flag(input.valueSet?.restricted) };
      length = typeName === 'Picklist' ? 255 : 4099;
      break;
    }
    case 'Checkbox':
      if (input.defaultValue !== 'true' && input.defaultValue !== 'false') return [recordError('REQUIRED_FIELD_MISSING', 'Required field is missing: defaultValue', ['defaultValue'])];
      break;
    default:
  }
  const defaultValue = type === 'boolean' ? input.defaultValue === 'true' : picklist?.values.find((v) => v.defaultValue)?.value ?? null;
  return {
    name: fieldName,
    label: input.label,
    type,
    length,
    precision,
    scale,
    digits: 0,
    ...(picklist === undefined ? {} : { picklist }),
    referenceTo: [],
    relationshipName: null,
    cascadeDelete: false,
    createable: true,
    updateable: true,
    nillable: !required && type !== 'boolean',
    required: required && type !== 'boolean' && defaultValue === null,
    custom: true,
    calculated: false,
    externalId: flag(input.externalId),
    unique: flag(input.unique),
    // Required fields are always visible; the others need a FieldPermissions grant.
    permissionable: !required,
    defaultValue,
    ...(input.description === undefined ? {} : { description: input.description }),
    ...(input.inlineHelpText === undefined ? {} : { inlineHelpText: input.inlineHelpText }),
    metadata: {
      type: typeName,
      ...(visibleLines === undefined ? {} : { visibleLines }),
      ...(picklist === undefined ? {} : { restricted: picklist.restricted, sorted: flag(input.valueSet?.valueSetDefinition?.sorted) }),
      ...(input.defaultValue === undefined ? {} : { defaultValue: input.defaultValue }),
    },
  };
}

/** A custom field as readMetadata returns it: fullName first, the rest in alphabetical order. */
export function metadataFromField(objectName: string, f: FieldDef): Record<string, unknown> {
  const m = f.metadata ?? { type: 'Text' };
  const out: Record<string, unknown> = {
    ...(m.defaultValue === undefined ? {} : { defaultValue: m.defaultValue }),
    ...(f.description === undefined ? {} : { description: f.description }),
    externalId: String(f.externalId),
    ...(f.inlineHelpText === undefined ? {} : { inlineHelpText: f.inlineHelpText }),
    label: f.label,
    ...(m.type === 'Text' || m.type === 'LongTextArea' ? { length: String(f.length) } : {}),
    ...(m.type === 'Number' || m.type === 'Currency' || m.type === 'Percent' ? { precision: String(f.precision) } : {}),
    required: String(!f.nillable && f.type !== 'boolean'),
    ...(m.type === 'Number' || m.type === 'Currency' || m.type === 'Percent' ? { scale: String(f.scale) } : {}),
    trackHistory: 'false',
    trackTrending: 'false',
    type: m.type,
    ...(f.unique ? { unique: 'true' } : {}),
    ...(f.picklist === undefined ? {} : {
      valueSet: {
        restricted: String(f.picklist.restricted),
        valueSetDefinition: {
          sorted: String(m.sorted ?? false),
          value: f.picklist.values.map((v) => ({ fullName: v.value, default: String(v.defaultValue), label: v.label, ...(v.active ? {} : { isActive: 'false' }) })),
        },
      },
    }),
    ...(m.visibleLines === undefined ? {} : { visibleLines: String(m.visibleLines) }),
  };
  return { '@_xsi:type': 'CustomField', fullName: `${objectName}.${f.name}`, ...out };
}
