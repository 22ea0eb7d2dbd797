/**
 * Classification of a transactions file, without a CRM: read (streamed) → features as of a day →
 * classify. Shared by the `classify` and demo commands and by the benchmark.
 */
import { selectModel } from './classifier/autoModel.ts';
import { classify, type ClassificationResult } from './classifier/classify.ts';
import { FeatureTable } from './classifier/featureTable.ts';
import { featuresFromColumns } from './classifier/features.ts';
import { asOfProblem, purchaseRules } from './classifier/inputLimits.ts';
import type { ClassifierSettings } from './classifier/settings.ts';
import { LifecycleSyncError, type RecordProblem } from './errors.ts';
import { todayDay } from './io/dates.ts';
import { assertFiniteResult } from './scoreGuard.ts';
import { readTransactionsCsv, type TransactionColumns, type TransactionTable } from './io/transactionsCsv.ts';

export interface ClassifyFileOptions {
  file: string;
  settings: ClassifierSettings;
  /** Default: the latest purchase day in the file. */
  asOfDay?: number | null;
  /** How the as-of date is named in errors (the flag that set it). */
  asOfName?: string;
  columns?: TransactionColumns;
  strict?: boolean;
  onProblem?: (problem: RecordProblem) => void;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  onPhase?: (phase: 'fitting' | 'writing') => void;
}

export interface InputReport {
  file: string;
  rows: number;
  validRows: number;
  skippedRows: number;
  ignoredAfterAsOf: number;
  /** Rows with a negative amount, netted against their customer's purchases (features.ts). */
  refundRows: number;
}

/** What reading a transactions file found, as both offline commands report it. */
export function inputReport(file: string, read: Omit<InputReport, 'file'>): InputReport {
  return { file, rows: read.rows, validRows: read.validRows, skippedRows: read.skippedRows, ignoredAfterAsOf: read.ignoredAfterAsOf, refundRows: read.refundRows };
}

export interface TimingReport {
  readMs: number;
  classifyMs: number;
}

export async function classifyFile(
  options: ClassifyFileOptions,
): Promise<{ result: ClassificationResult; input: InputReport; timing: TimingReport; table: TransactionTable }> {
  const t0 = performance.now();
  const rules = purchaseRules(options.settings.input, todayDay());
  const asOfName = options.asOfName ?? 'the as-of date';
  const refuseAsOf = (firstPurchaseDay: number | null) => {
    const problem = options.asOfDay === undefined || options.asOfDay === null ? null : asOfProblem(options.asOfDay, rules, firstPurchaseDay);
    if (problem !== null) throw new LifecycleSyncError('INPUT_INVALID', `${asOfName} ${problem}`);
  };
  refuseAsOf(null);
  const read = await readTransactionsCsv(options.file, {
    rules,
    columns: options.columns,
    asOfDay: options.asOfDay ?? null,
    strict: options.strict,
    onProblem: options.onProblem,
    onProgress: options.onProgress,
  });
  const t1 = performance.now();
  refuseAsOf(read.firstDay);
  if (read.validRows === 0 || read.lastDay === null) {
    const reasons = [
      read.skippedRows > 0 ? `${read.skippedRows} bad` : null,
      read.ignoredAfterAsOf > 0 ? `${read.ignoredAfterAsOf} after the as-of date` : null,
    ].filter(Boolean);
    throw new LifecycleSyncError(
      'INPUT_EMPTY',
      `no valid transaction rows in ${options.file} (${read.rows} rows${reasons.length > 0 ? `: ${reasons.join(', ')}` : ''})`,
    );
  }
  const asOfDay = options.asOfDay ?? read.lastDay;
  options.onPhase?.('fitting');
  const { ids, offsets, days, amounts } = read.table;
  const periodDays = options.settings.ltv.periodDays;
  const features = new FeatureTable(ids.length);
  ids.forEach((id, c) => features.push(featuresFromColumns(id, days, amounts, offsets[c], offsets[c + 1], asOfDay, periodDays)));
  // Under auto, the holdout comparison needs the purchases themselves, not the features.
  const selection = options.settings.model === 'auto' ? selectModel(read.table, asOfDay, options.settings) : null;
  const result = classify(features, { asOfDay, settings: options.settings, selection });
  // Before any writer starts: a non-finite number is an error naming the customer, not half a file.
  assertFiniteResult(result);
  const t2 = performance.now();
  return {
    result,
    input: inputReport(options.file, read),
    timing: { readMs: t1 - t0, classifyMs: t2 - t1 },
    table: read.table,
  };
}
