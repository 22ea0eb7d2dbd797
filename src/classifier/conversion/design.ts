/**
 * The conversion model's design: a person's features as of a day as a row of raw columns (imputed and
 * standardised later by the deals model's buildColumns/standardise, the same rules).
 *
 * - The open deals' best and mean win probability enter as they are (0–1), one `missing` flag; counts and durations as log(1 + x) (skewed: a 900-day-old
 *   record must not outweigh everything). Each numeric factor has a `missing` indicator; a missing value
 *   is imputed with the training mean of those present.
 * - The lead source is one-hot over the `leadSourceTopK` most frequent sources among the training rows,
 *   plus `leadSource:other`; an unknown source is all zeros.
 */
import type { ConversionFactor, ProspectFeatures } from './types.ts';

type CountFactor = Exclude<ConversionFactor, 'leadSource' | 'winProbability'>;

const TRANSFORM: Readonly<Record<CountFactor, (v: number) => number>> = {
  openDeals: Math.log1p,
  daysSinceEngagement: Math.log1p,
  engagements: Math.log1p,
  recordAgeDays: Math.log1p,
};

export interface ConversionDesign {
  factors: ConversionFactor[];
  /** Lead sources with a column of their own, most frequent first. */
  leadSources: string[];
}

/** The `k` most frequent lead sources (ties: alphabetical, so the design is repeatable). */
export function topLeadSources(features: readonly ProspectFeatures[], k: number): string[] {
  const counts = new Map<string, number>();
  for (const f of features) if (f.leadSource !== null) counts.set(f.leadSource, (counts.get(f.leadSource) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, k)
    .map(([s]) => s);
}

export function designColumnNames(design: ConversionDesign): string[] {
  return design.factors.flatMap((f) =>
    f === 'leadSource'
      ? [...design.leadSources.map((s) => `leadSource:${s}`), 'leadSource:other']
      : f === 'winProbability'
        ? ['winProbability:best', 'winProbability:mean', 'winProbability:missing']
        : [f, `${f}:missing`],
  );
}

/** The factor a column belongs to (its name before the first colon). */
export function factorOfColumn(name: string): ConversionFactor {
  return name.split(':', 1)[0] as ConversionFactor;
}

export function designRow(features: ProspectFeatures, design: ConversionDesign): number[] {
  const row: number[] = [];
  for (const f of design.factors) {
    if (f === 'leadSource') {
      const source = features.leadSource;
      const own = source === null ? -1 : design.leadSources.indexOf(source);
      for (let i = 0; i < design.leadSources.length; i++) row.push(i === own ? 1 : 0);
      row.push(source !== null && own < 0 ? 1 : 0);
      continue;
    }
    if (f === 'winProbability') {
      const best = features.bestWinProbability;
      const mean = features.meanWinProbability;
      const present = best !== null && mean !== null;
      row.push(present ? best : NaN, present ? mean : NaN, present ? 0 : 1);
      continue;
    }
    const v = features[f];
    const present = v !== null && Number.isFinite(v) && v >= 0;
    row.push(present ? TRANSFORM[f](v) : NaN, present ? 0 : 1);
  }
  return row;
}
