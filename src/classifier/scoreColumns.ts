/**
 * A classified base's scores, kept in columns, and one person's score built from them on demand: a
 * million long-lived objects (with a sentence each) would dominate memory and garbage-collection time.
 * The columns are plain, cloneable data, so another thread (the result writer's) rebuilds scores too.
 */
import { churnBand, churnRisk } from './segments.ts';
import type { ClassifierSettings } from './settings.ts';
import { decideStage } from './stages.ts';
import { UNIT_DAYS, VALUE_TIERS, type ChurnBand, type ChurnType, type CustomerFeatures, type Stage, type ValueTier } from './types.ts';

export interface CustomerScore {
  customerId: string;
  stage: Stage;
  churnType: ChurnType | null;
  reason: string;
  /** The reason without the stage it leads to (its part before the arrow). */
  reasonDetail: string;
  nextAction: string;
  /** Distinct purchase days. */
  purchases: number;
  /** x, t_x and T in the model's time unit (0 for people without a purchase). */
  frequency: number;
  recency: number;
  T: number;
  daysSinceLastPurchase: number | null;
  pAlive: number | null;
  churnRisk: number | null;
  churnRiskBand: ChurnBand | null;
  expectedPurchases: number | null;
  expectedAverageValue: number | null;
  clv: number | null;
  ltv: number;
  valueTier: ValueTier | null;
}

/** Everything a score is made of besides the person's features. */
export interface ScoreColumns {
  asOfDay: number;
  settings: ClassifierSettings;
  /** The P(alive) values come from the recency heuristic (said so in every reason). */
  heuristic: boolean;
  /** Per person: index among the people with a purchase, or -1. */
  purchaserIndex: Int32Array;
  /** Per person with a purchase: */
  pAlive: Float64Array;
  expectedPurchases: Float64Array;
  expectedValue: Float64Array;
  clv: Float64Array;
  /** Index into VALUE_TIERS. */
  tiers: Uint8Array;
}

/** Person i's score from their features and the columns. */
export function scoreCustomer(f: CustomerFeatures, i: number, c: ScoreColumns): CustomerScore {
  const { settings, asOfDay } = c;
  const unitDays = UNIT_DAYS[settings.timeUnit];
  const j = c.purchaserIndex[i];
  const pAlive = j >= 0 ? c.pAlive[j] : null;
  const decision = decideStage(f, { asOfDay, pAlive, heuristic: c.heuristic, settings });
  const risk = pAlive === null ? null : churnRisk(pAlive);
  return {
    customerId: f.id,
    stage: decision.stage,
    churnType: decision.churnType,
    reason: decision.reason,
    reasonDetail: decision.detail,
    nextAction: settings.stages[decision.stage].nextAction,
    purchases: f.purchaseDays,
    frequency: f.frequency,
    recency: f.recencyDays / unitDays,
    T: f.ageDays / unitDays,
    daysSinceLastPurchase: f.lastPurchaseDay === null ? null : asOfDay - f.lastPurchaseDay,
    pAlive,
    churnRisk: risk,
    churnRiskBand: risk === null ? null : churnBand(risk, settings.churnRiskBands),
    expectedPurchases: j >= 0 ? c.expectedPurchases[j] : null,
    expectedAverageValue: j >= 0 ? c.expectedValue[j] : null,
    clv: j >= 0 ? c.clv[j] : null,
    ltv: f.ltv,
    valueTier: j >= 0 ? VALUE_TIERS[c.tiers[j]] : null,
  };
}
