/**
 * A person as of a day: whether they are a prospect then, whether they converted within the horizon
 * after it, and their features as known on that day. Nothing dated or read after the day is used (the
 * leakage rule): an engagement, deal or score that came later is unknown at the day, not "none", and
 * whether it is unknown must not depend on what came later either (types.ts, engagementReadings).
 */
import type { EngagementReading, ProspectDeal, ProspectFeatures, ProspectRecord } from './types.ts';

function known(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A prospect at `day`: no purchase on or before it, and the record existed by then (or its creation is unknown or not a number). */
export function isProspectAt(person: ProspectRecord, day: number): boolean {
  if (person.firstPurchaseDay !== null && person.firstPurchaseDay <= day) return false;
  return !known(person.createdDay) || person.createdDay <= day;
}

/** The outcome of a prospect at `day`: a first purchase in (day, day + horizonDays]. */
export function convertedWithin(person: ProspectRecord, day: number, horizonDays: number): boolean {
  const first = person.firstPurchaseDay;
  return first !== null && first > day && first <= day + horizonDays;
}

function openAt(deal: ProspectDeal, day: number): boolean {
  const closed = deal.closedDay;
  return deal.createdDay <= day && (!known(closed) || closed > day);
}

/** A deal's win probability as known at `day` (null: unknown then, or not a probability). */
function probabilityAt(deal: ProspectDeal, day: number): number | null {
  const p = deal.winProbability;
  if (!known(p) || p < 0 || p > 1) return null;
  return known(deal.scoredDay) && deal.scoredDay > day ? null : p;
}

/**
 * The latest engagement on or before `day`. Dated engagements give it exactly. Otherwise the latest
 * reading of the CRM's last engagement day taken on or before `day`; none: unknown.
 */
function lastEngagementAt(person: ProspectRecord, day: number): number | null {
  if (person.engagementDays) {
    let last: number | null = null;
    for (const d of person.engagementDays) if (known(d) && d <= day && (last === null || d > last)) last = d;
    return last;
  }
  let reading: EngagementReading | null = null;
  for (const r of person.engagementReadings ?? []) if (known(r.seenDay) && r.seenDay <= day && (reading === null || r.seenDay > reading.seenDay)) reading = r;
  const last = reading?.lastEngagementDay;
  return known(last) && last <= day ? last : null;
}

export function featuresAt(person: ProspectRecord, day: number): ProspectFeatures {
  let openDeals: number | null = null;
  let best: number | null = null;
  let mean: number | null = null;
  if (person.deals) {
    const open = person.deals.filter((d) => openAt(d, day));
    openDeals = open.length;
    const probabilities = open.map((d) => probabilityAt(d, day)).filter((p): p is number => p !== null);
    if (probabilities.length > 0) {
      best = Math.max(...probabilities);
      mean = probabilities.reduce((s, p) => s + p, 0) / probabilities.length;
    }
  }
  const last = lastEngagementAt(person, day);
  const created = person.createdDay;
  const source = person.leadSource?.trim();
  return {
    bestWinProbability: best,
    meanWinProbability: mean,
    openDeals,
    daysSinceEngagement: last === null ? null : day - last,
    engagements: person.engagementDays ? person.engagementDays.filter((d) => known(d) && d <= day).length : null,
    recordAgeDays: known(created) && created <= day ? day - created : null,
    leadSource: source ? source : null,
  };
}
