/**
 * The conversion model in the backtest (issue #14): fitted on an installation's history up to a
 * calibration end `horizonDays` before today (so every holdout outcome is known), scored on the prospects
 * then, and compared with who made a first purchase by today (classifier/conversion/backtest.ts). Deals
 * are the stored ones, placed by their created and close days (their win probabilities come only from a
 * sync's deal pull); the engagement readings are those kept by past syncs. Where it cannot say anything,
 * it says why.
 */
import { backtestConversion } from '../classifier/conversion/index.ts';
import type { ConversionSettings } from '../classifier/conversion/settings.ts';
import type { PurchaseRules } from '../classifier/inputLimits.ts';
import type { Store } from '../store/types.ts';
import { prospectRecords } from '../sync/conversionPhase.ts';

export type ConversionBacktestLine =
  | {
      available: true;
      calibrationEnd: string;
      holdoutEnd: string;
      horizonDays: number;
      /** Prospects at the calibration end, and how many made a first purchase in the holdout. */
      prospects: number;
      converted: number;
      /** Holdout AUC with its Hanley–McNeil standard error; null without both outcomes (see reason). */
      auc: number | null;
      aucStandardError: number | null;
      brier: number | null;
      /** The fit's card line (fitted with its cross-validated AUC, or the fallback with its reason). */
      model: string;
      /** Why there is no AUC, when there is none. */
      reason: string | null;
    }
  | { available: false; reason: string };

/** A file of purchases lists only people who bought: nothing about those who did not. */
export const NO_PROSPECTS_IN_PURCHASES =
  'a file of purchases holds only people who bought, none who had not: the conversion model needs the prospects too (backtest an installation)';

export async function backtestStoredConversion(store: Store, installationId: string, settings: ConversionSettings, rules: PurchaseRules, today: number): Promise<ConversionBacktestLine> {
  const { people } = await prospectRecords({ store, installationId, rules, today, prospectDeals: null });
  const calibrationEndDay = today - settings.horizonDays;
  const r = backtestConversion(people, settings, calibrationEndDay);
  if (r.prospects === 0) return { available: false, reason: `no prospect on ${r.calibrationEnd} (everyone had bought, or no one was in the CRM yet)` };
  const auc = r.holdout?.auc ?? null;
  return {
    available: true,
    calibrationEnd: r.calibrationEnd,
    holdoutEnd: r.holdoutEnd,
    horizonDays: r.horizonDays,
    prospects: r.prospects,
    converted: r.converted,
    auc,
    aucStandardError: r.holdout?.aucStandardError ?? null,
    brier: r.holdout?.brier ?? null,
    model: r.fit.label,
    reason: auc !== null ? null : r.converted === 0 ? 'no prospect converted in the holdout: an AUC needs both outcomes' : 'every prospect converted in the holdout: an AUC needs both outcomes',
  };
}

/** The backtest report's line for the conversion model. */
export function conversionBacktestText(line: ConversionBacktestLine): string {
  if (!line.available) return `Conversion likelihood (prospects): not backtested: ${line.reason}.`;
  const head = `Conversion likelihood (first purchase within ${line.horizonDays} days): ${line.prospects} prospects on ${line.calibrationEnd}, ${line.converted} converted by ${line.holdoutEnd}`;
  const auc = line.auc === null ? `no holdout AUC: ${line.reason}` : `holdout AUC ${line.auc.toFixed(2)}${line.aucStandardError === null ? '' : ` ± ${line.aucStandardError.toFixed(2)}`}`;
  return `${head}; ${auc}.\n  Model: ${line.model}.`;
}
