/**
 * Parses a transactions CSV into validated rows, in batches: the part of reading that runs in a worker
 * thread (see transactionsCsv.ts). A bad row (unreadable, or implausible by classifier.input: a date in
 * the future or before the earliest date, an absurd amount) is reported with its line number and
 * skipped, or, in strict mode, stops the read; rows after the as-of day are counted and ignored.
 * Negative amounts are refunds: kept, and counted.
 */
import { createReadStream } from 'node:fs';
import Papa from 'papaparse';
import { excerpt, excerptList, quoted } from '../../connectors/contract/index.ts';
import { amountProblem, purchaseDayProblem, type PurchaseRules } from '../classifier/inputLimits.ts';
import { LifecycleSyncError, type RecordProblem } from '../errors.ts';
import { parseDay } from './dates.ts';

export interface TransactionColumns {
  customerId: string;
  date: string;
  amount: string;
}

export interface ParseOptions {
  columns: TransactionColumns;
  asOfDay: number | null;
  strict: boolean;
  /** Plausible days and amounts (inputLimits.ts). */
  rules: PurchaseRules;
}

/** Valid rows, in file order. `ids` is joined by `separator` (an array if an id contains it). */
export interface RowBatch {
  ids: string | string[];
  separator: string;
  days: Int32Array;
  amounts: Float64Array;
}

export interface ParseTotals {
  rows: number;
  validRows: number;
  skippedRows: number;
  ignoredAfterAsOf: number;
  /** Rows kept with a negative amount (refunds). */
  refundRows: number;
  /** Earliest day of a plausible row, those after the as-of day included; null when none. */
  firstDay: number | null;
  /** Latest day among the rows kept; null when none. */
  lastDay: number | null;
  headerFound: boolean;
}

export interface ParseSink {
  batch(batch: RowBatch): void;
  problem(problem: RecordProblem): void;
  progress(bytesRead: number): void;
}

const BATCH_ROWS = 16_384;
const SEPARATOR = '\u0000';

export async function parseTransactionRows(file: string, options: ParseOptions, sink: ParseSink): Promise<ParseTotals> {
  const { columns, rules } = options;
  let header: { id: number; date: number; amount: number; width: number } | null = null;
  let line = 0;
  let count = 0;
  let valid = 0;
  let skipped = 0;
  let ignored = 0;
  let refunds = 0;
  let firstDay: number | null = null;
  let lastDay: number | null = null;
  let lastProgress = 0;
  let ids: string[] = [];
  let idsHoldSeparator = false;
  let days = new Int32Array(BATCH_ROWS);
  let amounts = new Float64Array(BATCH_ROWS);
  const input = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const flush = () => {
    if (ids.length === 0) return;
    const n = ids.length;
    sink.batch({ ids: idsHoldSeparator ? ids : ids.join(SEPARATOR), separator: SEPARATOR, days: days.slice(0, n), amounts: amounts.slice(0, n) });
    ids = [];
    idsHoldSeparator = false;
    days = new Int32Array(BATCH_ROWS);
    amounts = new Float64Array(BATCH_ROWS);
  };
  const problem = (reason: string, at: number) => {
    skipped++;
    const p = { where: `${file}:${at}`, reason };
    if (options.strict) throw new LifecycleSyncError('INPUT_INVALID', `${p.where}: ${reason} (--strict stops at the first bad row)`);
    sink.problem(p);
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
    if (count - lastProgress >= 50_000) {
      lastProgress = count;
      sink.progress(input.bytesRead);
    }
    if (record.length < header.width) return problem(`expected ${header.width} fields, found ${record.length}`, startLine);
    const id = record[header.id].trim();
    if (id === '') return problem(`empty ${columns.customerId}`, startLine);
    const dateText = record[header.date];
    const day = parseDay(dateText);
    if (day === null) return problem(`${excerpt(columns.date)} ${quoted(dateText)} is not a date (YYYY-MM-DD, YYYYMMDD or an ISO timestamp)`, startLine);
    const amountText = record[header.amount];
    const amount = parseAmount(amountText);
    if (amount === null) return problem(`${excerpt(columns.amount)} ${quoted(amountText ?? '')} is not a number`, startLine);
    const implausible = purchaseDayProblem(day, rules, excerpt(columns.date)) ?? amountProblem(amount, rules, excerpt(columns.amount));
    if (implausible !== null) return problem(implausible, startLine);
    if (firstDay === null || day < firstDay) firstDay = day;
    if (options.asOfDay !== null && day > options.asOfDay) {
      ignored++;
      return;
    }
    valid++;
    if (amount < 0) refunds++;
    if (lastDay === null || day > lastDay) lastDay = day;
    days[ids.length] = day;
    amounts[ids.length] = amount;
    ids.push(id);
    if (id.includes(SEPARATOR)) idsHoldSeparator = true;
    if (ids.length === BATCH_ROWS) flush();
  };
  // Rows arrive a parsed chunk at a time through papaparse's callbacks: iterating its stream mode
  // costs a stream event per row, and with backpressure papaparse re-parses paused chunks.
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    Papa.parse<string[]>(input, {
      skipEmptyLines: false,
      chunk: (results, parser) => {
        if (failed) return;
        try {
          for (const record of results.data) onRecord(record);
        } catch (error) {
          failed = true;
          parser.abort();
          input.destroy();
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      },
      complete: () => {
        if (!failed) resolve();
      },
      error: (error: Error) => {
        failed = true;
        reject(error);
      },
    });
    input.on('error', (error) => {
      failed = true;
      reject(error);
    });
  });
  flush();
  return { rows: count, validRows: valid, skippedRows: skipped, ignoredAfterAsOf: ignored, refundRows: refunds, firstDay, lastDay, headerFound: header !== null };
}

function resolveHeader(record: string[], columns: TransactionColumns, file: string) {
  const names = record.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
  const find = (name: string, flag: string) => {
    const index = names.indexOf(name);
    if (index === -1) {
      // The "header" may be a data line of a headerless file, as long as the file: quote it short.
      throw new LifecycleSyncError('INPUT_INVALID', `${file}: missing column ${quoted(name)} (header has: ${excerptList(names)}); name it with ${flag}`);
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
  // 1e999 reads as Infinity: a number, out of range (inputLimits.ts says so), not "not a number".
  return Number.isNaN(v) ? null : v;
}
