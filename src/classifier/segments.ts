/** Churn-risk bands and value tiers: how a score reads at a glance in the CRM. */
import type { ClassifierSettings } from './settings.ts';
import { VALUE_TIERS, type ChurnBand, type ValueTier } from './types.ts';

export function churnRisk(pAlive: number): number {
  return 100 * (1 - pAlive);
}

/**
 * The band of a churn risk as it is written and shown: a whole percent (src/sync/values.ts rounds it the
 * same way), so a contact never reads "50" beside "medium" when high starts at 50.
 */
export function churnBand(risk: number, bands: ClassifierSettings['churnRiskBands']): ChurnBand {
  const shown = Math.round(risk);
  if (shown >= bands.highFrom) return 'high';
  if (shown >= bands.mediumFrom) return 'medium';
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
 * Tiers by rank of predicted CLV, ties broken by value to date, then id, so the split is exact and
 * repeatable. Returns a tier per input position, as an index into VALUE_TIERS. The cut-off values come from a native numeric sort;
 * only customers tied at a cut-off need the slower three-key comparison.
 */
export function assignValueTiers(
  clv: Float64Array,
  ltv: Float64Array,
  /** Purchaser j's id (ties in CLV and value to date go by id). */
  idOf: (j: number) => string,
  tiers: ClassifierSettings['valueTiers'],
): Uint8Array {
  const n = clv.length;
  const topCount = Math.round(n * tiers.topShare);
  const upperCount = Math.round(n * (tiers.topShare + tiers.nextShare)); // top + middle
  const descending = Float64Array.from(clv).sort().reverse();
  const [TOP, MIDDLE, BOTTOM] = [VALUE_TIERS.indexOf('top'), VALUE_TIERS.indexOf('middle'), VALUE_TIERS.indexOf('bottom')];
  const result = new Uint8Array(n).fill(BOTTOM);
  // Customers strictly above a cut-off value are in; those equal to it compete for the remaining places.
  const place = (count: number, tier: number) => {
    if (count === 0) return;
    const cut = descending[count - 1];
    let above = 0;
    const tied: number[] = [];
    for (let i = 0; i < n; i++) {
      if (clv[i] > cut) above++;
      else if (clv[i] === cut) tied.push(i);
    }
    // Ids read once per tied customer, not once per comparison.
    const ids = new Map(tied.map((i) => [i, idOf(i)]));
    tied.sort((a, b) => {
      if (ltv[b] !== ltv[a]) return ltv[b] - ltv[a];
      const [ia, ib] = [ids.get(a) ?? '', ids.get(b) ?? ''];
      return ia < ib ? -1 : ia > ib ? 1 : 0;
    });
    for (let i = 0; i < n; i++) if (clv[i] > cut && result[i] === BOTTOM) result[i] = tier;
    for (let j = 0; j < count - above; j++) if (result[tied[j]] === BOTTOM) result[tied[j]] = tier;
  };
  place(topCount, TOP);
  place(upperCount, MIDDLE);
  return result;
}
