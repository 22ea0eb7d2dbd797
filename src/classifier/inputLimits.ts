/**
 * What counts as a plausible purchase, for every input path: the transactions CSV (src/io/csvRows.ts)
 * and the CRM's won deals (src/sync/planPhase.ts). A purchase dated in the future or before any real
 * data, or with an absurd amount, is a typo or a placeholder (9999-12-31, 1e308): it is reported and
 * skipped, so it can neither move the default as-of date nor overflow a sum. Pure: no clock, no I/O;
 * callers pass today.
 */
import { z } from 'zod';
import type { CustomerSignals } from '../../connectors/contract/index.ts';
import { isoDateOfDay } from './features.ts';

const MS_PER_DAY = 86_400_000;
/** Far below float overflow even summed over a billion purchases, far above any real order. */
const AMOUNT_CEILING = 1e15;

function dayOfIsoDate(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const ms = Date.parse(`${text}T00:00:00Z`);
  // Date.parse rolls 2024-02-30 over to March; a real date prints back the same.
  return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(text) ? Math.floor(ms / MS_PER_DAY) : null;
}

export const inputLimitsSchema = z
  .object({
    maxAmount: z.number().positive('must be a positive amount').max(AMOUNT_CEILING, `must be at most ${AMOUNT_CEILING} (sums of larger amounts lose precision)`),
    earliestDate: z.string().refine((s) => dayOfIsoDate(s) !== null, 'must be a date as YYYY-MM-DD'),
    futureToleranceDays: z.number().int('must be a whole number of days').min(0, 'must not be negative').max(31, 'must be at most 31'),
  })
  .strict();

export type InputLimits = z.infer<typeof inputLimitsSchema>;

/** The limits resolved for one day: purchase days firstDay..lastDay, amounts within ±maxAmount. */
export interface PurchaseRules {
  firstDay: number;
  lastDay: number;
  maxAmount: number;
}

export function purchaseRules(limits: InputLimits, today: number): PurchaseRules {
  const firstDay = dayOfIsoDate(limits.earliestDate);
  if (firstDay === null) throw new Error(`classifier.input.earliestDate is not a date: ${limits.earliestDate}`); // the schema checked it
  return { firstDay, lastDay: today + limits.futureToleranceDays, maxAmount: limits.maxAmount };
}

/** Why a purchase's day is implausible, or null. */
export function purchaseDayProblem(day: number, rules: PurchaseRules, what = 'date'): string | null {
  if (day > rules.lastDay) {
    return `${what} ${isoDateOfDay(day)} is in the future (the latest allowed is ${isoDateOfDay(rules.lastDay)}: today + classifier.input.futureToleranceDays)`;
  }
  if (day < rules.firstDay) return `${what} ${isoDateOfDay(day)} is before classifier.input.earliestDate (${isoDateOfDay(rules.firstDay)})`;
  return null;
}

/** Why an amount is implausible, or null. Negative amounts are refunds (see features.ts); the same bound applies. */
export function amountProblem(amount: number, rules: PurchaseRules, what = 'amount'): string | null {
  if (Number.isFinite(amount) && Math.abs(amount) <= rules.maxAmount) return null;
  return `${what} ${formatAmount(amount)} is beyond classifier.input.maxAmount (${formatAmount(rules.maxAmount)})`;
}

/** 1e308 rather than 1e+308, and whole numbers in full up to the safe range. */
function formatAmount(v: number): string {
  return Number.isSafeInteger(v) ? String(v) : String(v).replace('e+', 'e');
}

/**
 * Why scoring as of `asOfDay` is refused, or null: after the latest plausible day (every customer
 * would look lapsed), before the earliest date, or before the first purchase in the data (every
 * customer would look like a prospect).
 */
export function asOfProblem(asOfDay: number, rules: PurchaseRules, firstPurchaseDay: number | null): string | null {
  const first = Math.max(rules.firstDay, firstPurchaseDay ?? rules.firstDay);
  const range = `from ${isoDateOfDay(first)} to ${isoDateOfDay(rules.lastDay)}`;
  if (asOfDay > rules.lastDay) return `${isoDateOfDay(asOfDay)} is in the future: it must be ${range} (today + classifier.input.futureToleranceDays at the latest)`;
  if (asOfDay < rules.firstDay) return `${isoDateOfDay(asOfDay)} is before classifier.input.earliestDate: it must be ${range}`;
  if (firstPurchaseDay !== null && asOfDay < firstPurchaseDay) {
    return `${isoDateOfDay(asOfDay)} is before the first purchase (${isoDateOfDay(firstPurchaseDay)}), so every customer would be scored as a prospect: it must be ${range}`;
  }
  return null;
}

/**
 * A customer's signals with the implausible ones left out, and why: an NPS rating outside 0–10, a
 * number of referrals that is not a whole number from 0, an engagement dated in the future or before
 * the earliest date. The connectors read the CRM's values; judging them is here, once for every CRM.
 */
export function plausibleSignals(signals: CustomerSignals, rules: PurchaseRules): { signals: CustomerSignals; problems: string[] } {
  const out: CustomerSignals = { ...signals };
  const problems: string[] = [];
  if (out.nps !== undefined && out.nps !== null && !(Number.isFinite(out.nps) && out.nps >= 0 && out.nps <= 10)) {
    problems.push(`NPS ${out.nps} is not a rating from 0 to 10`);
    delete out.nps;
  }
  if (out.referrals !== undefined && out.referrals !== null && !(Number.isInteger(out.referrals) && out.referrals >= 0)) {
    problems.push(`${out.referrals} is not a number of referrals`);
    delete out.referrals;
  }
  if (out.lastEngagementDay !== undefined && out.lastEngagementDay !== null) {
    const problem = purchaseDayProblem(out.lastEngagementDay, rules, 'last engagement');
    if (problem !== null) {
      problems.push(problem);
      delete out.lastEngagementDay;
    }
  }
  return { signals: out, problems };
}
