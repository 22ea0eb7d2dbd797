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

export interface ReadTransactionsResult {
  customers: CustomerInput[];
  rows: number;
  validRows: number;
  skippedRows: number;
  ignoredAfterAsOf: number;
  /** Latest purchase day among the rows kept; null when none. */
  lastDay: number | null;
}

interface MutableCustomer {
  id: string;
  purchases: Purchase[];
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
  const input = createReadStream(file, { encoding: 'utf8' });
  const rows = input.pipe(Papa.parse(Papa.NODE_STREAM_INPUT, { skipEmptyLines: 'greedy' }));
  const byId = new Map<string, MutableCustomer>();
  let header: { id: number; date: number; amount: number; width: number } | null = null;
  let line = 0;
  let count = 0;
  let valid = 0;
  let skipped = 0;
  let ignored = 0;
  let lastDay: number | null = null;
  let lastProgress = 0;
  const problem = (reason: string, at: number) => {
    skipped++;
    const p = { where: `${file}:${at}`, reason };
    if (options.strict) throw new LifecycleSyncError('INPUT_INVALID', `${p.where}: ${reason} (--strict stops at the first bad row)`);
    options.onProblem?.(p);
  };
  try {
    for await (const chunk of rows) {
      const record = chunk as string[];
      // Line numbers: papaparse drops blank lines and keeps newlines inside quoted fields, so count them.
      line++;
      const startLine = line;
      for (const field of record) for (let i = field.indexOf('\n'); i !== -1; i = field.indexOf('\n', i + 1)) line++;
      if (header === null) {
        header = resolveHeader(record, columns, file);
        continue;
      }
      count++;
      if (options.onProgress && count - lastProgress >= 50_000) {
        lastProgress = count;
        options.onProgress(input.bytesRead, totalBytes);
      }
      const id = (record[header.id] ?? '').trim();
      const dateText = record[header.date];
      const amountText = record[header.amount];
      if (record.length < header.width) {
        problem(`expected ${header.width} fields, found ${record.length}`, startLine);
        continue;
      }
      if (id === '') {
        problem(`empty ${columns.customerId}`, startLine);
        continue;
      }
      const day = parseDay(dateText);
      if (day === null) {
        problem(`${columns.date} ${JSON.stringify(dateText)} is not a date (YYYY-MM-DD, YYYYMMDD or an ISO timestamp)`, startLine);
        continue;
      }
      const amount = parseAmount(amountText);
      if (amount === null) {
        problem(`${columns.amount} ${JSON.stringify(amountText)} is not a number`, startLine);
        continue;
      }
      if (options.asOfDay !== undefined && options.asOfDay !== null && day > options.asOfDay) {
        ignored++;
        continue;
      }
      valid++;
      if (lastDay === null || day > lastDay) lastDay = day;
      let customer = byId.get(id);
      if (!customer) {
        customer = { id, purchases: [] };
        byId.set(id, customer);
      }
      customer.purchases.push({ day, amount });
    }
  } finally {
    input.destroy();
  }
  if (header === null) throw new LifecycleSyncError('INPUT_EMPTY', `transactions file is empty (no header line): ${file}`);
  options.onProgress?.(totalBytes, totalBytes);
  return { customers: [...byId.values()], rows: count, validRows: valid, skippedRows: skipped, ignoredAfterAsOf: ignored, lastDay };
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

/** A plain decimal number: Number() alone would accept "", "0x1F" and "Infinity". */
function parseAmount(text: string | undefined): number | null {
  if (text === undefined) return null;
  const s = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}
