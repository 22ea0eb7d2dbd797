/**
 * Installation-level value figures from the source material: simple LTV (revenue in the period divided
 * by the customers who bought in it), retention-based LTV (average retention time times profit per
 * customer) and LTV:CAC when acquisition spend is configured; plus the Pareto check of how much of the
 * value the top fifth of customers holds.
 */
import type { ClassifierSettings } from './settings.ts';
import type { CustomerFeatures } from './types.ts';

export interface LtvFigures {
  periodDays: number;
  currency: string;
  revenueInPeriod: number;
  customersInPeriod: number;
  newCustomersInPeriod: number;
  purchasesInPeriod: number;
  averageOrderValue: number | null;
  purchasesPerCustomer: number | null;
  simpleLtv: number | null;
  /** Share of last period's buyers who bought again in this period. */
  retentionRate: number | null;
  /** 1 / (1 - retention rate), in periods, and in years. */
  averageRetentionPeriods: number | null;
  averageRetentionYears: number | null;
  grossMargin: number | null;
  profitPerCustomer: number | null;
  retentionLtv: number | null;
  acquisitionSpend: number | null;
  cac: number | null;
  ltvToCac: number | null;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

export class LtvFiguresAccumulator {
  private revenue = 0;
  private customers = 0;
  private newCustomers = 0;
  private purchases = 0;
  private previousBuyers = 0;
  private retained = 0;
  private readonly asOfDay: number;
  private readonly settings: ClassifierSettings['ltv'];
  private readonly grossMargin: number | null;

  constructor(asOfDay: number, settings: ClassifierSettings['ltv'], grossMargin: number | null) {
    this.asOfDay = asOfDay;
    this.settings = settings;
    this.grossMargin = grossMargin;
  }

  add(f: CustomerFeatures): void {
    this.revenue += f.revenueInPeriod;
    this.purchases += f.purchaseDaysInPeriod;
    if (f.purchaseDaysInPeriod > 0) this.customers++;
    if (f.firstPurchaseDay !== null && f.firstPurchaseDay > this.asOfDay - this.settings.periodDays) this.newCustomers++;
    if (f.purchasedInPreviousPeriod) {
      this.previousBuyers++;
      if (f.purchaseDaysInPeriod > 0) this.retained++;
    }
  }

  result(): LtvFigures {
    const simpleLtv = ratio(this.revenue, this.customers);
    const retentionRate = ratio(this.retained, this.previousBuyers);
    const averageRetentionPeriods = retentionRate === null || retentionRate >= 1 ? null : 1 / (1 - retentionRate);
    const profitPerCustomer = simpleLtv === null ? null : simpleLtv * (this.grossMargin ?? 1);
    const retentionLtv = averageRetentionPeriods === null || profitPerCustomer === null ? null : averageRetentionPeriods * profitPerCustomer;
    const spend = this.settings.acquisitionSpend;
    const cac = spend === null ? null : ratio(spend, this.newCustomers);
    return {
      periodDays: this.settings.periodDays,
      currency: this.settings.currency,
      revenueInPeriod: this.revenue,
      customersInPeriod: this.customers,
      newCustomersInPeriod: this.newCustomers,
      purchasesInPeriod: this.purchases,
      averageOrderValue: ratio(this.revenue, this.purchases),
      purchasesPerCustomer: ratio(this.purchases, this.customers),
      simpleLtv,
      retentionRate,
      averageRetentionPeriods,
      averageRetentionYears: averageRetentionPeriods === null ? null : (averageRetentionPeriods * this.settings.periodDays) / 365,
      grossMargin: this.grossMargin,
      profitPerCustomer,
      retentionLtv,
      acquisitionSpend: spend,
      cac,
      ltvToCac: retentionLtv === null || cac === null || cac === 0 ? null : retentionLtv / cac,
    };
  }
}

/** Share of the total held by the top `share` of values (e.g. the top 20 % of customers by CLV). */
export function topShareOfTotal(values: Float64Array, share: number): number | null {
  const sorted = Float64Array.from(values).sort().reverse();
  let total = 0;
  for (const v of sorted) total += v;
  if (!(total > 0)) return null;
  const k = Math.ceil(sorted.length * share);
  let top = 0;
  for (let i = 0; i < k; i++) top += sorted[i];
  return top / total;
}
