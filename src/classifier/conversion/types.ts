/**
 * People as the conversion model sees them: plain data, no CRM shapes. The engine maps a contact (its
 * first purchase, engagement, lead source, open deals with the deals model's win probabilities) to this.
 * Every input but the id and the first purchase day is optional; what is absent is a missing value.
 */

/** A deal of the person, open between its created and closed days. */
export interface ProspectDeal {
  /** Day the deal was created; absent: taken as open since before any cut-off. */
  createdDay?: number | null;
  /** Day it closed (won or lost); null or absent: still open. */
  closedDay?: number | null;
  /** The deals model's win probability, 0–1; absent: unknown. */
  winProbability?: number | null;
  /**
   * Day that probability describes (the deal's "scored at"). At a cut-off before it the probability is
   * unknown (it may reflect what a rep learned later); absent: taken as known whenever the deal was open.
   */
  scoredDay?: number | null;
}

export interface ProspectRecord {
  id: string;
  /** Day of the first purchase (refunds are not purchases), null if none yet. */
  firstPurchaseDay: number | null;
  /** Day the record was created; absent: taken as existing at every cut-off, its age unknown. */
  createdDay?: number | null;
  /**
   * The latest engagement day the CRM keeps. Only the latest is kept, so at a past cut-off c a value
   * after c says nothing about the engagement as of c: it is unknown there (the leakage rule).
   */
  lastEngagementDay?: number | null;
  /** Dated engagements (opens, visits, meetings…), where the CRM gives them; absent: counts unknown. */
  engagementDays?: readonly number[] | null;
  /** Lead source (categorical), absent: unknown. */
  leadSource?: string | null;
  /** The person's deals; absent: unknown, [] : none. */
  deals?: readonly ProspectDeal[] | null;
}

/** Each feature the model can use, in the order of the design (a factor groups its columns). */
export const CONVERSION_FACTORS = ['bestWinProbability', 'meanWinProbability', 'openDeals', 'daysSinceEngagement', 'engagements', 'recordAgeDays', 'leadSource'] as const;
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
