/**
 * The win model's design: each deal as a row of columns, imputed and standardised with the training
 * deals' means and scales.
 *
 * - MEDDIC, per element, two cumulative indicators: `identified` (identified or confirmed) and
 *   `confirmed`. The first coefficient is the step unknown → identified, the second identified →
 *   confirmed, so a prior of zero on a step means "this step adds nothing".
 * - Each CRM figure enters as log(1 + x) (durations, amounts and counts are skewed: a 900-day deal must not
 *   outweigh everything), with a `missing` indicator; a missing value is imputed with the training mean of
 *   those present. Negative or non-finite figures count as missing.
 * - Standardised: (x − mean) / sd over the training deals (population sd); a column that does not vary is
 *   only centred (scale 1), so it is zero in training and its coefficient stays at its prior.
 */
import { levelCredit } from './meddic.ts';
import type { DealModelSettings } from './settings.ts';
import { MEDDIC_ELEMENTS, levelOf, type DealFigure, type DealInput } from './types.ts';

export interface FeatureColumn {
  /** `champion:confirmed`, `amount`, `amount:missing`, … */
  name: string;
  /** Training mean in raw units; for a figure's value, of the deals that have it (the imputed value). */
  mean: number;
  /** Training standard deviation; 1 where the column does not vary. */
  scale: number;
  varies: boolean;
  /** Prior coefficient per raw unit (see priorCoefficients). */
  priorRaw: number;
}

/** A deal's raw columns: MEDDIC indicators, then each figure's log(1 + x) (NaN if missing) and missing flag. */
export function rawColumns(deal: DealInput, figures: readonly DealFigure[]): number[] {
  const row: number[] = [];
  for (const e of MEDDIC_ELEMENTS) {
    const level = levelOf(deal.meddic, e);
    row.push(level === 'unknown' ? 0 : 1, level === 'confirmed' ? 1 : 0);
  }
  for (const f of figures) {
    const v = deal[f];
    const present = typeof v === 'number' && Number.isFinite(v) && v >= 0;
    row.push(present ? Math.log1p(v) : NaN, present ? 0 : 1);
  }
  return row;
}

export function columnNames(figures: readonly DealFigure[]): string[] {
  return [...MEDDIC_ELEMENTS.flatMap((e) => [`${e}:identified`, `${e}:confirmed`]), ...figures.flatMap((f) => [f, `${f}:missing`])];
}

/**
 * The prior in raw units: logit P(win) = c + priorMeddicLogOdds × MEDDIC score / 100. With the
 * cumulative indicators this is exact: element e's identified step gets s·wₑ·credit/W, its confirmed
 * step s·wₑ·(1 − credit)/W. The figures' prior is zero.
 */
export function priorCoefficients(settings: DealModelSettings, figures: readonly DealFigure[]): number[] {
  const { weights } = settings.meddic;
  const total = MEDDIC_ELEMENTS.reduce((sum, e) => sum + weights[e], 0);
  const s = settings.winModel.priorMeddicLogOdds;
  const credit = levelCredit('identified', settings.meddic);
  return [...MEDDIC_ELEMENTS.flatMap((e) => [(s * weights[e] * credit) / total, (s * weights[e] * (1 - credit)) / total]), ...figures.flatMap(() => [0, 0])];
}

export function buildColumns(rows: readonly number[][], names: readonly string[], priorRaw: readonly number[]): FeatureColumn[] {
  return names.map((name, j) => {
    let sum = 0;
    let count = 0;
    for (const row of rows) {
      if (!Number.isNaN(row[j])) {
        sum += row[j];
        count++;
      }
    }
    const mean = count > 0 ? sum / count : 0;
    let squares = 0;
    for (const row of rows) {
      const d = (Number.isNaN(row[j]) ? mean : row[j]) - mean;
      squares += d * d;
    }
    const sd = rows.length > 0 ? Math.sqrt(squares / rows.length) : 0;
    const varies = sd > 1e-12;
    return { name, mean, scale: varies ? sd : 1, varies, priorRaw: priorRaw[j] };
  });
}

/** A raw row imputed and standardised by the columns. */
export function standardise(raw: readonly number[], columns: readonly FeatureColumn[]): Float64Array {
  const out = new Float64Array(columns.length);
  for (let j = 0; j < columns.length; j++) {
    const v = Number.isNaN(raw[j]) ? columns[j].mean : raw[j];
    out[j] = (v - columns[j].mean) / columns[j].scale;
  }
  return out;
}
