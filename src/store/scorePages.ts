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
 * run's timestamps repeat for thousands of customers), themselves as bytes, a column equal to an earlier
 * one as a reference to it (the stage's reason is also a feature). That is a fifth of the JSON by
 * customer, and cheaper to write. Pages that migrations moved from the earlier per-customer rows hold `{ids, scores}` by customer;
 * both read the same.
 */
import { z } from 'zod';
import { scoresSchema } from './rowSchemas.ts';
import type { StoredScores } from './types.ts';

export interface EncodedScorePage {
  firstRecordId: string;
  lastRecordId: string;
  json: string;
}

/** Where a column's values live in StoredScores. */
type ColumnPath = ['asOf'] | ['values' | 'features', string];
/**
 * A column as stored: `f64` numbers (with `gaps` where some are null or absent), `dict` values with their
 * indices as `ix` (little-endian unsigned integers of `w` bytes, index + 1, 0 where absent) or, in pages
 * of earlier versions, as an `idx` array (-1 where absent); `same` refers to an equal earlier column.
 */
type Encoded = { f64: string; gaps?: string } | { dict: unknown[]; ix: string; w: 1 | 2 | 4 } | { same: number };

/** In a column's `gaps`: what stands in place of a number. */
const GAP = { none: 0, null: 1, absent: 2 } as const;
const ABSENT = -1;

const base64 = (view: ArrayBufferView): string => Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');

/** The column as indices into its distinct values, or null when they are more than `limit`. */
function dictionary(values: readonly unknown[]): Encoded;
function dictionary(values: readonly unknown[], limit: number): Encoded | null;
function dictionary(values: readonly unknown[], limit = Infinity): Encoded | null {
  const n = values.length;
  const dict: unknown[] = [];
  const index = new Map<unknown, number>();
  const ix = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === undefined) continue;
    let at = index.get(v);
    if (at === undefined) {
      if (dict.length >= limit) return null;
      at = dict.push(v);
      index.set(v, at);
    }
    ix[i] = at;
  }
  if (dict.length < 0xff) return { dict, ix: base64(Uint8Array.from(ix)), w: 1 };
  if (dict.length < 0xffff) return { dict, ix: base64(Uint16Array.from(ix)), w: 2 };
  return { dict, ix: base64(ix), w: 4 };
}

function encodeColumn(values: readonly unknown[]): Encoded {
  // Plain loops and bytes, not JSON arrays: a nightly run encodes every customer's every score, and
  // Postgres parses the JSON it stores (both were a tenth of a nightly run's plan phase).
  const n = values.length;
  let numbers = 0;
  let gaps = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === 'number') numbers++;
    else if (v === null || v === undefined) gaps++;
  }
  if (numbers === 0 || numbers + gaps < n) return dictionary(values);
  // Few distinct numbers (counts, days): a byte each is smaller than the numbers' eight.
  const few = dictionary(values, Math.min(n >> 3, 0xfe));
  if (few) return few;
  const f64 = new Float64Array(n);
  const gap = gaps > 0 ? new Uint8Array(n) : null;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    // JSON has no -0: stored as 0, as the JSON it replaces read back (`+ 0` turns -0 into 0).
    if (typeof v === 'number') f64[i] = v + 0;
    else if (gap) gap[i] = v === null ? GAP.null : GAP.absent;
  }
  return gap ? { f64: base64(f64), gaps: base64(gap) } : { f64: base64(f64) };
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** The columns of one part of StoredScores (values or features), filled customer by customer. */
class Columns {
  readonly keys: string[] = [];
  readonly columns: unknown[][] = [];
  private readonly at = new Map<string, number>();

  put(i: number, object: Readonly<Record<string, unknown>>): void {
    // Customers' objects have the same keys in the same order: the next key is usually the next column.
    let next = 0;
    for (const key in object) {
      let c = this.keys[next] === key ? next : this.at.get(key);
      if (c === undefined) {
        c = this.keys.push(key) - 1;
        this.at.set(key, c);
        this.columns.push([]);
      }
      const column = this.columns[c];
      while (column.length < i) column.push(undefined);
      column.push(object[key]);
      next = c + 1;
    }
  }
}

/**
 * A page of scores, built customer by customer straight into columns (no object per customer is kept,
 * and nothing is transposed at the end). A customer added twice: the last one stands, in the place of
 * the first, as if saved one after the other.
 */
export class ScorePage {
  private readonly ids: string[] = [];
  private readonly asOf: unknown[] = [];
  private readonly values = new Columns();
  private readonly features = new Columns();
  /** Every id greater than the one before (a run's page): no customer twice. */
  private ascending = true;

  static of(scores: readonly { recordId: string; scores: StoredScores }[]): ScorePage {
    const page = new ScorePage();
    for (const s of scores) page.add(s.recordId, s.scores);
    return page;
  }

  add(recordId: string, scores: StoredScores): void {
    const i = this.ids.length;
    if (i > 0 && !(recordId > this.ids[i - 1])) this.ascending = false;
    this.ids.push(recordId);
    this.asOf.push(scores.asOf);
    this.values.put(i, scores.values);
    this.features.put(i, scores.features);
  }

  /** The page's row, or null when it holds no scores (the span's stored pages are then only dropped). */
  encode(): EncodedScorePage | null {
    const n = this.ids.length;
    const keep = this.ascending ? null : [...new Map(this.ids.map((id, i) => [id, i])).values()];
    const rows = <T>(column: unknown[]): T[] => {
      while (column.length < n) column.push(undefined);
      return (keep ? keep.map((i) => column[i]) : column) as T[];
    };
    const ids = rows<string>(this.ids);
    const first = ids[0];
    const last = ids.at(-1);
    if (first === undefined || last === undefined) return null;
    const all: { path: ColumnPath; values: unknown[] }[] = [{ path: ['asOf'], values: rows(this.asOf) }];
    for (const part of ['values', 'features'] as const) {
      const { keys, columns } = this[part];
      keys.forEach((key, c) => all.push({ path: [part, key], values: rows(columns[c]) }));
    }
    const columns = all.map(({ path, values }, at) => {
      let earlier = -1;
      for (let j = 0; j < at && earlier < 0; j++) if (sameValues(all[j].values, values)) earlier = j;
      return { path, ...(earlier >= 0 ? { same: earlier } : encodeColumn(values)) };
    });
    return { firstRecordId: first, lastRecordId: last, json: JSON.stringify({ v: 3, ids, columns }) };
  }
}

const pathSchema = z.tuple([z.literal('asOf')]).or(z.tuple([z.enum(['values', 'features']), z.string()]));
const columnSchema = z.union([
  z.object({ path: pathSchema, f64: z.string(), gaps: z.string().optional() }),
  z.object({ path: pathSchema, dict: z.array(z.unknown()), ix: z.string(), w: z.union([z.literal(1), z.literal(2), z.literal(4)]) }),
  // Pages of version 2.
  z.object({ path: pathSchema, dict: z.array(z.unknown()), idx: z.array(z.number().int()) }),
  z.object({ path: pathSchema, same: z.number().int().nonnegative() }),
]);
const pageSchema = z.union([
  z.object({ v: z.union([z.literal(2), z.literal(3)]), ids: z.array(z.string()), columns: z.array(columnSchema) }),
  // As the migrations moved per-customer rows into pages.
  z.object({ ids: z.array(z.string()), scores: z.array(z.unknown()) }),
]);

type Column = z.infer<typeof columnSchema>;

/** A column's bytes, checked to hold `width` bytes for each of the page's customers. */
function bytesOf(column: Column, text: string, width: number, size: number, cache?: Map<string, Buffer>): Buffer {
  const cached = cache?.get(text);
  if (cached) return cached;
  const bytes = Buffer.from(text, 'base64');
  cache?.set(text, bytes);
  if (bytes.length !== size * width) throw new Error(`score page: column ${column.path.join('.')} holds ${bytes.length} bytes for ${size} customers`);
  return bytes;
}

/** Customer i's value in a column; `cache` keeps the columns' decoded bytes when a page is read whole. */
function columnValue(columns: Column[], at: number, i: number, size: number, cache?: Map<string, Buffer>): unknown {
  const column = columns[at];
  if ('same' in column) {
    if (column.same >= at) throw new Error(`score page: column ${at} refers to column ${column.same}, not an earlier one`);
    return columnValue(columns, column.same, i, size, cache);
  }
  if ('f64' in column) {
    const gap = column.gaps === undefined ? GAP.none : bytesOf(column, column.gaps, 1, size, cache)[i];
    if (gap === GAP.absent) return undefined;
    if (gap === GAP.null) return null;
    return bytesOf(column, column.f64, 8, size, cache).readDoubleLE(i * 8);
  }
  let index: number;
  if ('ix' in column) index = bytesOf(column, column.ix, column.w, size, cache).readUIntLE(i * column.w, column.w) - 1;
  else if (column.idx.length !== size) throw new Error(`score page: column ${column.path.join('.')} holds ${column.idx.length} values for ${size} customers`);
  else index = column.idx[i];
  if (index === ABSENT) return undefined;
  if (index < 0 || index >= column.dict.length) throw new Error(`score page: column ${column.path.join('.')} refers to value ${index} of ${column.dict.length}`);
  return column.dict[index];
}

/** One customer's scores in a stored page (already parsed from JSON), or null when the page does not hold them. */
export function scoresInPage(page: unknown, recordId: string): StoredScores | null {
  const parsed = pageSchema.parse(page);
  const i = parsed.ids.lastIndexOf(recordId);
  return i < 0 ? null : scoresAt(parsed, i);
}

function scoresAt(parsed: z.infer<typeof pageSchema>, i: number, cache?: Map<string, Buffer>): StoredScores {
  if (!('v' in parsed)) {
    if (parsed.ids.length !== parsed.scores.length) throw new Error('score page: ids and scores differ in length');
    return scoresSchema.parse(parsed.scores[i]);
  }
  const out: { asOf?: unknown; values: Record<string, unknown>; features: Record<string, unknown> } = { values: {}, features: {} };
  parsed.columns.forEach((column, at) => {
    const value = columnValue(parsed.columns, at, i, parsed.ids.length, cache);
    if (value === undefined) return;
    if (column.path[0] === 'asOf') out.asOf = value;
    else out[column.path[0]][column.path[1]] = value;
  });
  return scoresSchema.parse(out);
}

/**
 * The page without some customers (a person deleted in the CRM): every other customer's scores as they
 * were, re-encoded; null when no one is left. Each column is decoded once, not once per customer.
 */
export function scorePageWithout(page: unknown, remove: ReadonlySet<string>): EncodedScorePage | null {
  const parsed = pageSchema.parse(page);
  const cache = new Map<string, Buffer>();
  const out = new ScorePage();
  parsed.ids.forEach((recordId, i) => {
    if (!remove.has(recordId)) out.add(recordId, scoresAt(parsed, i, cache));
  });
  return out.encode();
}

/**
 * A stored page with some customers' scores replaced or added (a few customers rescored between runs):
 * the page's customers in record order, each column decoded once. The page keeps its span; an added
 * customer belongs in it (the caller found the page by the customer's id).
 */
export function patchedScorePage(page: unknown, updates: ReadonlyMap<string, StoredScores>): ScorePage {
  const parsed = pageSchema.parse(page);
  const cache = new Map<string, Buffer>();
  const all = new Map<string, StoredScores>();
  parsed.ids.forEach((id, i) => all.set(id, updates.get(id) ?? scoresAt(parsed, i, cache)));
  for (const [id, scores] of updates) all.set(id, scores);
  return ScorePage.of([...all].sort(([a], [b]) => byteOrder(a, b)).map(([recordId, scores]) => ({ recordId, scores })));
}

/** Record ids in the stores' order (byte by byte, as SQLite and the C collation compare text). */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
