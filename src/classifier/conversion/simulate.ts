/**
 * Seeded histories of people from a known model of the time to first purchase, for recovery tests and
 * benchmark data. Each person is created on a uniform day, has a lead source, an engagement rate
 * (engagements a Poisson process from creation to the end), and maybe a deal open from creation until
 * they buy, with a win probability. Their daily hazard of a first purchase is constant, so the chance
 * of buying within `horizonDays` of any day they are still a prospect is the same:
 *
 *   P = 1 − exp(−exp(η)),  η = intercept + source effect + dealEffect · winProbability · [has deal]
 *                              + engagementEffect · log(rate / referenceRate).
 *
 * Pure: the same options give the same people.
 */
import randu from '@stdlib/random-base-randu';
import { sigmoid } from '../math.ts';
import type { ProspectRecord } from './types.ts';

export interface ConversionGeneratingModel {
  intercept: number;
  /** Log-odds-like effect per lead source; the sources are drawn with the given weights. */
  sources: Readonly<Record<string, { weight: number; effect: number }>>;
  /** Share of people with a deal, and the effect per unit of its win probability. */
  dealShare: number;
  dealEffect: number;
  /** Engagement rate per day: log-normal around referenceRate; effect per unit of log(rate / referenceRate). */
  referenceRate: number;
  rateSdLog: number;
  engagementEffect: number;
}

export interface SimulatedPerson {
  person: ProspectRecord;
  /** The generating model's chance of a first purchase within the horizon, from any day still a prospect. */
  trueProbability: number;
}

export interface ConversionSimulationOptions {
  model: ConversionGeneratingModel;
  people: number;
  /** People are created on days 0 .. endDay − 1; nothing is dated after endDay (the history's "now"). */
  endDay: number;
  horizonDays: number;
  seed: number;
  /** Keep the dated engagements (else only the latest engagement day read at the end, as most CRMs store). */
  datedEngagements: boolean;
}

export function simulateProspects(o: ConversionSimulationOptions): SimulatedPerson[] {
  const uniform = randu.factory({ seed: o.seed });
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const sources = Object.entries(o.model.sources);
  const totalWeight = sources.reduce((s, [, v]) => s + v.weight, 0);
  const out: SimulatedPerson[] = [];
  for (let i = 0; i < o.people; i++) {
    const createdDay = Math.floor(uniform() * o.endDay);
    let pick = uniform() * totalWeight;
    let source = sources[sources.length - 1];
    for (const s of sources) {
      pick -= s[1].weight;
      if (pick < 0) {
        source = s;
        break;
      }
    }
    const logRate = o.model.rateSdLog * normal();
    const rate = o.model.referenceRate * Math.exp(logRate);
    const hasDeal = uniform() < o.model.dealShare;
    const winProbability = sigmoid(-0.5 + 1.2 * normal());
    const eta = o.model.intercept + source[1].effect + (hasDeal ? o.model.dealEffect * winProbability : 0) + o.model.engagementEffect * logRate;
    const trueProbability = 1 - Math.exp(-Math.exp(eta));
    // Geometric whole days to the first purchase: P(more than k days) = exp(−h k), h = exp(η) / horizon.
    const hazard = Math.exp(eta) / o.horizonDays;
    const wait = Math.max(1, Math.ceil(-Math.log(1 - uniform()) / hazard));
    const firstPurchaseDay = createdDay + wait <= o.endDay ? createdDay + wait : null;
    const engagementDays: number[] = [];
    for (let t = createdDay - Math.log(1 - uniform()) / rate; t <= o.endDay; t -= Math.log(1 - uniform()) / rate) engagementDays.push(Math.floor(t));
    const person: ProspectRecord = {
      id: `p${i}`,
      firstPurchaseDay,
      createdDay,
      // As a CRM keeps it: the latest engagement day, read at the end.
      engagementReadings: [{ seenDay: o.endDay, lastEngagementDay: engagementDays.length > 0 ? engagementDays[engagementDays.length - 1] : null }],
      leadSource: source[0],
      deals: hasDeal ? [{ createdDay, closedDay: firstPurchaseDay, winProbability }] : [],
    };
    if (o.datedEngagements) person.engagementDays = engagementDays;
    out.push({ person, trueProbability });
  }
  return out;
}
