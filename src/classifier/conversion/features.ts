/**
 * A person as of a day: whether they are a prospect then, whether they converted within the horizon
 * after it, and their features as known on that day. Nothing dated after the day is used (the leakage
 * rule): an engagement, deal or score the CRM dates later is unknown at the day, not "none".
 */
import type { ProspectDeal, ProspectFeatures, ProspectRecord } from './types.ts';

/** A prospect at `day`: no purchase on or before it, and the record existed by then (or its creation is unknown). */
export function isProspectAt(person: ProspectRecord, day: number): boolean {
  if (person.firstPurchaseDay !== null && person.firstPurchaseDay <= day) return false;
  const created = person.createdDay;
  return created === undefined || created === null || created <= day;
}

/** The outcome of a prospect at `day`: a first purchase in (day, day + horizonDays]. */
export function convertedWithin(person: ProspectRecord, day: number, horizonDays: number): boolean {
  const first = person.firstPurchaseDay;
  return first !== null && first > day && first <= day + horizonDays;
}

function known(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function openAt(deal: ProspectDeal, day: number): boolean {
  const created = deal.createdDay;
  const closed = deal.closedDay;
  return (!known(created) || created <= day) && (!known(closed) || closed > day);
}

/** A deal's win probability as known at `day` (null: unknown then, or not a probability). */
function probabilityAt(deal: ProspectDeal, day: number): number | null {
  const p = deal.winProbability;
  if (!known(p) || p < 0 || p > 1) return null;
  return known(deal.scoredDay) && deal.scoredDay > day ? null : p;
}

/**
 * The latest engagement on or before `day`. Dated engagements give it exactly. Otherwise only the
 * latest engagement day is kept, and one after `day` hides whatever came before: unknown.
 */
function lastEngagementAt(person: ProspectRecord, day: number): number | null {
  if (person.engagementDays) {
    let last: number | null = null;
    for (const d of person.engagementDays) if (known(d) && d <= day && (last === null || d > last)) last = d;
    if (last !== null) return last;
  }
  const latest = person.lastEngagementDay;
  return known(latest) && latest <= day ? latest : null;
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
