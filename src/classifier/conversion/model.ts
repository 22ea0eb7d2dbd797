/**
 * The conversion model of an installation: the chance that a prospect makes a first purchase within
 * the horizon, from a regularised logistic regression (the deals model's, deals/logistic.ts) fitted on
 * the prospects as of past cut-offs (training.ts). Too few conversions (or non-conversions) to fit:
 * the share of past prospects who converted stands in, labelled; no past prospect at all: the
 * configured prior rate. Plain data in and out: the model is JSON the engine can store.
 */
import { buildColumns, standardise, type FeatureColumn } from '../deals/design.ts';
import { fitLogistic, logisticProbability } from '../deals/logistic.ts';
import { stratifiedFolds, summarise, type ValidationSummary } from '../deals/validation.ts';
import { designColumnNames, designRow, topLeadSources, type ConversionDesign } from './design.ts';
import type { ConversionSettings } from './settings.ts';
import { trainingRows, type TrainingRow } from './training.ts';
import type { ProspectFeatures, ProspectRecord } from './types.ts';

export interface ConversionColumn extends FeatureColumn {
  /** Per standard deviation of the column. */
  coefficient: number;
}

export interface FittedConversionModel {
  basis: 'fitted';
  horizonDays: number;
  design: ConversionDesign;
  /** Log-odds of a prospect at every column's training mean. */
  intercept: number;
  columns: ConversionColumn[];
  /** Training rows (prospect × cut-off), how many converted, and the distinct people among them. */
  rows: number;
  converted: number;
  people: number;
  cutoffs: number;
  converged: boolean;
  iterations: number;
}

export interface BaseRateConversionModel {
  basis: 'base_rate' | 'prior';
  horizonDays: number;
  /** The likelihood of everyone, 0–1. */
  rate: number;
  /** Why nothing was fitted, in a sentence naming the setting. */
  reason: string;
  rows: number;
  converted: number;
  people: number;
  cutoffs: number;
}

export type ConversionModel = FittedConversionModel | BaseRateConversionModel;

export interface ConversionModelReport {
  model: ConversionModel;
  /** Out-of-fold AUC (Hanley–McNeil SE) and calibration of the fit, by person; null for the fallback. */
  validation: ValidationSummary | null;
  /** The model card's one line. */
  label: string;
}

function counts(rows: readonly TrainingRow[]): { rows: number; converted: number; people: number; cutoffs: number } {
  return {
    rows: rows.length,
    converted: rows.filter((r) => r.converted).length,
    people: new Set(rows.map((r) => r.person)).size,
    cutoffs: new Set(rows.map((r) => r.cutoffDay)).size,
  };
}

function fallback(rows: readonly TrainingRow[], settings: ConversionSettings): BaseRateConversionModel | null {
  const c = counts(rows);
  const negatives = c.rows - c.converted;
  const horizonDays = settings.horizonDays;
  if (c.rows === 0) {
    return { basis: 'prior', horizonDays, rate: settings.priorRate, reason: 'no prospect at any past cut-off: the prior rate (classifier.conversion.priorRate) is the likelihood', ...c };
  }
  if (c.converted < settings.minPositives || negatives < settings.minNegatives) {
    const which = c.converted < settings.minPositives ? `${c.converted} converted, fewer than classifier.conversion.minPositives (${settings.minPositives})` : `${negatives} did not convert, fewer than classifier.conversion.minNegatives (${settings.minNegatives})`;
    return { basis: 'base_rate', horizonDays, rate: c.converted / c.rows, reason: `${which}: the share of past prospects who converted is the likelihood`, ...c };
  }
  return null;
}

/** The penalised fit on some training rows: lead sources and columns from exactly these rows. */
export function fitOnRows(rows: readonly TrainingRow[], settings: ConversionSettings): FittedConversionModel {
  const design: ConversionDesign = { factors: [...settings.factors], leadSources: settings.factors.includes('leadSource') ? topLeadSources(rows.map((r) => r.features), settings.leadSourceTopK) : [] };
  const raw = rows.map((r) => designRow(r.features, design));
  const names = designColumnNames(design);
  const columns = buildColumns(raw, names, new Array<number>(names.length).fill(0));
  const standardised = raw.map((r) => standardise(r, columns));
  const fit = fitLogistic({ rows: standardised, outcomes: rows.map((r) => r.converted), prior: new Float64Array(columns.length), precision: 1 / settings.priorScale ** 2 }, settings.maxIterations);
  return {
    basis: 'fitted',
    horizonDays: settings.horizonDays,
    design,
    intercept: fit.intercept,
    columns: columns.map((c, j) => ({ ...c, coefficient: fit.coefficients[j] })),
    ...counts(rows),
    converged: fit.converged,
    iterations: fit.iterations,
  };
}

/** P(first purchase within the horizon) of a person with these features, 0–1. */
export function conversionProbability(model: ConversionModel, features: ProspectFeatures): number {
  if (model.basis !== 'fitted') return model.rate;
  const row = standardise(designRow(features, model.design), model.columns);
  return logisticProbability(model.intercept, model.columns.map((c) => c.coefficient), row);
}

/**
 * Out-of-fold predictions with folds by person: a person's rows at several cut-offs are alike, so
 * they stay in one fold (stratified by whether the person ever converted) and never validate themselves.
 */
function crossValidate(rows: readonly TrainingRow[], settings: ConversionSettings): ValidationSummary | null {
  const people = [...new Set(rows.map((r) => r.person))];
  const everConverted = new Map<number, boolean>();
  for (const r of rows) everConverted.set(r.person, (everConverted.get(r.person) ?? false) || r.converted);
  const outcomes = people.map((p) => everConverted.get(p) ?? false);
  const positives = outcomes.filter(Boolean).length;
  const folds = Math.min(settings.crossValidationFolds, positives, people.length - positives);
  if (folds < 2) return null;
  const foldOfPerson = new Map<number, number>();
  stratifiedFolds(outcomes, folds, settings.crossValidationSeed).forEach((k, i) => foldOfPerson.set(people[i], k));
  const fold = rows.map((r) => foldOfPerson.get(r.person) ?? 0);
  const predicted = new Array<number>(rows.length).fill(0);
  for (let k = 0; k < folds; k++) {
    const train = rows.filter((_, i) => fold[i] !== k);
    if (!train.some((r) => r.converted) || train.every((r) => r.converted)) continue;
    const model = fitOnRows(train, settings);
    rows.forEach((r, i) => {
      if (fold[i] === k) predicted[i] = conversionProbability(model, r.features);
    });
  }
  return summarise('cross_validation', folds, predicted, rows.map((r) => r.converted), settings.calibrationBins);
}

export function conversionLabel(model: ConversionModel, validation: ValidationSummary | null): string {
  const horizon = `first purchase within ${model.horizonDays} days`;
  if (model.basis !== 'fitted') return `${(100 * model.rate).toFixed(1)} % chance of a ${horizon} for every prospect (fallback: ${model.reason})`;
  const auc = validation?.auc;
  const se = validation?.aucStandardError;
  const quality = typeof auc === 'number' ? `, cross-validated AUC ${auc.toFixed(2)}${typeof se === 'number' ? ` ± ${se.toFixed(2)}` : ''}` : '';
  return `chance of a ${horizon}, fitted on ${model.rows} past prospects at ${model.cutoffs} cut-offs (${model.converted} converted)${quality}`;
}

/**
 * The installation's conversion model as of `asOfDay`, trained on its own history up to that day, with
 * the model card (cross-validated AUC, calibration, label). Never refuses: the fallback is labelled.
 */
export function fitConversionModel(history: readonly ProspectRecord[], settings: ConversionSettings, asOfDay: number): ConversionModelReport {
  const rows = trainingRows(history, asOfDay, settings);
  const fb = fallback(rows, settings);
  if (fb !== null) return { model: fb, validation: null, label: conversionLabel(fb, null) };
  const model = fitOnRows(rows, settings);
  const validation = crossValidate(rows, settings);
  return { model, validation, label: conversionLabel(model, validation) };
}
