/**
 * The backtest of a transactions file, without a CRM: read (streamed, the `classify` reader and its
 * plausibility rules) up to the holdout's end → backtest at the calibration end.
 */
import { backtest, type BacktestResult } from './classifier/backtest.ts';
import { asOfProblem, purchaseRules } from './classifier/inputLimits.ts';
import type { ClassifierSettings } from './classifier/settings.ts';
import { LifecycleSyncError, type RecordProblem } from './errors.ts';
import { todayDay } from './io/dates.ts';
import { readTransactionsCsv, type TransactionColumns } from './io/transactionsCsv.ts';
import { inputReport, type InputReport } from './offline.ts';

export interface BacktestFileOptions {
  file: string;
  settings: ClassifierSettings;
  calibrationEndDay: number;
  holdoutEndDay: number;
  columns?: TransactionColumns;
  strict?: boolean;
  onProblem?: (problem: RecordProblem) => void;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export async function backtestFile(options: BacktestFileOptions): Promise<{ result: BacktestResult; input: InputReport }> {
  const { calibrationEndDay, holdoutEndDay } = options;
  if (holdoutEndDay <= calibrationEndDay) throw new LifecycleSyncError('INPUT_INVALID', '--holdout-end must be after --calibration-end');
  const rules = purchaseRules(options.settings.input, todayDay());
  const refuse = (name: string, day: number, firstPurchaseDay: number | null) => {
    const problem = asOfProblem(day, rules, firstPurchaseDay);
    if (problem !== null) throw new LifecycleSyncError('INPUT_INVALID', `${name} ${problem}`);
  };
  refuse('--holdout-end', holdoutEndDay, null);
  const read = await readTransactionsCsv(options.file, {
    rules,
    columns: options.columns,
    asOfDay: holdoutEndDay,
    strict: options.strict,
    onProblem: options.onProblem,
    onProgress: options.onProgress,
  });
  if (read.validRows === 0) throw new LifecycleSyncError('INPUT_EMPTY', `no valid transaction rows in ${options.file} up to the holdout's end (${read.rows} rows)`);
  refuse('--calibration-end', calibrationEndDay, read.firstDay);
  return {
    result: backtest(read.table, { calibrationEndDay, holdoutEndDay, settings: options.settings }),
    input: inputReport(options.file, read),
  };
}
