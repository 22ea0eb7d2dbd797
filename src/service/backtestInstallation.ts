/**
 * The backtest of an installation's stored data: the last `holdoutDays` days before today are the
 * holdout, everything before them the calibration period. Shared by the CLI and the admin API.
 */
import { backtest, type BacktestResult } from '../classifier/backtest.ts';
import { purchaseRules } from '../classifier/inputLimits.ts';
import type { ClassifierSettings } from '../classifier/settings.ts';
import { LifecycleSyncError } from '../errors.ts';
import type { Store } from '../store/types.ts';
import { readStoredPurchases } from '../sync/storedPurchases.ts';
import { backtestStoredConversion, type ConversionBacktestLine } from './conversionBacktest.ts';

export interface InstallationBacktest extends BacktestResult {
  installation: string;
  /** Won deals left out as implausible (classifier.input). */
  skippedDeals: number;
  /** The conversion model's holdout AUC on the prospects, with its own holdout of horizonDays (or why not). */
  conversion: ConversionBacktestLine;
}

export async function backtestInstallation(
  store: Store,
  installationId: string,
  settings: ClassifierSettings,
  options: { holdoutDays: number; today: number },
): Promise<InstallationBacktest> {
  const rules = purchaseRules(settings.input, options.today);
  const purchases = await readStoredPurchases(store, installationId, rules);
  const calibrationEndDay = options.today - options.holdoutDays;
  let first = Infinity;
  for (let c = 0; c < purchases.ids.length; c++) first = Math.min(first, purchases.days[purchases.offsets[c]]);
  if (!(first <= calibrationEndDay)) {
    throw new LifecycleSyncError(
      'INPUT_EMPTY',
      `no won deal of ${installationId} closed more than ${options.holdoutDays} days ago: nothing to fit before the holdout (pull the CRM with a sync or dry run, or choose fewer holdout days)`,
    );
  }
  const result = backtest(purchases, { calibrationEndDay, holdoutEndDay: options.today, settings });
  const conversion = await backtestStoredConversion(store, installationId, settings.conversion, rules, options.today);
  return { installation: installationId, skippedDeals: purchases.skipped, ...result, conversion };
}
