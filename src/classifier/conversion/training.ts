/**
 * The training set: the prospects as of past cut-offs, each labelled by whether their first purchase
 * fell within the horizon after it (a discrete-time view of the time to first purchase, Singer &
 * Willett 1993: one row per person and period at risk). The latest cut-off is `horizonDays` before the
 * as-of day, so every label is known by then; earlier ones follow every `cutoffSpacingDays` over
 * `trainingWindowDays`. Features are as of each cut-off (features.ts: nothing dated later).
 */
import { convertedWithin, featuresAt, isProspectAt } from './features.ts';
import type { ConversionSettings } from './settings.ts';
import type { ProspectFeatures, ProspectRecord } from './types.ts';

export interface TrainingRow {
  /** Index of the person in the history. */
  person: number;
  cutoffDay: number;
  features: ProspectFeatures;
  converted: boolean;
}

/** Past cut-offs, latest first; none when the history is shorter than the horizon. */
export function cutoffDays(asOfDay: number, settings: ConversionSettings): number[] {
  const latest = asOfDay - settings.horizonDays;
  const out: number[] = [];
  for (let c = latest; c >= latest - settings.trainingWindowDays; c -= settings.cutoffSpacingDays) out.push(c);
  return out;
}

export function trainingRows(history: readonly ProspectRecord[], asOfDay: number, settings: ConversionSettings): TrainingRow[] {
  const rows: TrainingRow[] = [];
  for (const cutoffDay of cutoffDays(asOfDay, settings)) {
    history.forEach((person, i) => {
      if (!isProspectAt(person, cutoffDay)) return;
      rows.push({ person: i, cutoffDay, features: featuresAt(person, cutoffDay), converted: convertedWithin(person, cutoffDay, settings.horizonDays) });
    });
  }
  return rows;
}
