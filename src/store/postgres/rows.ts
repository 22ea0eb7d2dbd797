/**
 * Rows of the Postgres store read back into the store's types: typed column readers that fail loudly
 * (node-postgres gives `unknown`), JSONB columns (already parsed) validated with the shared schemas.
 */
import type { z } from 'zod';
import type { PgRow } from '../postgresDb.ts';
import type { ColumnReaders } from '../rowMappers.ts';

export function text(row: PgRow, column: string): string {
  const v = row[column];
  if (typeof v !== 'string') throw new Error(`store: column ${column} is not text`);
  return v;
}
export function textOrNull(row: PgRow, column: string): string | null {
  return row[column] === null ? null : text(row, column);
}
export function num(row: PgRow, column: string): number {
  const v = row[column];
  if (typeof v !== 'number') throw new Error(`store: column ${column} is not a number`);
  return v;
}
export function numOrNull(row: PgRow, column: string): number | null {
  return row[column] === null ? null : num(row, column);
}
export function bool(row: PgRow, column: string): boolean {
  const v = row[column];
  if (typeof v !== 'boolean') throw new Error(`store: column ${column} is not a boolean`);
  return v;
}
export function bytes(row: PgRow, column: string): Buffer {
  const v = row[column];
  if (!Buffer.isBuffer(v)) throw new Error(`store: column ${column} is not bytes`);
  return v;
}
/** A JSONB column, parsed by node-postgres, validated here. */
export function json<T>(row: PgRow, column: string, schema: z.ZodType<T>): T {
  return schema.parse(row[column]);
}
/** Cell `i` of a row read as an array (queryArrays), checked as the named column's type. */
export function cellText(row: readonly unknown[], i: number, column: string): string {
  const v = row[i];
  if (typeof v !== 'string') throw new Error(`store: column ${column} is not text`);
  return v;
}
export function cellNumOrNull(row: readonly unknown[], i: number, column: string): number | null {
  const v = row[i];
  if (v !== null && typeof v !== 'number') throw new Error(`store: column ${column} is not a number`);
  return v;
}
/** The readers, for the mappers both stores share (../rowMappers.ts). */
export const COLUMNS: ColumnReaders<PgRow> = { text, textOrNull, num, numOrNull, json };
/** JSON for a JSONB parameter (node-postgres would turn an array into a Postgres array). */
export function jsonText(value: unknown): string {
  return JSON.stringify(value);
}
/** The last entry for each key wins, in the order of first appearance (a statement may touch a row once). */
export function lastByKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) byKey.set(key(item), item);
  return [...byKey.values()];
}
