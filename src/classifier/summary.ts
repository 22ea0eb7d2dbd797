/**
 * The base's summary: people per stage, churn type, churn-risk band and value tier, totals and means,
 * the Pareto check, and the installation-level LTV figures. Stages are decided without their reason
 * sentences (only the counts are needed).
 */
import type { FeatureTable } from './featureTable.ts';
import { LtvFiguresAccumulator, topShareOfTotal, type LtvFigures } from './figures.ts';
import type { ScoreColumns } from './scoreColumns.ts';
import { churnBand, churnRisk } from './segments.ts';
import { decideStage } from './stages.ts';
import { CHURN_BANDS, STAGES_IN_LIFECYCLE_ORDER, VALUE_TIERS, type ChurnBand, type ChurnType, type Stage, type ValueTier } from './types.ts';

export interface ClassificationSummary {
  customers: number;
  purchasers: number;
  prospects: number;
  stages: Record<Stage, number>;
  churnTypes: Record<ChurnType, number>;
  churnRiskBands: Record<ChurnBand, number>;
  valueTiers: Record<ValueTier, { customers: number; predictedClv: number; ltv: number; minClv: number | null }>;
  totals: { ltv: number; predictedClv: number; expectedPurchases: number };
  means: { pAlive: number | null; clv: number | null; ltv: number | null; churnRisk: number | null };
  pareto: { topShare: number; clvShare: number | null; ltvShare: number | null };
  ltvFigures: LtvFigures;
}

/** `purchaserLtv`: value to date per person with a purchase (the order of the purchaser columns). */
export function summarize(features: FeatureTable, c: ScoreColumns, purchaserLtv: Float64Array): ClassificationSummary {
  const { settings, asOfDay, heuristic } = c;
  const zero = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  const stages = zero(STAGES_IN_LIFECYCLE_ORDER);
  const churnTypes = zero(['natural', 'preventable'] as const);
  const churnRiskBands = zero(CHURN_BANDS);
  const valueTiers = Object.fromEntries(VALUE_TIERS.map((t) => [t, { customers: 0, predictedClv: 0, ltv: 0, minClv: null as number | null }])) as ClassificationSummary['valueTiers'];
  const figures = new LtvFiguresAccumulator(asOfDay, settings.ltv, settings.clv.grossMargin);
  let totalLtv = 0;
  for (let i = 0; i < features.size; i++) {
    const f = features.row(i);
    figures.add(f);
    const j = c.purchaserIndex[i];
    const decision = decideStage(f, { asOfDay, pAlive: j >= 0 ? c.pAlive[j] : null, heuristic, settings, withReason: false });
    stages[decision.stage]++;
    if (decision.churnType) churnTypes[decision.churnType]++;
    totalLtv += f.ltv;
  }
  const purchasers = c.pAlive.length;
  let totalClv = 0;
  let totalExpected = 0;
  let sumPAlive = 0;
  for (let j = 0; j < purchasers; j++) {
    churnRiskBands[churnBand(churnRisk(c.pAlive[j]), settings.churnRiskBands)]++;
    sumPAlive += c.pAlive[j];
    totalClv += c.clv[j];
    totalExpected += c.expectedPurchases[j];
    const tier = valueTiers[VALUE_TIERS[c.tiers[j]]];
    tier.customers++;
    tier.predictedClv += c.clv[j];
    tier.ltv += purchaserLtv[j];
    tier.minClv = tier.minClv === null ? c.clv[j] : Math.min(tier.minClv, c.clv[j]);
  }
  const mean = (sum: number) => (purchasers > 0 ? sum / purchasers : null);
  const people = features.size;
  return {
    customers: people,
    purchasers,
    prospects: people - purchasers,
    stages,
    churnTypes,
    churnRiskBands,
    valueTiers,
    totals: { ltv: totalLtv, predictedClv: totalClv, expectedPurchases: totalExpected },
    means: { pAlive: mean(sumPAlive), clv: mean(totalClv), ltv: mean(totalLtv), churnRisk: purchasers > 0 ? 100 * (1 - sumPAlive / purchasers) : null },
    pareto: {
      topShare: settings.valueTiers.topShare,
      // The top tier is the top share by CLV, so its total is the numerator.
      clvShare: totalClv > 0 ? valueTiers.top.predictedClv / totalClv : null,
      ltvShare: topShareOfTotal(purchaserLtv, settings.valueTiers.topShare),
    },
    ltvFigures: figures.result(),
  };
}
