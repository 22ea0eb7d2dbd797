/**
 * Reads a transactions CSV (one purchase per row) into a table of customers with their purchases,
 * streamed, without holding the file in memory. Parsing and validation run in a worker thread
 * (csvWorker.ts) while this thread groups the rows by customer: on two cores the read takes the time
 * of the parse alone.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { CustomerInput, Purchase } from '../classifier/types.ts';
import type { PurchaseRules } from '../classifier/inputLimits.ts';
import { LifecycleSyncError, type ErrorCode, type RecordProblem } from '../errors.ts';
import type { ParseTotals, RowBatch, TransactionColumns } from './csvRows.ts';
import type { CsvWorkerJob, CsvWorkerMessage } from './csvWorker.ts';

export type { TransactionColumns } from './csvRows.ts';

export const DEFAULT_COLUMNS: TransactionColumns = { customerId: 'customer_id', date: 'date', amount: 'amount' };

export interface ReadTransactionsOptions {
  /** Plausible days and amounts (inputLimits.ts purchaseRules); other rows are reported and skipped. */
  rules: PurchaseRules;
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

/** The table, and the reader's counts (rows, skipped, refunds, first and last day). */
export interface ReadTransactionsResult extends Omit<ParseTotals, 'headerFound'> {
  table: TransactionTable;
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

/**
 * Below this size the rows are parsed in this thread: a worker thread takes a fifth of a second to
 * start (its own module loading and type stripping), more than the parse of a few megabytes costs, and
 * the CDNOW data (23,570 customers, 1.6 MB) is read in well under that.
 */
const WORKER_FROM_BYTES = 16 * 2 ** 20;

/** The worker's parse, in this thread; csvRows.ts (and papaparse) is loaded only here or in the worker. */
async function parseHere(job: CsvWorkerJob, totalBytes: number, group: (batch: RowBatch) => void, options: ReadTransactionsOptions): Promise<ParseTotals> {
  const { parseTransactionRows } = await import('./csvRows.ts');
  return parseTransactionRows(job.file, job, {
    batch: group,
    problem: (problem) => options.onProblem?.(problem),
    progress: (bytesRead) => options.onProgress?.(bytesRead, totalBytes),
  });
}

function workerUrl(): URL {
  // Sources run as .ts (Node's type stripping), the build as .js.
  return new URL(import.meta.url.endsWith('.ts') ? './csvWorker.ts' : './csvWorker.js', import.meta.url);
}

export async function readTransactionsCsv(file: string, options: ReadTransactionsOptions): Promise<ReadTransactionsResult> {
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
  const group = (batch: RowBatch) => {
    const batchIds = typeof batch.ids === 'string' ? batch.ids.split(batch.separator) : batch.ids;
    for (let r = 0; r < batchIds.length; r++) {
      const id = batchIds[r];
      // Exports usually list a customer's rows together: skip the lookup for a repeated id.
      let customer = id === lastId ? lastCustomer : indexOf.get(id);
      if (customer === undefined) {
        customer = ids.length;
        indexOf.set(id, customer);
        ids.push(id);
      }
      lastId = id;
      lastCustomer = customer;
      rowColumns.push(customer, batch.days[r], batch.amounts[r]);
    }
  };
  const job: CsvWorkerJob = {
    file,
    columns: options.columns ?? DEFAULT_COLUMNS,
    asOfDay: options.asOfDay ?? null,
    strict: options.strict ?? false,
    rules: options.rules,
  };
  const totals = totalBytes < WORKER_FROM_BYTES ? await parseHere(job, totalBytes, group, options) : await new Promise<ParseTotals>((resolve, reject) => {
    const worker = new Worker(workerUrl(), { workerData: job });
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      action();
    };
    worker.on('message', (message: CsvWorkerMessage) => {
      try {
        switch (message.type) {
          case 'batch':
            group(message.batch);
            break;
          case 'problem':
            options.onProblem?.(message.problem);
            break;
          case 'progress':
            options.onProgress?.(message.bytesRead, totalBytes);
            break;
          case 'end':
            settle(() => resolve(message.totals));
            break;
          case 'error':
            settle(() => reject(message.code ? new LifecycleSyncError(message.code as ErrorCode, message.message) : new Error(message.message)));
            break;
        }
      } catch (error) {
        // A callback of ours failed: stop reading and report it.
        settle(() => reject(error instanceof Error ? error : new Error(String(error))));
        void worker.terminate();
      }
    });
    worker.on('error', (error: unknown) => settle(() => reject(error instanceof Error ? error : new Error(String(error)))));
    worker.on('exit', (code) => settle(() => reject(new Error(`the CSV reader stopped unexpectedly (exit code ${code})`))));
  });
  if (!totals.headerFound) throw new LifecycleSyncError('INPUT_EMPTY', `transactions file is empty (no header line): ${file}`);
  options.onProgress?.(totalBytes, totalBytes);
  indexOf.clear();
  return {
    table: rowColumns.toTable(ids),
    rows: totals.rows,
    validRows: totals.validRows,
    skippedRows: totals.skippedRows,
    ignoredAfterAsOf: totals.ignoredAfterAsOf,
    refundRows: totals.refundRows,
    firstDay: totals.firstDay,
    lastDay: totals.lastDay,
  };
}
