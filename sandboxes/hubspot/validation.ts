/**
 * Property value rules: values arrive as strings, are checked against the property's
 * type and stored in HubSpot's output form (ISO datetimes with millis and Z, YYYY-MM-DD dates).
 */
import type { ValueIssue } from './errors.ts';
import type { PropertyDefinition } from './schema.ts';

/** A normalised value, `null` meaning "clear", or the reason it was refused. */
export type Normalized = { ok: true; value: string | null } | { ok: false; issue: ValueIssue };

const NUMBER = /^-?\d+(\.\d+)?$/;
const EPOCH_MS = /^-?\d+$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const MS_PER_DAY = 86_400_000;

function fail(def: PropertyDefinition, error: string, message: string, value: string): Normalized {
  return { ok: false, issue: { name: def.name, error, message, propertyValue: value } };
}

const CANONICAL_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= days;
}

/** Epoch ms of YYYY-MM-DD (UTC midnight), or null for a non-date such as 2024-02-30. */
export function dateOnlyMs(text: string): number | null {
  const m = DATE_ONLY.exec(text);
  if (m === null) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return validDate(y, mo, d) ? Date.UTC(y, mo - 1, d) : null;
}

/** Already in output form (what the API itself returns): kept as is, which also keeps seeding fast. */
function isCanonicalDatetime(text: string): boolean {
  const m = CANONICAL_DATETIME.exec(text);
  return m !== null && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Epoch ms of an ISO-8601 datetime; a missing zone means UTC. */
function isoMs(text: string): number | null {
  if (!ISO_DATETIME.test(text)) return null;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) || dateOnlyMs(text.slice(0, 10)) === null ? null : ms;
}

/** Epoch ms of a datetime value as the API accepts it (epoch ms, ISO-8601 or a bare date), or null. */
export function datetimeMs(text: string): number | null {
  if (EPOCH_MS.test(text)) {
    const ms = Number(text);
    return Number.isSafeInteger(ms) && Math.abs(ms) <= 8.64e15 ? ms : null;
  }
  return dateOnlyMs(text) ?? isoMs(text);
}

/** "20:36:1.954": HubSpot prints the time of day unpadded in INVALID_DATE messages. */
function timeOfDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCHours()}:${d.getUTCMinutes()}:${d.getUTCSeconds()}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
}

function normalizeDate(def: PropertyDefinition, value: string): Normalized {
  if (dateOnlyMs(value) !== null) return { ok: true, value };
  const ms = EPOCH_MS.test(value) ? datetimeMs(value) : isoMs(value);
  if (ms === null) return fail(def, 'INVALID_DATE', `${value} is not a valid date.`, value);
  if (ms % MS_PER_DAY !== 0) return fail(def, 'INVALID_DATE', `${ms} is at ${timeOfDay(ms)} UTC, not midnight!`, value);
  return { ok: true, value: new Date(ms).toISOString().slice(0, 10) };
}

/** Option values per definition; definitions are replaced (not mutated) on update, so this never goes stale. */
const optionSets = new WeakMap<PropertyDefinition, ReadonlySet<string>>();

function optionValues(def: PropertyDefinition): ReadonlySet<string> {
  let set = optionSets.get(def);
  if (set === undefined) {
    set = new Set(def.options.map((o) => o.value));
    optionSets.set(def, set);
  }
  return set;
}

function normalizeEnumeration(def: PropertyDefinition, value: string, previous: string | undefined): Normalized {
  const allowed = optionValues(def);
  const refuse = (v: string): Normalized =>
    fail(def, 'INVALID_OPTION', `${v} was not one of the allowed options: [${def.options.map((o) => o.value).join(', ')}]`, value);
  if (def.fieldType !== 'checkbox') return allowed.has(value) ? { ok: true, value } : refuse(value);
  // Multi-select: ';'-separated; a leading ';' appends to the current values.
  const append = value.startsWith(';');
  const parts = value.split(';').filter((p) => p !== '');
  for (const p of parts) if (!allowed.has(p)) return refuse(p);
  const merged = append && previous ? [...previous.split(';'), ...parts] : parts;
  const unique = [...new Set(merged)];
  return { ok: true, value: unique.length === 0 ? null : unique.join(';') };
}

/**
 * Checks one value against its definition. `previous` is the stored value (for checkbox appends).
 * Read-only and unknown properties are the caller's business (they need no definition or a different code).
 */
export function normalizeValue(def: PropertyDefinition, value: string, previous?: string): Normalized {
  if (value === '') return { ok: true, value: null };
  switch (def.type) {
    case 'string':
      return { ok: true, value };
    case 'number':
      return NUMBER.test(value) ? { ok: true, value } : fail(def, 'INVALID_INTEGER', `${value} was not a valid number.`, value);
    case 'bool': {
      const lower = value.toLowerCase();
      return lower === 'true' || lower === 'false'
        ? { ok: true, value: lower }
        : fail(def, 'INVALID_BOOLEAN', `${value} was not a valid boolean.`, value);
    }
    case 'enumeration':
      return normalizeEnumeration(def, value, previous);
    case 'date':
      return normalizeDate(def, value);
    case 'datetime': {
      if (isCanonicalDatetime(value)) return { ok: true, value };
      const ms = datetimeMs(value);
      // Undocumented; INVALID_LONG is what users report for a bad datetime.
      return ms === null ? fail(def, 'INVALID_LONG', `${value} was not a valid long.`, value) : { ok: true, value: new Date(ms).toISOString() };
    }
  }
}

export function readOnlyIssue(name: string, value: string): ValueIssue {
  return { name, error: 'READ_ONLY_VALUE', message: `${name} is a read only property; its value cannot be set.`, propertyValue: value };
}

export function unknownPropertyIssue(name: string): ValueIssue {
  return { name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` };
}
