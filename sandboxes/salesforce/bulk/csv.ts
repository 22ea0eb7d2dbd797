/**
 * Bulk API 2.0 CSV (S46, S47): a header row of field names, the job's column delimiter and line
 * ending, values quoted when they contain the delimiter, a quote or a line break (the sandbox quotes
 * every non-empty value, as the result examples in the documentation do; null is an empty cell).
 */
import Papa from 'papaparse';
import { z } from 'zod';

export const COLUMN_DELIMITERS = { COMMA: ',', TAB: '\t', PIPE: '|', SEMICOLON: ';', CARET: '^', BACKQUOTE: '`' } as const;
export type ColumnDelimiter = keyof typeof COLUMN_DELIMITERS;
export const columnDelimiter = z.enum(['COMMA', 'TAB', 'PIPE', 'SEMICOLON', 'CARET', 'BACKQUOTE']);
export const lineEnding = z.enum(['LF', 'CRLF']);
export type LineEnding = z.output<typeof lineEnding>;

export interface CsvFormat {
  delimiter: ColumnDelimiter;
  lineEnding: LineEnding;
}

function cell(value: string): string {
  return value === '' ? '' : `"${value.replace(/"/g, '""')}"`;
}

export function toCsv(rows: readonly (readonly string[])[], format: CsvFormat): string {
  const d = COLUMN_DELIMITERS[format.delimiter];
  const eol = format.lineEnding === 'CRLF' ? '\r\n' : '\n';
  return rows.map((r) => r.map(cell).join(d)).join(eol) + eol;
}

/** Header and rows of an uploaded file; malformed quoting is reported as Salesforce's InvalidBatch. */
export function parseCsv(text: string, format: CsvFormat): { header: string[]; rows: string[][] } | { error: string } {
  const parsed = Papa.parse<string[]>(text, { delimiter: COLUMN_DELIMITERS[format.delimiter], newline: format.lineEnding === 'CRLF' ? '\r\n' : '\n', skipEmptyLines: true });
  const bad = parsed.errors.find((e) => e.type === 'Quotes');
  if (bad !== undefined) return { error: `InvalidBatch : Failed to parse CSV. Found unescaped quote. A value with a quote should be within a quote: row ${String((bad.row ?? 0) + 1)}` };
  const [header, ...rows] = parsed.data;
  if (header === undefined || header.every((h) => h.trim() === '')) return { error: 'InvalidBatch : The header row is missing' };
  return { header, rows };
}
