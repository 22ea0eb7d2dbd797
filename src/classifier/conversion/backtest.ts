/**
 * The conversion model backtested like the transaction models: fit on the history up to a calibration
 * end (its cut-offs and labels all end by then), score the prospects as of the calibration end, and
 * compare with who made a first purchase in the holdout (calibrationEnd, calibrationEnd + horizonDays].
 */
import { isoDateOfDay } from '../features.ts';
import { summarise, type ValidationSummary } from '../deals/validation.ts';
import { convertedWithin, featuresAt, isProspectAt } from './features.ts';
import { conversionProbability, fitConversionModel, type ConversionModelReport } from './model.ts';
import type { ConversionSettings } from './settings.ts';
import type { ProspectRecord } from './types.ts';

export interface ConversionBacktestResult {
  calibrationEnd: string;
  holdoutEnd: string;
  horizonDays: number;
  /** The model fitted on the calibration period, with its own cross-validated card. */
  fit: ConversionModelReport;
  /** Prospects at the calibration end and how many converted in the holdout. */
  prospects: number;
  converted: number;
  /** Share of the scored prospects who converted (what a base rate would have said is not a ranking). */
  holdoutRate: number | null;
  /** The share of training rows that converted: the base rate the model starts from. */
  trainingRate: number | null;
  meanPredicted: number | null;
  /** Holdout AUC (Hanley–McNeil SE), Brier score and calibration bins; null without prospects. AUC null without both outcomes. */
  holdout: ValidationSummary | null;
}

export function backtestConversion(history: readonly ProspectRecord[], settings: ConversionSettings, calibrationEndDay: number): ConversionBacktestResult {
  // Nothing after the calibration end reaches the fit: labels end by it (training.ts), features are as of the cut-offs.
  const fit = fitConversionModel(history, settings, calibrationEndDay);
  const prospects = history.filter((p) => isProspectAt(p, calibrationEndDay));
  const predicted = prospects.map((p) => conversionProbability(fit.model, featuresAt(p, calibrationEndDay)));
  const outcomes = prospects.map((p) => convertedWithin(p, calibrationEndDay, settings.horizonDays));
  const converted = outcomes.filter(Boolean).length;
  const n = prospects.length;
  return {
    calibrationEnd: isoDateOfDay(calibrationEndDay),
    holdoutEnd: isoDateOfDay(calibrationEndDay + settings.horizonDays),
    horizonDays: settings.horizonDays,
    fit,
    prospects: n,
    converted,
    holdoutRate: n > 0 ? converted / n : null,
    trainingRate: fit.model.rows > 0 ? fit.model.converted / fit.model.rows : null,
    meanPredicted: n > 0 ? predicted.reduce((s, p) => s + p, 0) / n : null,
    holdout: n > 0 ? summarise('holdout', null, predicted, outcomes, settings.calibrationBins) : null,
  };
}
