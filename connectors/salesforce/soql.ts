/**
 * SOQL text built from values: every value escaped as the SOQL reference says (backslash first, then
 * quotes and control characters), ids checked for their shape, datetimes as unquoted UTC literals.
 */
import { ConnectorError, quoted } from '../contract/index.ts';

const ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

export function soqlString(value: string): string {
  return `'${value.replace(/[\\'"\n\r\t\b\f]/g, (c) => ESCAPES[c])}'`;
}

const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

export function soqlId(id: string): string {
  // Ids come from Salesforce itself, but a cursor is stored on disk: never let one carry SOQL.
  if (!ID.test(id)) throw new ConnectorError('INVALID_RESPONSE', `${quoted(id)} is not a Salesforce record id`);
  return `'${id}'`;
}

export function soqlIdList(ids: string[]): string {
  return `(${ids.map(soqlId).join(', ')})`;
}

/** Datetime literals are unquoted; Salesforce keeps whole seconds. */
export function soqlDatetime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** IN lists are sent in the URL: keep each query well under Salesforce's URI limit. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
