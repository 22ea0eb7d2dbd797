/**
 * People as the conversion model sees them: plain data, no CRM shapes. The engine maps a contact (its
 * first purchase, engagement, lead source, open deals with the deals model's win probabilities) to this.
 * Every input but the id and the first purchase day is optional; what is absent is a missing value.
 */

/**
 * A deal of the person, open from its created day until its closed day. The created day is required:
 * a deal of unknown date cannot be placed before or after a past cut-off, and guessing either way leaks.
 */
export interface ProspectDeal {
  createdDay: number;
  /** Day it closed (won or lost); null or absent: still open. */
  closedDay?: number | null;
  /** The deals model's win probability, 0–1; absent: unknown. */
  winProbability?: number | null;
  /**
   * Day that probability describes (the deal's "scored at"): at a cut-off before it the probability is
   * unknown (it may reflect what a rep learned later). Absent: taken as known whenever the deal was
   * open, which is right only for a probability that did not change while the deal was open.
   */
  scoredDay?: number | null;
}

/** What the CRM said the latest engagement day was, as read on `seenDay` (a sync). */
export interface EngagementReading {
  seenDay: number;
  /** Null: no engagement as of that reading. */
  lastEngagementDay: number | null;
}

export interface ProspectRecord {
  id: string;
  /** Day of the first purchase (refunds are not purchases), null if none yet. */
  firstPurchaseDay: number | null;
  /** Day the record was created; absent: taken as existing at every cut-off, its age unknown. */
  createdDay?: number | null;
  /**
   * Readings of the CRM's latest engagement day, each with the day it was read. The CRM keeps only the
   * latest day, so a value read after a past cut-off is unknown there, whatever its date (the leakage
   * rule, docs/model.md §11): its being after the cut-off, or its being before it (nothing since), is
   * itself news from after the cut-off. The engine passes today's reading; readings kept over syncs make
   * the factor learnable at later cut-offs.
   */
  engagementReadings?: readonly EngagementReading[] | null;
  /** Dated engagements (opens, visits, meetings…), where the CRM gives them; absent: counts unknown. */
  engagementDays?: readonly number[] | null;
  /** Lead source (categorical), absent: unknown. */
  leadSource?: string | null;
  /** The person's deals; absent: unknown, [] : none. */
  deals?: readonly ProspectDeal[] | null;
}

/**
 * The factors the model can use, in the order of the design; a factor groups its columns (the win
 * probability: the best and the mean of the open deals', one story for the reason).
 */
export const CONVERSION_FACTORS = ['winProbability', 'openDeals', 'daysSinceEngagement', 'engagements', 'recordAgeDays', 'leadSource'] as const;
export type ConversionFactor = (typeof CONVERSION_FACTORS)[number];

/** A person's features as of a day, each null when unknown at that day. */
export interface ProspectFeatures {
  bestWinProbability: number | null;
  meanWinProbability: number | null;
  openDeals: number | null;
  daysSinceEngagement: number | null;
  engagements: number | null;
  recordAgeDays: number | null;
  leadSource: string | null;
}
