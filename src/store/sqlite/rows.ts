/**
 * Rows of the SQLite store read back into the store's types: typed column readers that fail loudly, JSON
 * columns parsed and validated with the shared schemas (../rowSchemas.ts).
 */
import type { z } from 'zod';
import type { Row } from '../sqliteDb.ts';
import type { ColumnReaders } from '../rowMappers.ts';

export function text(row: Row, column: string): string {
  const v = row[column];
  if (typeof v !== 'string') throw new Error(`store: column ${column} is not text`);
  return v;
}
export function textOrNull(row: Row, column: string): string | null {
  const v = row[column];
  if (v === null) return null;
  return text(row, column);
}
export function num(row: Row, column: string): number {
  const v = row[column];
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new Error(`store: column ${column} is not a number`);
}
export function numOrNull(row: Row, column: string): number | null {
  return row[column] === null ? null : num(row, column);
}
export function json<T>(row: Row, column: string, schema: z.ZodType<T>): T {
  return schema.parse(JSON.parse(text(row, column)));
}
/** The readers, for the mappers both stores share (../rowMappers.ts). */
export const COLUMNS: ColumnReaders<Row> = { text, textOrNull, num, numOrNull, json };
