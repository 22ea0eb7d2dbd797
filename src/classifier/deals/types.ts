/**
 * Deals as the deal models see them: plain data, no CRM shapes. The engine maps a CRM's deal fields to
 * this (the MEDDIC enumerations, and whichever of the CRM's own figures it has).
 */

/** The six MEDDIC elements, in the order of the acronym (ties are broken in this order). */
export const MEDDIC_ELEMENTS = ['metrics', 'economicBuyer', 'decisionCriteria', 'decisionProcess', 'identifyPain', 'champion'] as const;
export type MeddicElement = (typeof MEDDIC_ELEMENTS)[number];

/** What a rep has established about one element. */
export const MEDDIC_LEVELS = ['unknown', 'identified', 'confirmed'] as const;
export type MeddicLevel = (typeof MEDDIC_LEVELS)[number];

/** An element left out is `unknown`. */
export type MeddicLevels = Readonly<Partial<Record<MeddicElement, MeddicLevel>>>;

/** The CRM's own figures the win model can use, each optional (null or absent: not known). */
export const DEAL_FIGURES = ['ageDays', 'amount', 'daysInStage', 'daysSinceActivity', 'contacts', 'ownerChanges'] as const;
export type DealFigure = (typeof DEAL_FIGURES)[number];

/**
 * One deal. For an open deal the figures are as of scoring; for a closed one they should be as of its
 * close (age at close, days since the last activity before the close), so both describe a deal in the
 * same position.
 */
export interface DealInput extends Partial<Record<DealFigure, number | null>> {
  meddic: MeddicLevels;
}

export interface ClosedDeal extends DealInput {
  won: boolean;
}

export function levelOf(levels: MeddicLevels, element: MeddicElement): MeddicLevel {
  return levels[element] ?? 'unknown';
}
