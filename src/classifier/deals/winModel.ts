/**
 * The win model of an installation: fitted on its closed deals (won vs lost) when it has enough of
 * them, else the MEDDIC score as the win probability, labelled with the reason. Plain data in and out:
 * the model is JSON the engine can store with the fit and reuse.
 */
import { buildColumns, columnNames, priorCoefficients, rawColumns, standardise, type FeatureColumn } from './design.ts';
import { fitLogistic, logisticProbability } from './logistic.ts';
import { meddicScore } from './meddic.ts';
import type { DealModelSettings } from './settings.ts';
import type { ClosedDeal, DealFigure, DealInput } from './types.ts';
import { stratifiedFolds, summarise, type ValidationSummary } from './validation.ts';

export interface FittedColumn extends FeatureColumn {
  /** Per standard deviation of the column (what the penalty sees). */
  coefficient: number;
  /** The prior mean per standard deviation. */
  prior: number;
  /** Per raw unit: coefficient / scale. */
  rawCoefficient: number;
}

export interface FittedWinModel {
  basis: 'fitted';
  figures: DealFigure[];
  /** Log-odds of a deal at every column's training mean. */
  intercept: number;
  columns: FittedColumn[];
  closedDeals: number;
  won: number;
  converged: boolean;
  iterations: number;
}

export interface FallbackWinModel {
  basis: 'meddic_fallback';
  /** Why nothing was fitted, in a sentence naming the setting. */
  reason: string;
  closedDeals: number;
  won: number;
}

export type WinModel = FittedWinModel | FallbackWinModel;

export interface WinModelReport {
  model: WinModel;
  /** Out-of-fold AUC and calibration of the fit, or the MEDDIC score's own on the closed deals; null without both outcomes. */
  validation: ValidationSummary | null;
}

function fallbackReason(closed: number, won: number, settings: DealModelSettings['winModel']): string | null {
  const lost = closed - won;
  if (closed < settings.minClosedDeals) {
    return `${closed} closed deal${closed === 1 ? '' : 's'}, fewer than classifier.deals.winModel.minClosedDeals (${settings.minClosedDeals}): the MEDDIC score is the win probability`;
  }
  if (Math.min(won, lost) < settings.minPerOutcome) {
    return `${won} won and ${lost} lost, fewer than classifier.deals.winModel.minPerOutcome (${settings.minPerOutcome}) of one: the MEDDIC score is the win probability`;
  }
  return null;
}

/** The penalised fit on some closed deals: columns standardised on exactly these deals. */
export function fitOn(deals: readonly ClosedDeal[], settings: DealModelSettings): FittedWinModel {
  const figures = [...settings.winModel.figures];
  const raw = deals.map((d) => rawColumns(d, figures));
  const priorRaw = priorCoefficients(settings, figures);
  const columns = buildColumns(raw, columnNames(figures), priorRaw);
  const rows = raw.map((r) => standardise(r, columns));
  const outcomes = deals.map((d) => d.won);
  const prior = Float64Array.from(columns, (c) => c.priorRaw * c.scale);
  const precision = 1 / settings.winModel.priorScale ** 2;
  const fit = fitLogistic({ rows, outcomes, prior, precision }, settings.winModel.maxIterations);
  return {
    basis: 'fitted',
    figures,
    intercept: fit.intercept,
    columns: columns.map((c, j) => ({ ...c, coefficient: fit.coefficients[j], prior: prior[j], rawCoefficient: fit.coefficients[j] / c.scale })),
    closedDeals: deals.length,
    won: outcomes.filter(Boolean).length,
    converged: fit.converged,
    iterations: fit.iterations,
  };
}

/** P(win) in [0, 1]. */
export function winProbability(model: WinModel, deal: DealInput, settings: DealModelSettings): number {
  if (model.basis === 'meddic_fallback') return meddicScore(deal.meddic, settings.meddic) / 100;
  const row = standardise(rawColumns(deal, model.figures), model.columns);
  return logisticProbability(
    model.intercept,
    model.columns.map((c) => c.coefficient),
    row,
  );
}

function crossValidate(deals: readonly ClosedDeal[], settings: DealModelSettings): ValidationSummary | null {
  const outcomes = deals.map((d) => d.won);
  const won = outcomes.filter(Boolean).length;
  const folds = Math.min(settings.winModel.crossValidationFolds, won, deals.length - won);
  if (folds < 2) return null;
  const fold = stratifiedFolds(outcomes, folds, settings.winModel.crossValidationSeed);
  const predicted = new Array<number>(deals.length).fill(0);
  for (let k = 0; k < folds; k++) {
    const model = fitOn(deals.filter((_, i) => fold[i] !== k), settings);
    deals.forEach((d, i) => {
      if (fold[i] === k) predicted[i] = winProbability(model, d, settings);
    });
  }
  return summarise('cross_validation', folds, predicted, outcomes, settings.winModel.calibrationBins);
}

/**
 * The installation's win model from its closed deals, with the model card's validation: the
 * cross-validated AUC and calibration of the fit, or, for the fallback, the MEDDIC score's own.
 */
export function fitWinModel(closedDeals: readonly ClosedDeal[], settings: DealModelSettings): WinModelReport {
  const won = closedDeals.filter((d) => d.won).length;
  const reason = fallbackReason(closedDeals.length, won, settings.winModel);
  if (reason !== null) {
    const both = won > 0 && won < closedDeals.length;
    const validation = both
      ? summarise('meddic_score', null, closedDeals.map((d) => meddicScore(d.meddic, settings.meddic) / 100), closedDeals.map((d) => d.won), settings.winModel.calibrationBins)
      : null;
    return { model: { basis: 'meddic_fallback', reason, closedDeals: closedDeals.length, won }, validation };
  }
  return { model: fitOn(closedDeals, settings), validation: crossValidate(closedDeals, settings) };
}
