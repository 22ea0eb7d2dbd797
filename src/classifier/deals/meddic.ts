/**
 * The MEDDIC score: weighted completeness of the six elements, 0–100. A confirmed element earns its
 * whole weight, an identified one `identifiedCredit` of it (0.5 by default: the element is named but not
 * yet verified with the buyer), an unknown one nothing.
 */
import type { DealModelSettings } from './settings.ts';
import { MEDDIC_ELEMENTS, levelOf, type MeddicElement, type MeddicLevel, type MeddicLevels } from './types.ts';

type MeddicSettings = DealModelSettings['meddic'];

export function levelCredit(level: MeddicLevel, settings: MeddicSettings): number {
  return level === 'confirmed' ? 1 : level === 'identified' ? settings.identifiedCredit : 0;
}

function totalWeight(settings: MeddicSettings): number {
  return MEDDIC_ELEMENTS.reduce((sum, e) => sum + settings.weights[e], 0);
}

/** 100 × Σ weight × credit / Σ weight. */
export function meddicScore(levels: MeddicLevels, settings: MeddicSettings): number {
  const total = totalWeight(settings);
  const earned = MEDDIC_ELEMENTS.reduce((sum, e) => sum + settings.weights[e] * levelCredit(levelOf(levels, e), settings), 0);
  return (100 * earned) / total;
}

/** Points of MEDDIC score confirming `element` would add. */
export function meddicGain(levels: MeddicLevels, element: MeddicElement, settings: MeddicSettings): number {
  return (100 * settings.weights[element] * (1 - levelCredit(levelOf(levels, element), settings))) / totalWeight(settings);
}
