/**
 * Scores are stored a page at a time: one row holds the scores of a span of customers in record order
 * (the plan phase's page, 2,000 customers), not one row per customer. A nightly run rescores everyone
 * (a day older changes every customer's recency and P(alive)), so a row per customer made the run write
 * a million rows of JSON; a page per row makes that 500 rows, and reading one customer's scores
 * (explain, the admin page) decodes one page. Both stores share this encoding; each finds the page by
 * its key range.
 *
 * A page is stored by column, not by customer: numbers as the bytes of a Float64Array (base64; exact,
 * and encoded natively), other values as indices into the page's distinct values (stages, bands and the
 * run's timestamps repeat for thousands of customers), a column equal to an earlier one as a reference
 * to it (the stage's reason is also a feature). That is a third of the JSON by customer, and cheaper to
 * write. Pages that migrations moved from the earlier per-customer rows hold `{ids, scores}` by customer;
 * both read the same.
 */
import { z } from 'zod';
import { lastByKey } from './postgres/rows.ts';
import { scoresSchema } from './rowSchemas.ts';
import type { StoredScores } from './types.ts';

export interface EncodedScorePage {
  firstRecordId: string;
  lastRecordId: string;
  json: string;
}

/** Where a column's values live in StoredScores. */
type ColumnPath = ['asOf'] | ['values' | 'features', string];
type Encoded = { f64: string } | { dict: unknown[]; idx: number[] } | { same: number };

const ABSENT = -1;

function encodeColumn(values: readonly unknown[]): Encoded {
  // Plain loops: a nightly run encodes every customer's every score (a tenth of its plan phase).
  const n = values.length;
  let numbers = true;
  for (let i = 0; i < n && numbers; i++) numbers = typeof values[i] === 'number';
  if (numbers) {
    const f64 = new Float64Array(n);
    // JSON has no -0: stored as 0, as the JSON it replaces read back (`+ 0` turns -0 into 0).
    for (let i = 0; i < n; i++) f64[i] = (values[i] as number) + 0;
    return { f64: Buffer.from(f64.buffer, f64.byteOffset, f64.byteLength).toString('base64') };
  }
  const dict: unknown[] = [];
  const index = new Map<unknown, number>();
  const idx = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === undefined) {
      idx[i] = ABSENT;
      continue;
    }
    let at = index.get(v);
    if (at === undefined) {
      at = dict.push(v) - 1;
      index.set(v, at);
    }
    idx[i] = at;
  }
  return { dict, idx };
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** A page's row, or null when it holds no scores (the span's stored pages are then only dropped). */
export function encodeScorePage(scores: readonly { recordId: string; scores: StoredScores }[]): EncodedScorePage | null {
  // A customer twice: the last one stands, as if saved one after the other.
  const rows = lastByKey(scores, (s) => s.recordId);
  const first = rows[0];
  const last = rows.at(-1);
  if (!first || !last) return null;
  const n = rows.length;
  // Each key's values in one pass over the customers (undefined where a customer lacks the key).
  const parts = { values: new Map<string, unknown[]>(), features: new Map<string, unknown[]>() };
  const ids = new Array<string>(n);
  const asOf = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const { recordId, scores: s } = rows[i];
    ids[i] = recordId;
    asOf[i] = s.asOf;
    for (const part of ['values', 'features'] as const) {
      const byKey = parts[part];
      const object: Record<string, unknown> = s[part];
      for (const key in object) {
        let column = byKey.get(key);
        if (!column) {
          column = new Array<unknown>(n).fill(undefined);
          byKey.set(key, column);
        }
        column[i] = object[key];
      }
    }
  }
  const all: { path: ColumnPath; values: unknown[] }[] = [{ path: ['asOf'], values: asOf }];
  for (const part of ['values', 'features'] as const) for (const [key, values] of parts[part]) all.push({ path: [part, key], values });
  const columns = all.map(({ path, values }, at) => {
    let earlier = -1;
    for (let j = 0; j < at && earlier < 0; j++) if (sameValues(all[j].values, values)) earlier = j;
    return { path, ...(earlier >= 0 ? { same: earlier } : encodeColumn(values)) };
  });
  return { firstRecordId: first.recordId, lastRecordId: last.recordId, json: JSON.stringify({ v: 2, ids, columns }) };
}

const columnSchema = z.union([
  z.object({ path: z.tuple([z.literal('asOf')]).or(z.tuple([z.enum(['values', 'features']), z.string()])), f64: z.string() }),
  z.object({ path: z.tuple([z.literal('asOf')]).or(z.tuple([z.enum(['values', 'features']), z.string()])), dict: z.array(z.unknown()), idx: z.array(z.number().int()) }),
  z.object({ path: z.tuple([z.literal('asOf')]).or(z.tuple([z.enum(['values', 'features']), z.string()])), same: z.number().int().nonnegative() }),
]);
const pageSchema = z.union([
  z.object({ v: z.literal(2), ids: z.array(z.string()), columns: z.array(columnSchema) }),
  // As the migrations moved per-customer rows into pages.
  z.object({ ids: z.array(z.string()), scores: z.array(z.unknown()) }),
]);

type Column = z.infer<typeof columnSchema>;

function columnValue(columns: Column[], at: number, i: number, size: number): unknown {
  const column = columns[at];
  if ('same' in column) {
    if (column.same >= at) throw new Error(`score page: column ${at} refers to column ${column.same}, not an earlier one`);
    return columnValue(columns, column.same, i, size);
  }
  if ('f64' in column) {
    const bytes = Buffer.from(column.f64, 'base64');
    if (bytes.length !== size * 8) throw new Error(`score page: column ${column.path.join('.')} holds ${bytes.length} bytes for ${size} customers`);
    return bytes.readDoubleLE(i * 8);
  }
  if (column.idx.length !== size) throw new Error(`score page: column ${column.path.join('.')} holds ${column.idx.length} values for ${size} customers`);
  const index = column.idx[i];
  if (index === ABSENT) return undefined;
  if (index < 0 || index >= column.dict.length) throw new Error(`score page: column ${column.path.join('.')} refers to value ${index} of ${column.dict.length}`);
  return column.dict[index];
}

/** One customer's scores in a stored page (already parsed from JSON), or null when the page does not hold them. */
export function scoresInPage(page: unknown, recordId: string): StoredScores | null {
  const parsed = pageSchema.parse(page);
  const i = parsed.ids.lastIndexOf(recordId);
  if (i < 0) return null;
  if (!('v' in parsed)) {
    if (parsed.ids.length !== parsed.scores.length) throw new Error('score page: ids and scores differ in length');
    return scoresSchema.parse(parsed.scores[i]);
  }
  const out: { asOf?: unknown; values: Record<string, unknown>; features: Record<string, unknown> } = { values: {}, features: {} };
  parsed.columns.forEach((column, at) => {
    const value = columnValue(parsed.columns, at, i, parsed.ids.length);
    if (value === undefined) return;
    if (column.path[0] === 'asOf') out.asOf = value;
    else out[column.path[0]][column.path[1]] = value;
  });
  return scoresSchema.parse(out);
}
