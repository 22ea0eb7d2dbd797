/**
 * Streams a transactions CSV (one purchase per row) into customers with their purchases, without
 * holding the file in memory. A bad row is reported with its line number and skipped (or, in strict
 * mode, stops the read); rows after the as-of day are counted and ignored.
 */
import { createReadStream, statSync } from 'node:fs';
import Papa from 'papaparse';
import type { CustomerInput, Purchase } from '../classifier/types.ts';
import { LifecycleSyncError, type RecordProblem } from '../errors.ts';
import { parseDay } from './dates.ts';

export interface TransactionColumns {
  customerId: string;
  date: string;
  amount: string;
}

export const DEFAULT_COLUMNS: TransactionColumns = { customerId: 'customer_id', date: 'date', amount: 'amount' };

export interface ReadTransactionsOptions {
  columns?: TransactionColumns;
  /** Rows dated after this day are ignored. */
  asOfDay?: number | null;
  /** Any bad row is fatal. */
  strict?: boolean;
  onProblem?: (problem: RecordProblem) => void;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * Purchases in columns: customer i's purchases are positions offsets[i] .. offsets[i+1]-1 of `days` and
 * `amounts`, sorted by day. A million customers cost a few typed arrays rather than millions of objects.
 */
export interface TransactionTable {
  ids: string[];
  offsets: Int32Array;
  days: Int32Array;
  amounts: Float64Array;
}

export interface ReadTransactionsResult {
  table: TransactionTable;
  rows: number;
  validRows: number;
  skippedRows: number;
  ignoredAfterAsOf: number;
  /** Latest purchase day among the rows kept; null when none. */
  lastDay: number | null;
}

/** Growable typed columns for the rows as they arrive. */
class RowColumns {
  customer = new Int32Array(1 << 16);
  day = new Int32Array(1 << 16);
  amount = new Float64Array(1 << 16);
  length = 0;

  push(customer: number, day: number, amount: number): void {
    if (this.length === this.customer.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.customer = grow(this.customer, (n) => new Int32Array(n));
      this.day = grow(this.day, (n) => new Int32Array(n));
      this.amount = grow(this.amount, (n) => new Float64Array(n));
    }
    this.customer[this.length] = customer;
    this.day[this.length] = day;
    this.amount[this.length] = amount;
    this.length++;
  }

  /** Groups rows by customer (a counting sort), each customer's rows sorted by day. */
  toTable(ids: string[]): TransactionTable {
    const n = ids.length;
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i < this.length; i++) offsets[this.customer[i] + 1]++;
    for (let c = 0; c < n; c++) offsets[c + 1] += offsets[c];
    const next = offsets.slice(0, n);
    const days = new Int32Array(this.length);
    const amounts = new Float64Array(this.length);
    for (let i = 0; i < this.length; i++) {
      const at = next[this.customer[i]]++;
      days[at] = this.day[i];
      amounts[at] = this.amount[i];
    }
    for (let c = 0; c < n; c++) sortRange(days, amounts, offsets[c], offsets[c + 1]);
    return { ids, offsets, days, amounts };
  }
}

/** Insertion sort by day of one customer's few rows (already sorted in most exports). */
function sortRange(days: Int32Array, amounts: Float64Array, start: number, end: number): void {
  for (let i = start + 1; i < end; i++) {
    const d = days[i];
    if (d >= days[i - 1]) continue;
    const a = amounts[i];
    let j = i - 1;
    while (j >= start && days[j] > d) {
      days[j + 1] = days[j];
      amounts[j + 1] = amounts[j];
      j--;
    }
    days[j + 1] = d;
    amounts[j + 1] = a;
  }
}

/** The table as customer objects, for callers that want them (small inputs, tests). */
export function tableCustomers(table: TransactionTable): CustomerInput[] {
  return table.ids.map((id, c) => {
    const purchases: Purchase[] = [];
    for (let i = table.offsets[c]; i < table.offsets[c + 1]; i++) purchases.push({ day: table.days[i], amount: table.amounts[i] });
    return { id, purchases };
  });
}

export async function readTransactionsCsv(file: string, options: ReadTransactionsOptions = {}): Promise<ReadTransactionsResult> {
  const columns = options.columns ?? DEFAULT_COLUMNS;
  let totalBytes: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new LifecycleSyncError('INPUT_NOT_FOUND', `transactions file is not a file: ${file}`);
    totalBytes = stat.size;
  } catch (error) {
    if (error instanceof LifecycleSyncError) throw error;
    throw new LifecycleSyncError('INPUT_NOT_FOUND', `transactions file not found: ${file}`);
  }
  const indexOf = new Map<string, number>();
  const ids: string[] = [];
  const rowColumns = new RowColumns();
  let lastId = '';
  let lastCustomer = 0;
  let header: { id: number; date: number; amount: number; width: number } | null = null;
  let line = 0;
  let count = 0;
  let valid = 0;
  let skipped = 0;
  let ignored = 0;
  let lastDay: number | null = null;
  let lastProgress = 0;
  const input = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const problem = (reason: string, at: number) => {
    skipped++;
    const p = { where: `${file}:${at}`, reason };
    if (options.strict) throw new LifecycleSyncError('INPUT_INVALID', `${p.where}: ${reason} (--strict stops at the first bad row)`);
    options.onProblem?.(p);
  };
  const onRecord = (record: string[]) => {
    // Line numbers count blank lines and the newlines inside quoted fields.
    line++;
    const startLine = line;
    for (let f = 0; f < record.length; f++) {
      const field = record[f];
      for (let i = field.indexOf('\n'); i !== -1; i = field.indexOf('\n', i + 1)) line++;
    }
    if (record.length === 1 && record[0].trim() === '') return; // a blank line
    if (header === null) {
      header = resolveHeader(record, columns, file);
      return;
    }
    count++;
    if (options.onProgress && count - lastProgress >= 50_000) {
      lastProgress = count;
      options.onProgress(input.bytesRead, totalBytes);
    }
    if (record.length < header.width) return problem(`expected ${header.width} fields, found ${record.length}`, startLine);
    const id = record[header.id].trim();
    if (id === '') return problem(`empty ${columns.customerId}`, startLine);
    const dateText = record[header.date];
    const day = parseDay(dateText);
    if (day === null) return problem(`${columns.date} ${JSON.stringify(dateText)} is not a date (YYYY-MM-DD, YYYYMMDD or an ISO timestamp)`, startLine);
    const amountText = record[header.amount];
    const amount = parseAmount(amountText);
    if (amount === null) return problem(`${columns.amount} ${JSON.stringify(amountText)} is not a number`, startLine);
    if (options.asOfDay !== undefined && options.asOfDay !== null && day > options.asOfDay) {
      ignored++;
      return;
    }
    valid++;
    if (lastDay === null || day > lastDay) lastDay = day;
    // Exports usually list a customer's rows together: skip the lookup for a repeated id.
    let customer = id === lastId ? lastCustomer : indexOf.get(id);
    if (customer === undefined) {
      customer = ids.length;
      indexOf.set(id, customer);
      ids.push(id);
    }
    lastId = id;
    lastCustomer = customer;
    rowColumns.push(customer, day, amount);
  };
  // Rows are taken from 'data' events: iterating the parser with `for await` applies backpressure,
  // and papaparse then re-parses the rest of a chunk on every resume (quadratic on large files).
  await new Promise<void>((resolve, reject) => {
    const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { skipEmptyLines: false });
    const fail = (error: unknown) => {
      input.destroy();
      parser.destroy();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    parser.on('data', (record: string[]) => {
      try {
        onRecord(record);
      } catch (error) {
        fail(error);
      }
    });
    parser.on('end', () => resolve());
    parser.on('error', fail);
    input.on('error', fail);
    input.pipe(parser);
  });
  if (header === null) throw new LifecycleSyncError('INPUT_EMPTY', `transactions file is empty (no header line): ${file}`);
  options.onProgress?.(totalBytes, totalBytes);
  indexOf.clear();
  return { table: rowColumns.toTable(ids), rows: count, validRows: valid, skippedRows: skipped, ignoredAfterAsOf: ignored, lastDay };
}

function resolveHeader(record: string[], columns: TransactionColumns, file: string) {
  const names = record.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
  const find = (name: string, flag: string) => {
    const index = names.indexOf(name);
    if (index === -1) {
      throw new LifecycleSyncError(
        'INPUT_INVALID',
        `${file}: missing column "${name}" (header has: ${names.join(', ')}); name it with ${flag}`,
      );
    }
    return index;
  };
  const id = find(columns.customerId, '--customer-column');
  const date = find(columns.date, '--date-column');
  const amount = find(columns.amount, '--amount-column');
  return { id, date, amount, width: Math.max(id, date, amount) + 1 };
}

/**
 * A plain decimal number. Number() alone would accept "", " ", "0x1F" and "Infinity", so the characters
 * are checked first (a loop: this runs for every row); Number() then rejects misplaced signs or dots.
 */
function parseAmount(text: string | undefined): number | null {
  if (text === undefined) return null;
  const s = text.trim();
  if (s === '') return null;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // 0-9 . + - e E
    if (!((c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 || c === 101 || c === 69)) return null;
  }
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}
