/**
 * Field values across the wire: what a client may send for each field type (JSON or a Bulk CSV cell),
 * how Salesforce reports a bad value, and how stored values are written back out.
 */
import { canonicalId } from './ids.ts';
import { recordError, type RecordError } from './errors.ts';
import type { FieldDef, FieldType, Value } from './schema.ts';

const DAY_MS = 86_400_000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The XML schema type names Salesforce uses in describe (`soapType`) and in query type errors. */
export const SOAP_TYPE: Record<FieldType, string> = {
  id: 'tns:ID', reference: 'tns:ID', string: 'xsd:string', textarea: 'xsd:string', email: 'xsd:string', phone: 'xsd:string',
  url: 'xsd:string', picklist: 'xsd:string', multipicklist: 'xsd:string', boolean: 'xsd:boolean', int: 'xsd:int',
  double: 'xsd:double', currency: 'xsd:double', percent: 'xsd:double', date: 'xsd:date', datetime: 'xsd:dateTime',
};

export function isTextType(type: FieldType): boolean {
  return type === 'string' || type === 'textarea' || type === 'email' || type === 'phone' || type === 'url' || type === 'picklist' || type === 'multipicklist';
}

export function isNumberType(type: FieldType): boolean {
  return type === 'int' || type === 'double' || type === 'currency' || type === 'percent';
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Parsed dates and datetimes, remembered: bulk loads and seeds repeat the same few thousand values. */
const dateCache = new Map<string, string | null>();
const dateTimeCache = new Map<string, number | null>();
const CACHE_LIMIT = 50_000;

function remember<V>(cache: Map<string, V | null>, key: string, value: V | undefined): V | undefined {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value ?? null);
  return value;
}

function validDay(y: number, m: number, d: number): boolean {
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return m >= 1 && m <= 12 && d >= 1 && d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]);
}

/** 'YYYY-MM-DD' when it is a real calendar day. */
export function parseDate(text: string): string | undefined {
  const cached = dateCache.get(text);
  if (cached !== undefined) return cached ?? undefined;
  const m = DATE.exec(text);
  return remember(dateCache, text, m !== null && validDay(Number(m[1]), Number(m[2]), Number(m[3])) ? text : undefined);
}

/** Epoch ms of an ISO-8601 datetime (Z, ±hh:mm or ±hhmm; no zone means UTC); undefined if invalid. */
export function parseDateTime(text: string): number | undefined {
  const cached = dateTimeCache.get(text);
  if (cached !== undefined) return cached ?? undefined;
  return remember(dateTimeCache, text, readDateTime(text));
}

function readDateTime(text: string): number | undefined {
  const m = DATETIME.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s = '0', frac = '0', zone = 'Z'] = m;
  if (!validDay(Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Math.round(Number(`0.${frac}`) * 1000));
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}

let lastMs = NaN;
let lastText = '';

/** Salesforce's REST datetime format: millis and a `+0000` offset. Memoised: bulk writes share a stamp. */
export function formatDateTime(ms: number): string {
  if (ms !== lastMs) {
    lastText = `${new Date(ms).toISOString().slice(0, 23)}+0000`;
    lastMs = ms;
  }
  return lastText;
}

export function dayOf(ms: number): string {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** A stored value as REST JSON writes it. */
export function toJson(field: FieldDef, value: Value | undefined): Value {
  if (value === undefined || value === null) return null;
  return field.type === 'datetime' && typeof value === 'number' ? formatDateTime(value) : value;
}

/** A stored value as a Bulk API CSV cell: datetimes in ISO with `Z`, null as an empty cell. */
export function toCsv(field: FieldDef, value: Value | undefined): string {
  if (value === undefined || value === null) return '';
  if (field.type === 'datetime' && typeof value === 'number') return new Date(value).toISOString();
  return String(value);
}

export type Coerced =
  | { ok: true; value: Value }
  /** The value could not even be read as the field's type (JSON: a whole-request JSON_PARSER_ERROR). */
  | { ok: false; parse: true; message: string }
  | { ok: false; parse: false; error: RecordError };

function describeJson(raw: unknown): string {
  if (Array.isArray(raw)) return 'START_ARRAY value';
  if (typeof raw === 'object' && raw !== null) return 'START_OBJECT value';
  if (typeof raw === 'string') return `VALUE_STRING value ${raw}`;
  if (typeof raw === 'number') return `VALUE_NUMBER_${Number.isInteger(raw) ? 'INT' : 'FLOAT'} value ${raw}`;
  return `VALUE_${String(raw).toUpperCase()} value`;
}

const TYPE_WORD: Record<FieldType, string> = {
  id: 'id', reference: 'id', string: 'string', textarea: 'textarea', email: 'email', phone: 'phone', url: 'url', picklist: 'picklist',
  multipicklist: 'multipicklist', boolean: 'boolean', int: 'int', double: 'double', currency: 'currency', percent: 'percent', date: 'date', datetime: 'datetime',
};

function parseFailure(field: FieldDef, raw: unknown): Coerced {
  return { ok: false, parse: true, message: `Cannot deserialize instance of ${TYPE_WORD[field.type]} from ${describeJson(raw)} or request may be missing a required field` };
}

function fail(statusCode: string, message: string, field: FieldDef): Coerced {
  return { ok: false, parse: false, error: recordError(statusCode, message, [field.name]) };
}

function roundTo(value: number, scale: number): number {
  const f = 10 ** scale;
  return Math.round(value * f) / f;
}

function coerceNumber(field: FieldDef, raw: unknown): Coerced {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && NUMBER.test(raw.trim())) n = Number(raw.trim());
  else return parseFailure(field, raw);
  if (!Number.isFinite(n)) return parseFailure(field, raw);
  const scale = field.type === 'int' ? 0 : field.scale;
  const integerDigits = field.type === 'int' ? field.digits : field.precision - field.scale;
  const rounded = roundTo(n, scale);
  if (Math.abs(rounded) >= 10 ** integerDigits) {
    return fail('NUMBER_OUTSIDE_VALID_RANGE', `${field.label}: value outside of valid range on numeric field: ${n}`, field);
  }
  return { ok: true, value: rounded };
}

function coerceText(field: FieldDef, raw: unknown): Coerced {
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') return parseFailure(field, raw);
  const text = String(raw);
  // Salesforce stores an empty string as null.
  if (text === '') return { ok: true, value: null };
  if (field.type === 'email' && !EMAIL.test(text)) return fail('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${text}`, field);
  if (field.picklist?.restricted === true) {
    const allowed = new Set(field.picklist.values.filter((v) => v.active).map((v) => v.value));
    const chosen = field.type === 'multipicklist' ? text.split(';') : [text];
    const bad = chosen.find((v) => !allowed.has(v));
    if (bad !== undefined) return fail('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${field.label}: bad value for restricted picklist field: ${bad}`, field);
  }
  if (field.length > 0 && text.length > field.length) {
    return fail('STRING_TOO_LONG', `${field.label}: data value too large: ${text} (max length=${field.length})`, field);
  }
  return { ok: true, value: text };
}

/**
 * Reads a value a client sent for a field. `csv` cells are always text (Bulk API); JSON values may be
 * of any JSON type, and Salesforce's deserialiser accepts numbers and booleans written as strings.
 */
export function coerceInput(field: FieldDef, raw: unknown): Coerced {
  if (raw === null) {
    return { ok: true, value: field.type === 'boolean' ? false : null };
  }
  switch (field.type) {
    case 'string':
    case 'textarea':
    case 'email':
    case 'phone':
    case 'url':
    case 'picklist':
    case 'multipicklist':
      return coerceText(field, raw);
    case 'boolean':
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw)) return { ok: true, value: raw.toLowerCase() === 'true' };
      return parseFailure(field, raw);
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      if (raw === '') return { ok: true, value: null };
      return coerceNumber(field, raw);
    case 'date': {
      if (typeof raw !== 'string') return parseFailure(field, raw);
      if (raw === '') return { ok: true, value: null };
      const day = parseDate(raw) ?? (parseDateTime(raw) === undefined ? undefined : dayOf(parseDateTime(raw) ?? 0));
      return day === undefined ? parseFailure(field, raw) : { ok: true, value: day };
    }
    case 'datetime': {
      if (typeof raw !== 'string') return parseFailure(field, raw);
      if (raw === '') return { ok: true, value: null };
      const ms = parseDateTime(raw) ?? (parseDate(raw) === undefined ? undefined : Date.parse(`${raw}T00:00:00Z`));
      return ms === undefined ? parseFailure(field, raw) : { ok: true, value: ms };
    }
    case 'id':
    case 'reference': {
      if (typeof raw !== 'string') return parseFailure(field, raw);
      if (raw === '') return { ok: true, value: null };
      const id = canonicalId(raw);
      return id === undefined ? fail('MALFORMED_ID', `${field.label}: id value of incorrect type: ${raw}`, field) : { ok: true, value: id };
    }
  }
}

/**
 * Comparison key: text compares and sorts case-insensitively, by its upper-case form (the English-locale
 * rule in the ORDER BY documentation); ids are exact; booleans sort false first.
 */
export function sortKey(field: FieldDef, value: Value | undefined): string | number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  return field.type === 'id' || field.type === 'reference' || field.type === 'date' ? value : value.toUpperCase();
}
