/**
 * One open deal scored: its MEDDIC score, win probability, biggest gap and next action. The biggest gap
 * is the element not yet confirmed whose confirmation raises the win probability most; under the
 * fallback (or where the fitted model sees no gain in any) the MEDDIC weights decide, i.e. the largest
 * gain in MEDDIC score. Ties go to the earlier element of the acronym.
 */
import { meddicGain, meddicScore } from './meddic.ts';
import type { DealModelSettings } from './settings.ts';
import { MEDDIC_ELEMENTS, levelOf, type DealInput, type MeddicElement } from './types.ts';
import { winProbability, type WinModel } from './winModel.ts';

export interface DealScore {
  /** 0–100. */
  meddicScore: number;
  /** 0–100, as the CRM field reads. */
  winProbability: number;
  /** null when every element is confirmed. */
  biggestGap: MeddicElement | null;
  /** Percentage points of win probability confirming the gap would add (0 when the weights decided). */
  gapGain: number;
  /** What decided the gap: the fitted model's gain, or the MEDDIC weights. */
  gapBasis: 'win_model' | 'meddic_weights' | null;
  nextAction: string;
  /** The fitted model, or the MEDDIC score standing in for it. */
  basis: WinModel['basis'];
  /** Where the win probability comes from, in words (the fallback says so and why). */
  label: string;
}

/** Where the win probability comes from, in words (the model card's line and each score's label). */
export function winModelLabel(model: WinModel): string {
  return model.basis === 'fitted'
    ? `win model fitted on ${model.closedDeals} closed deals of this installation`
    : `MEDDIC score as the win probability (fallback: ${model.reason})`;
}

function bestBy(candidates: readonly MeddicElement[], gain: (e: MeddicElement) => number): { element: MeddicElement; gain: number } {
  let best = { element: candidates[0], gain: gain(candidates[0]) };
  for (const e of candidates.slice(1)) {
    const g = gain(e);
    if (g > best.gain) best = { element: e, gain: g };
  }
  return best;
}

export function scoreOpenDeal(model: WinModel, deal: DealInput, settings: DealModelSettings): DealScore {
  const score = meddicScore(deal.meddic, settings.meddic);
  const probability = winProbability(model, deal, settings);
  const open = MEDDIC_ELEMENTS.filter((e) => levelOf(deal.meddic, e) !== 'confirmed');
  const base = { meddicScore: score, winProbability: 100 * probability, basis: model.basis, label: winModelLabel(model) };
  if (open.length === 0) return { ...base, biggestGap: null, gapGain: 0, gapBasis: null, nextAction: settings.nextActions.allConfirmed };
  if (model.basis === 'fitted') {
    const best = bestBy(open, (e) => winProbability(model, { ...deal, meddic: { ...deal.meddic, [e]: 'confirmed' } }, settings) - probability);
    if (best.gain > 0) return { ...base, biggestGap: best.element, gapGain: 100 * best.gain, gapBasis: 'win_model', nextAction: settings.nextActions[best.element] };
  }
  const element = bestBy(open, (e) => meddicGain(deal.meddic, e, settings.meddic)).element;
  return {
    ...base,
    biggestGap: element,
    gapGain: model.basis === 'meddic_fallback' ? meddicGain(deal.meddic, element, settings.meddic) : 0,
    gapBasis: 'meddic_weights',
    nextAction: settings.nextActions[element],
  };
}
