/**
 * The first purchase day of each person, from purchases in columns (the backtest's and the store's
 * PurchaseColumns), counted as the transaction models count purchases: a refund (negative amount) is
 * not a purchase, a zero amount is. The engine joins these onto its contacts to build ProspectRecords.
 */
import type { PurchaseColumns } from '../backtest.ts';

export function firstPurchaseDays(purchases: PurchaseColumns): Map<string, number> {
  const out = new Map<string, number>();
  purchases.ids.forEach((id, c) => {
    for (let i = purchases.offsets[c]; i < purchases.offsets[c + 1]; i++) {
      if (purchases.amounts[i] < 0) continue;
      const day = purchases.days[i];
      const known = out.get(id);
      if (known === undefined || day < known) out.set(id, day);
    }
  });
  return out;
}
