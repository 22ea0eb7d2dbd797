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

/** A purchaser's place in the value ranking: CLV, then value to date (both descending), then id. */
export interface TierKey {
  clv: number;
  ltv: number;
  id: string;
}

/** The last customer (lowest ranked) of the top and of the middle tier; null when a tier is empty. */
export interface TierCutoffs {
  top: TierKey | null;
  middle: TierKey | null;
}

/** Whether `a` ranks at or before `b` (assignValueTiers' order). */
function ranksAtOrBefore(a: TierKey, b: TierKey): boolean {
  if (a.clv !== b.clv) return a.clv > b.clv;
  if (a.ltv !== b.ltv) return a.ltv > b.ltv;
  return a.id <= b.id;
}

/**
 * The cut-offs of tiers assigned by assignValueTiers: with them, one customer scored later gets the tier
 * its rank among the base would give it (the base's others held where they were).
 */
export function tierCutoffs(clv: Float64Array, ltv: Float64Array, idOf: (j: number) => string, tiers: Uint8Array): TierCutoffs {
  const last = (tier: number): TierKey | null => {
    let out: TierKey | null = null;
    for (let j = 0; j < tiers.length; j++) {
      if (tiers[j] !== tier) continue;
      // Ids are read only for customers tied with the lowest so far.
      if (out === null || clv[j] < out.clv || (clv[j] === out.clv && ltv[j] <= out.ltv)) {
        const key = { clv: clv[j], ltv: ltv[j], id: idOf(j) };
        if (out === null || !ranksAtOrBefore(key, out)) out = key;
      }
    }
    return out;
  };
  return { top: last(VALUE_TIERS.indexOf('top')), middle: last(VALUE_TIERS.indexOf('middle')) };
}

/** The tier of a customer's key against stored cut-offs, as an index into VALUE_TIERS. */
export function tierOfKey(key: TierKey, cutoffs: TierCutoffs): number {
  if (cutoffs.top && ranksAtOrBefore(key, cutoffs.top)) return VALUE_TIERS.indexOf('top');
  if (cutoffs.middle && ranksAtOrBefore(key, cutoffs.middle)) return VALUE_TIERS.indexOf('middle');
  return VALUE_TIERS.indexOf('bottom');
}
