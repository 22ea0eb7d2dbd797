/**
 * Prospects scored: their conversion likelihood and the strongest factor, the feature that moves the
 * person's log-odds most away from the average prospect's (columns are centred on the training mean,
 * so a factor's contribution is Σ coefficient × standardised value over its columns, zero at the
 * average). The consideration stage's reason names it ("open deal at 72 % win probability").
 */
import { factorOfColumn, designRow } from './design.ts';
import { standardise } from '../deals/design.ts';
import { featuresAt, isProspectAt } from './features.ts';
import { conversionProbability, type ConversionModel } from './model.ts';
import type { ConversionFactor, ProspectFeatures, ProspectRecord } from './types.ts';

export interface StrongestFactor {
  factor: ConversionFactor;
  /** Log-odds the factor adds to (positive) or takes from (negative) the average prospect's. */
  contribution: number;
  /** What the person has, in words ("last engaged 5 days ago"). */
  description: string;
}

export interface ProspectScore {
  id: string;
  /** 0–100, as the CRM field reads. */
  likelihood: number;
  /** Null under the fallback (nothing distinguishes one prospect from another) or when no factor moves it. */
  strongestFactor: StrongestFactor | null;
  basis: ConversionModel['basis'];
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const percent = (p: number): string => `${Math.round(100 * p)} %`;

export function describeFactor(factor: ConversionFactor, f: ProspectFeatures): string {
  switch (factor) {
    case 'winProbability':
      return f.bestWinProbability === null ? 'no open deal with a known win probability' : `open deal at ${percent(f.bestWinProbability)} win probability`;
    case 'openDeals':
      return f.openDeals === null ? 'deals unknown' : f.openDeals === 0 ? 'no open deal' : plural(f.openDeals, 'open deal');
    case 'daysSinceEngagement':
      return f.daysSinceEngagement === null ? 'no engagement known' : f.daysSinceEngagement === 0 ? 'engaged today' : `last engaged ${plural(f.daysSinceEngagement, 'day')} ago`;
    case 'engagements':
      return f.engagements === null ? 'engagement count unknown' : plural(f.engagements, 'engagement');
    case 'recordAgeDays':
      return f.recordAgeDays === null ? 'record age unknown' : `record ${plural(f.recordAgeDays, 'day')} old`;
    case 'leadSource':
      return f.leadSource === null ? 'lead source unknown' : `lead source: ${f.leadSource}`;
  }
}

/** Each factor's contribution to the log-odds above the average prospect (fitted models only). */
export function factorContributions(model: ConversionModel, features: ProspectFeatures): Map<ConversionFactor, number> {
  const out = new Map<ConversionFactor, number>();
  if (model.basis !== 'fitted') return out;
  const row = standardise(designRow(features, model.design), model.columns);
  model.columns.forEach((c, j) => {
    const factor = factorOfColumn(c.name);
    out.set(factor, (out.get(factor) ?? 0) + c.coefficient * row[j]);
  });
  return out;
}

/** Whether the person has a value for the factor (a missing value moves the odds too, but tells a rep nothing to act on). */
function knownFactor(factor: ConversionFactor, f: ProspectFeatures): boolean {
  switch (factor) {
    case 'winProbability':
      return f.bestWinProbability !== null;
    case 'openDeals':
      return f.openDeals !== null;
    case 'daysSinceEngagement':
      return f.daysSinceEngagement !== null;
    case 'engagements':
      return f.engagements !== null;
    case 'recordAgeDays':
      return f.recordAgeDays !== null;
    case 'leadSource':
      return f.leadSource !== null;
  }
}

/**
 * The factor with the largest contribution in size among those the person has a value for (ties: the
 * earlier factor of the design); null when no known factor moves the odds.
 */
export function strongestFactor(model: ConversionModel, features: ProspectFeatures): StrongestFactor | null {
  let best: { factor: ConversionFactor; contribution: number } | null = null;
  for (const [factor, contribution] of factorContributions(model, features)) {
    if (!knownFactor(factor, features)) continue;
    if (Math.abs(contribution) > 1e-12 && (best === null || Math.abs(contribution) > Math.abs(best.contribution))) best = { factor, contribution };
  }
  return best === null ? null : { ...best, description: describeFactor(best.factor, features) };
}

export function scoreFeatures(model: ConversionModel, id: string, features: ProspectFeatures): ProspectScore {
  return { id, likelihood: 100 * conversionProbability(model, features), strongestFactor: strongestFactor(model, features), basis: model.basis };
}

/** The people who are prospects at `asOfDay` (no purchase by then), scored with features as of it. */
export function scoreProspects(model: ConversionModel, people: readonly ProspectRecord[], asOfDay: number): ProspectScore[] {
  return people.filter((p) => isProspectAt(p, asOfDay)).map((p) => scoreFeatures(model, p.id, featuresAt(p, asOfDay)));
}
