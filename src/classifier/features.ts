/**
 * Per-customer features as of a day. Purchases on the same day count once (their amounts add up), the
 * first purchase day starts the customer's clock, and anything after the as-of day is ignored so that a
 * holdout period can be kept out.
 */
import type { CustomerFeatures, CustomerInput, Purchase } from './types.ts';

const MS_PER_DAY = 86_400_000;

/** Whole UTC days since 1970-01-01 of a timestamp in milliseconds. */
export function dayOf(epochMs: number): number {
  return Math.floor(epochMs / MS_PER_DAY);
}

export function isoDateOfDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** `periodDays` sets the window of the installation-level LTV figures (see figures.ts). */
export function computeFeatures(customer: CustomerInput, asOfDay: number, periodDays: number): CustomerFeatures {
  const periodStart = asOfDay - periodDays; // the period is (periodStart, asOfDay]
  const previousStart = periodStart - periodDays;
  const purchases = customer.purchases.filter((p) => p.day <= asOfDay);
  if (!isSortedByDay(purchases)) purchases.sort((a, b) => a.day - b.day);
  let purchaseDays = 0;
  let ltv = 0;
  let firstDayTotal = 0;
  let firstDay: number | null = null;
  let lastDay: number | null = null;
  let revenueInPeriod = 0;
  let purchaseDaysInPeriod = 0;
  let purchasedInPreviousPeriod = false;
  for (const p of purchases) {
    ltv += p.amount;
    const inPeriod = p.day > periodStart;
    if (inPeriod) revenueInPeriod += p.amount;
    else if (p.day > previousStart) purchasedInPreviousPeriod = true;
    if (p.day !== lastDay) {
      purchaseDays++;
      if (inPeriod) purchaseDaysInPeriod++;
      lastDay = p.day;
    }
    if (firstDay === null) firstDay = p.day;
    if (p.day === firstDay) firstDayTotal += p.amount;
  }
  const frequency = Math.max(0, purchaseDays - 1);
  const engagement = customer.lastEngagementDay;
  return {
    id: customer.id,
    openDeals: customer.openDeals ?? 0,
    lastEngagementDay: engagement !== undefined && engagement !== null && engagement <= asOfDay ? engagement : null,
    nps: customer.nps ?? null,
    referrals: customer.referrals ?? null,
    advocate: customer.advocate ?? false,
    churnFlag: customer.churnFlag ?? false,
    churnReason: customer.churnReason ?? null,
    purchaseDays,
    firstPurchaseDay: firstDay,
    lastPurchaseDay: lastDay,
    frequency,
    recencyDays: firstDay === null || lastDay === null ? 0 : lastDay - firstDay,
    ageDays: firstDay === null ? 0 : asOfDay - firstDay,
    monetary: frequency > 0 ? (ltv - firstDayTotal) / frequency : 0,
    ltv,
    revenueInPeriod,
    purchaseDaysInPeriod,
    purchasedInPreviousPeriod,
  };
}

function isSortedByDay(purchases: readonly Purchase[]): boolean {
  for (let i = 1; i < purchases.length; i++) if (purchases[i].day < purchases[i - 1].day) return false;
  return true;
}
