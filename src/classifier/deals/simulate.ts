/**
 * Seeded closed deals from a known logistic model, for recovery tests and benchmark data. Each deal's
 * MEDDIC levels follow a latent "qualification" (so elements are correlated, as in real pipelines), its
 * figures are log-normal (counts Poisson), some missing at random; won with probability
 * sigmoid(intercept + Σ effects). Pure: the same options give the same deals.
 */
import randu from '@stdlib/random-base-randu';
import { sigmoid } from '../math.ts';
import { MEDDIC_ELEMENTS, type ClosedDeal, type DealFigure, type MeddicElement, type MeddicLevel } from './types.ts';

export interface DealGeneratingModel {
  intercept: number;
  /** Log-odds added by each element's identified step and confirmed step (cumulative, as the model codes them). */
  meddic: Readonly<Record<MeddicElement, readonly [number, number]>>;
  /** Log-odds per unit of log(1 + figure). */
  figures: Readonly<Partial<Record<DealFigure, number>>>;
}

export interface SimulatedDeal {
  deal: ClosedDeal;
  /** The generating model's P(win). */
  trueProbability: number;
}

const FIGURE_SHAPE: Readonly<Record<DealFigure, { kind: 'lognormal'; median: number; sdLog: number } | { kind: 'poisson'; mean: number }>> = {
  ageDays: { kind: 'lognormal', median: 60, sdLog: 0.8 },
  amount: { kind: 'lognormal', median: 20_000, sdLog: 1.2 },
  daysInStage: { kind: 'lognormal', median: 14, sdLog: 0.9 },
  daysSinceActivity: { kind: 'lognormal', median: 6, sdLog: 1 },
  contacts: { kind: 'poisson', mean: 3 },
  ownerChanges: { kind: 'poisson', mean: 0.4 },
};

export interface DealSimulationOptions {
  model: DealGeneratingModel;
  deals: number;
  seed: number;
  /** Chance each figure is missing on a deal. */
  missingShare?: number;
}

export function linearPredictor(model: DealGeneratingModel, deal: ClosedDeal): number {
  let eta = model.intercept;
  for (const e of MEDDIC_ELEMENTS) {
    const level = deal.meddic[e] ?? 'unknown';
    if (level !== 'unknown') eta += model.meddic[e][0];
    if (level === 'confirmed') eta += model.meddic[e][1];
  }
  for (const [f, effect] of Object.entries(model.figures) as [DealFigure, number][]) {
    const v = deal[f];
    if (typeof v === 'number') eta += effect * Math.log1p(v);
  }
  return eta;
}

export function simulateClosedDeals(o: DealSimulationOptions): SimulatedDeal[] {
  const uniform = randu.factory({ seed: o.seed });
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const poisson = (mean: number): number => {
    let k = 0;
    let p = uniform();
    const limit = Math.exp(-mean);
    while (p > limit) {
      k++;
      p *= uniform();
    }
    return k;
  };
  const missing = o.missingShare ?? 0;
  const out: SimulatedDeal[] = [];
  for (let i = 0; i < o.deals; i++) {
    const qualification = normal();
    const meddic: Partial<Record<MeddicElement, MeddicLevel>> = {};
    for (const e of MEDDIC_ELEMENTS) {
      const z = 0.8 * qualification + 0.6 * normal();
      meddic[e] = z < -0.3 ? 'unknown' : z < 0.6 ? 'identified' : 'confirmed';
    }
    const deal: ClosedDeal = { meddic, won: false };
    for (const [f, shape] of Object.entries(FIGURE_SHAPE) as [DealFigure, (typeof FIGURE_SHAPE)[DealFigure]][]) {
      const value = shape.kind === 'poisson' ? poisson(shape.mean) : Math.round(shape.median * Math.exp(shape.sdLog * normal()));
      deal[f] = uniform() < missing ? null : value;
    }
    const trueProbability = sigmoid(linearPredictor(o.model, deal));
    deal.won = uniform() < trueProbability;
    out.push({ deal, trueProbability });
  }
  return out;
}
