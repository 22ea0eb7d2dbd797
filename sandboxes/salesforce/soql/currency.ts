/**
 * Multi-currency conversion (S62): rates come from the CurrencyType records (units per one unit of the
 * corporate currency), so a rate changed through the API is used at once.
 */
import type { Store } from '../store.ts';

export interface CurrencyConverter {
  readonly corporate: string;
  /** Rate of an active currency, or undefined. */
  rate(iso: string): number | undefined;
  convert(amount: number, from: string, to: string): number;
  userCurrency(userId: string | null): string;
}

export function createCurrencyConverter(store: Store, corporate: string): CurrencyConverter {
  const rate = (iso: string): number | undefined => {
    const table = store.table('CurrencyType');
    for (let seq = 0; seq < table.size; seq++) {
      const r = table.at(seq);
      if (r !== undefined && r.IsoCode === iso && r.IsActive === true && typeof r.ConversionRate === 'number') return r.ConversionRate;
    }
    return undefined;
  };
  return {
    corporate,
    rate,
    convert(amount, from, to) {
      if (from === to) return amount;
      const a = rate(from) ?? 1;
      const b = rate(to) ?? 1;
      return Math.round((amount / a) * b * 100) / 100;
    },
    userCurrency(userId) {
      const user = userId === null ? undefined : store.table('User').get(userId);
      const iso = user?.DefaultCurrencyIsoCode;
      return typeof iso === 'string' ? iso : corporate;
    },
  };
}
