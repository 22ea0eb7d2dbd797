/** Churn-risk bands and value tiers: how a score reads at a glance in the CRM. */
import type { ClassifierSettings } from './settings.ts';
import type { ChurnBand, ValueTier } from './types.ts';

export function churnRisk(pAlive: number): number {
  return 100 * (1 - pAlive);
}

export function churnBand(risk: number, bands: ClassifierSettings['churnRiskBands']): ChurnBand {
  if (risk >= bands.highFrom) return 'high';
  if (risk >= bands.mediumFrom) return 'medium';
  return 'low';
}

export function valueTierLabels(tiers: ClassifierSettings['valueTiers']): Record<ValueTier, string> {
  const pct = (share: number) => `${Math.round(share * 1000) / 10} %`;
  return {
    top: `Top ${pct(tiers.topShare)}`,
    middle: `Next ${pct(tiers.nextShare)}`,
    bottom: `Bottom ${pct(1 - tiers.topShare - tiers.nextShare)}`,
  };
}

/**
 * Tiers by rank of predicted CLV (ties broken by value to date, then id, so the split is exact and
 * repeatable). Returns a tier per input position.
 */
export function assignValueTiers(
  clv: Float64Array,
  ltv: Float64Array,
  ids: readonly string[],
  tiers: ClassifierSettings['valueTiers'],
): ValueTier[] {
  const n = clv.length;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => clv[b] - clv[a] || ltv[b] - ltv[a] || (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
  const topCount = Math.round(n * tiers.topShare);
  const middleCount = Math.round(n * (tiers.topShare + tiers.nextShare)) - topCount;
  const result = new Array<ValueTier>(n);
  order.forEach((index, rank) => {
    result[index] = rank < topCount ? 'top' : rank < topCount + middleCount ? 'middle' : 'bottom';
  });
  return result;
}
