/**
 * Closed deals for the fitted win path on a sandbox: MEDDIC levels and outcomes drawn from a known
 * generating model (src/classifier/deals/simulate.ts), closed on days spread over the last year, and open
 * deals across the qualification range. The sandbox tests write them as each CRM's records.
 */
import { MEDDIC_ELEMENTS, MEDDIC_INPUT_KEY, type DealFieldKey, type MeddicElement, type MeddicLevel } from '../connectors/contract/index.ts';
import { simulateClosedDeals, type DealGeneratingModel } from '../src/classifier/deals/simulate.ts';

/** Champion and economic buyer matter most; no CRM figure matters (the sandboxes' figures are not simulated). */
export const FIT_MODEL: DealGeneratingModel = {
  intercept: -1.6,
  meddic: {
    metrics: [0.3, 0.4],
    economicBuyer: [0.6, 0.7],
    decisionCriteria: [0.1, 0.2],
    decisionProcess: [0.2, 0.3],
    identifyPain: [0.3, 0.3],
    champion: [0.7, 0.8],
  },
  figures: {},
};

export interface FitDeal {
  won: boolean;
  /** Days before today it closed (1–360). */
  closedDaysAgo: number;
  amount: number;
  meddic: Partial<Record<MeddicElement, MeddicLevel>>;
}

export function closedFitDeals(count: number, seed = 7): FitDeal[] {
  return simulateClosedDeals({ model: FIT_MODEL, deals: count, seed }).map((s, i) => ({
    won: s.deal.won,
    closedDaysAgo: 1 + ((i * 37) % 360),
    amount: 1000 + ((i * 7919) % 20_000),
    meddic: s.deal.meddic,
  }));
}

/** Open deals: none, some, and all elements confirmed, and mixes between. */
export const OPEN_FIT_DEALS: readonly Partial<Record<MeddicElement, MeddicLevel>>[] = [
  {},
  { metrics: 'identified', identifyPain: 'identified' },
  { champion: 'confirmed', economicBuyer: 'identified' },
  { metrics: 'confirmed', decisionCriteria: 'confirmed', decisionProcess: 'confirmed', identifyPain: 'confirmed' },
  Object.fromEntries(MEDDIC_ELEMENTS.map((e) => [e, 'confirmed'])),
];

/** A deal's MEDDIC levels as CRM field values, by the connector's names of the input fields. */
export function meddicValues(names: Record<DealFieldKey, string>, meddic: Partial<Record<MeddicElement, MeddicLevel>>): Record<string, string> {
  return Object.fromEntries(MEDDIC_ELEMENTS.flatMap((e) => (meddic[e] === undefined ? [] : [[names[MEDDIC_INPUT_KEY[e]], meddic[e]]])));
}
