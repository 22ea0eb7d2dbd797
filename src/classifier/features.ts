/**
 * Per-customer features as of a day. Purchases on the same day count once (their amounts add up), the
 * first purchase day starts the customer's clock, and anything after the as-of day is ignored so that a
 * holdout period can be kept out.
 *
 * Refunds (negative amounts) are netted against the same customer's spend, as revenue reports net them:
 * a refund is not a purchase day (it says nothing about buying again), it lowers value to date and the
 * period's revenue, and one dated after the first purchase day lowers the repeat purchases' mean value
 * (the spend model's input). Every value is floored at 0, so no refund makes a customer worth less than
 * nothing. A zero amount is a purchase day (a free order is still an order) that adds no spend.
 */
import type { CustomerFeatures, CustomerInput, CustomerSignals, Purchase } from './types.ts';

const MS_PER_DAY = 86_400_000;

/** Whole UTC days since 1970-01-01 of a timestamp in milliseconds. */
export function dayOf(epochMs: number): number {
  return Math.floor(epochMs / MS_PER_DAY);
}

export function isoDateOfDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Features of a customer object (a CRM record, a test); `periodDays` sets the window of figures.ts. */
export function computeFeatures(customer: CustomerInput, asOfDay: number, periodDays: number): CustomerFeatures {
  const purchases = isSortedByDay(customer.purchases) ? customer.purchases : [...customer.purchases].sort((a, b) => a.day - b.day);
  const days = purchases.map((p) => p.day);
  const amounts = purchases.map((p) => p.amount);
  return featuresFromColumns(customer.id, days, amounts, 0, days.length, asOfDay, periodDays, customer);
}

/**
 * Features from purchases held in columns (positions start .. end-1, sorted by day), as the CSV reader
 * keeps them; purchases after the as-of day are ignored.
 */
export function featuresFromColumns(
  id: string,
  days: ArrayLike<number>,
  amounts: ArrayLike<number>,
  start: number,
  end: number,
  asOfDay: number,
  periodDays: number,
  signals: CustomerSignals = {},
): CustomerFeatures {
  const periodStart = asOfDay - periodDays; // the period is (periodStart, asOfDay]
  const previousStart = periodStart - periodDays;
  let purchaseDays = 0;
  let net = 0;
  let firstDayNet = 0;
  let firstDay: number | null = null;
  let lastDay: number | null = null;
  let revenueInPeriod = 0;
  let purchaseDaysInPeriod = 0;
  let purchasedInPreviousPeriod = false;
  for (let i = start; i < end; i++) {
    const day = days[i];
    if (day > asOfDay) break;
    const amount = amounts[i];
    net += amount;
    const inPeriod = day > periodStart;
    if (inPeriod) revenueInPeriod += amount;
    if (amount < 0) {
      // A refund on or before the first purchase day comes off the first purchase.
      if (firstDay === null || day === firstDay) firstDayNet += amount;
      continue;
    }
    if (!inPeriod && day > previousStart) purchasedInPreviousPeriod = true;
    if (day !== lastDay) {
      purchaseDays++;
      if (inPeriod) purchaseDaysInPeriod++;
      lastDay = day;
    }
    if (firstDay === null) firstDay = day;
    if (day === firstDay) firstDayNet += amount;
  }
  const frequency = Math.max(0, purchaseDays - 1);
  const engagement = signals.lastEngagementDay;
  return {
    id,
    openDeals: signals.openDeals ?? 0,
    lastEngagementDay: engagement !== undefined && engagement !== null && engagement <= asOfDay ? engagement : null,
    nps: signals.nps ?? null,
    referrals: signals.referrals ?? null,
    advocate: signals.advocate ?? false,
    churnFlag: signals.churnFlag ?? false,
    churnReason: signals.churnReason ?? null,
    purchaseDays,
    firstPurchaseDay: firstDay,
    lastPurchaseDay: lastDay,
    frequency,
    recencyDays: firstDay === null || lastDay === null ? 0 : lastDay - firstDay,
    ageDays: firstDay === null ? 0 : asOfDay - firstDay,
    monetary: frequency > 0 ? Math.max(0, net - firstDayNet) / frequency : 0,
    ltv: Math.max(0, net),
    revenueInPeriod: Math.max(0, revenueInPeriod),
    purchaseDaysInPeriod,
    purchasedInPreviousPeriod,
  };
}

function isSortedByDay(purchases: readonly Purchase[]): boolean {
  for (let i = 1; i < purchases.length; i++) if (purchases[i].day < purchases[i - 1].day) return false;
  return true;
}
