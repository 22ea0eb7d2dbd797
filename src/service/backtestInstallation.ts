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

export interface InstallationBacktest extends BacktestResult {
  installation: string;
  /** Won deals left out as implausible (classifier.input). */
  skippedDeals: number;
}

export async function backtestInstallation(
  store: Store,
  installationId: string,
  settings: ClassifierSettings,
  options: { holdoutDays: number; today: number },
): Promise<InstallationBacktest> {
  const purchases = await readStoredPurchases(store, installationId, purchaseRules(settings.input, options.today));
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
  return { installation: installationId, skippedDeals: purchases.skipped, ...result };
}
