/**
 * Canonical field values, shared by the engine and every connector so that "what we want" and "what
 * the CRM holds" compare as strings: numbers as plain decimals without trailing zeros, datetimes as
 * ISO-8601 UTC with milliseconds, empty as null.
 */
import { FIELD_KEYS, type FieldKey, type FieldSpec, type FieldValues } from './fields.ts';

export function canonicalNumber(value: number, decimals?: number): string {
  let v = value;
  if (decimals !== undefined) {
    const f = 10 ** decimals;
    v = Math.round(value * f) / f;
  }
  return String(Object.is(v, -0) ? 0 : v);
}

export function canonicalDatetime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** A CRM's number text ("12.50", "1e3") as canonical, or undefined when it is not a number. */
export function numberFromText(text: string): string | undefined {
  const t = text.trim();
  // One way to match each text (the dot required between digit runs): `\d+\.?\d*` backtracked
  // quadratically, so a long run of digits ending in a letter took minutes.
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? canonicalNumber(v) : undefined;
}

/** A CRM's datetime text (ISO-8601, or epoch milliseconds) as canonical, or undefined. */
export function datetimeFromText(text: string): string | undefined {
  const t = text.trim();
  const ms = /^\d{10,}$/.test(t) ? Number(t) : Date.parse(t);
  return Number.isFinite(ms) ? canonicalDatetime(ms) : undefined;
}

/**
 * The plugin's fields read from a CRM record, canonical. A value that does not fit its field's type (an
 * admin typed into it) is reported and treated as empty, so the next write repairs it.
 */
export function canonicalFieldValues(
  raw: (key: FieldKey) => string | number | boolean | null | undefined,
  specs: ReadonlyMap<FieldKey, FieldSpec>,
): { values: FieldValues; invalid: FieldKey[] } {
  return canonicalValuesOf(FIELD_KEYS, raw, specs);
}

/** The same for any field set (the deal fields: DEAL_FIELD_KEYS), every key given present (null when empty). */
export function canonicalValuesOf<K extends string>(
  keys: readonly K[],
  raw: (key: K) => string | number | boolean | null | undefined,
  specs: ReadonlyMap<K, FieldSpec<K>>,
): { values: Partial<Record<K, string | null>>; invalid: K[] } {
  const values: Partial<Record<K, string | null>> = {};
  const invalid: K[] = [];
  for (const key of keys) {
    const spec = specs.get(key);
    const v = raw(key);
    if (v === null || v === undefined || v === '') {
      values[key] = null;
      continue;
    }
    const text = String(v);
    let canonical: string | undefined;
    if (spec?.type === 'number') canonical = numberFromText(text);
    else if (spec?.type === 'datetime') canonical = datetimeFromText(text);
    else canonical = text;
    if (canonical === undefined) invalid.push(key);
    values[key] = canonical ?? null;
  }
  return { values, invalid };
}
