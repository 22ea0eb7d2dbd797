/** Record output for the sObject and collection routes: every readable field, or the ones asked for. */
import type { Core } from './core.ts';
import { SalesforceError } from './errors.ts';
import type { ObjectSchema } from './registry.ts';
import type { FieldDef } from './schema.ts';
import type { Rec } from './store.ts';
import { attributes } from './soql/render.ts';
import { toJson } from './values.ts';

/** The fields to return; an unknown or unreadable name is a whole-request INVALID_FIELD. */
export function fieldsToReturn(core: Core, schema: ObjectSchema, userId: string, names: readonly string[] | undefined): FieldDef[] {
  const name = schema.def.name;
  if (names === undefined || names.length === 0) return schema.fields.filter((f) => core.fls.canRead(userId, name, f));
  return names.map((n) => {
    const f = schema.field(n);
    if (f === undefined || !core.fls.canRead(userId, name, f)) {
      throw new SalesforceError(400, 'INVALID_FIELD', `No such column '${n}' on entity '${name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`);
    }
    return f;
  });
}

export function recordJson(schema: ObjectSchema, rec: Rec, fields: readonly FieldDef[], version: string): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: attributes(schema.def.name, rec.Id, version) };
  for (const f of fields) out[f.name] = toJson(f, rec[f.name]);
  return out;
}
