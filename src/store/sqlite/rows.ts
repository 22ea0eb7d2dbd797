/**
 * Rows of the SQLite store read back into the store's types: JSON columns parsed with zod (the file
 * outlives versions of the program and may be edited by hand), typed column readers that fail loudly.
 */
import { z } from 'zod';
import { FIELD_KEYS, type FieldValues } from '../../../connectors/contract/index.ts';
import type { Row } from '../sqliteDb.ts';

export const fieldValuesSchema: z.ZodType<FieldValues> = z.partialRecord(z.enum(FIELD_KEYS), z.string().nullable());
export const signalsSchema = z
  .object({
    openDeals: z.number().optional(),
    lastEngagementDay: z.number().nullable().optional(),
    nps: z.number().nullable().optional(),
    referrals: z.number().nullable().optional(),
    advocate: z.boolean().optional(),
    churnFlag: z.boolean().optional(),
    churnReason: z.string().nullable().optional(),
  })
  .strict();
export const scoresSchema = z.object({ asOf: z.string(), values: fieldValuesSchema, features: z.record(z.string(), z.unknown()) });
export const statsSchema = z
  .object({
    pulledCustomers: z.number(),
    pulledDeals: z.number(),
    classified: z.number(),
    changed: z.number(),
    changedFields: z.record(z.string(), z.number()),
    stageTransitions: z.record(z.string(), z.number()),
    written: z.number(),
    failed: z.number(),
    skippedRecords: z.number(),
    requests: z.number(),
    rateLimited: z.number(),
    retries: z.number(),
    // Added after the first release of the schema: absent in older rows.
    phaseMs: z.partialRecord(z.enum(['fields', 'pull', 'classify', 'write']), z.number()).default({}),
  })
  .strict();
export const credentialsSchema = z.object({
  kind: z.enum(['oauth', 'access_token', 'jwt']),
  accessToken: z.string().optional(),
  refreshToken: z.string().optional(),
  expiresAt: z.number().optional(),
  extra: z.record(z.string(), z.string()).optional(),
});
export const cursorSchema = z.record(z.string(), z.unknown());

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
