/**
 * Reads the fields a client sent for one record into stored values, as Salesforce checks them: unknown
 * (or invisible) fields, fields the user may not write, and values that do not fit the field. Integrity
 * rules that need other records (references, uniqueness, required fields) are the writer's.
 */
import { recordError, type RecordError } from './errors.ts';
import type { FieldAccess } from './fls.ts';
import type { ObjectSchema } from './registry.ts';
import type { FieldDef, Value } from './schema.ts';
import { coerceInput } from './values.ts';

export type WriteMode = 'create' | 'update';

export interface PayloadResult {
  values: Map<FieldDef, Value>;
  errors: RecordError[];
  /** The first value that could not be read as its field's type (JSON: a whole-request error). */
  parseError?: { field: FieldDef; message: string };
}

/** Keys that are part of a record's envelope, not fields to write. */
function isEnvelopeKey(key: string): boolean {
  return key === 'attributes' || key.toLowerCase() === 'id';
}

export function noSuchColumn(objectName: string, name: string): RecordError {
  return recordError('INVALID_FIELD', `No such column '${name}' on sobject of type ${objectName}`, []);
}

export function readPayload(
  schema: ObjectSchema,
  payload: Readonly<Record<string, unknown>>,
  mode: WriteMode,
  access: (field: FieldDef) => FieldAccess,
  options: { system: boolean },
): PayloadResult {
  const values = new Map<FieldDef, Value>();
  const errors: RecordError[] = [];
  const readOnly: string[] = [];
  let parseError: PayloadResult['parseError'];
  for (const [key, raw] of Object.entries(payload)) {
    if (isEnvelopeKey(key)) continue;
    const field = schema.field(key);
    if (field === undefined || !access(field).read) {
      // Salesforce stops at the first unknown field.
      return { values, errors: [noSuchColumn(schema.def.name, key)] };
    }
    if (!options.system && (!(mode === 'create' ? field.createable : field.updateable) || !access(field).edit)) {
      readOnly.push(field.name);
      continue;
    }
    const coerced = coerceInput(field, raw);
    if (coerced.ok) values.set(field, coerced.value);
    else if (coerced.parse) parseError ??= { field, message: coerced.message };
    else errors.push(coerced.error);
  }
  if (readOnly.length > 0) {
    errors.unshift(recordError(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      readOnly,
    ));
  }
  return { values, errors, ...(parseError === undefined ? {} : { parseError }) };
}
