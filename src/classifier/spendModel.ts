/**
 * The spend model a base is scored with, and each purchaser's expected value per purchase: an earlier
 * Gamma-Gamma fit when one is given, else Gamma-Gamma fitted to this base's repeat buyers, else each
 * customer's own mean purchase-day value (or the base's mean for anyone whose own is not positive),
 * labelled as the fallback.
 */
import { fitSpendModel, type SpendFit } from './fit.ts';
import { conditionalExpectedValue, spendData } from './models/gammaGamma.ts';
import type { ClassifierSettings } from './settings.ts';
import type { PurchaserColumns } from './featureTable.ts';

export interface SpendReport extends SpendFit {
  populationMean: number;
}

export interface SpendOutcome {
  report: SpendReport | null;
  fallbackReason: string | null;
  /** Per purchaser: expected value per purchase. */
  expectedValue: Float64Array;
}

type SpendInput = Pick<PurchaserColumns, 'frequency' | 'monetary' | 'ltv' | 'purchaseDays'>;

/** A customer's expected value per purchase under Gamma-Gamma: their repeat purchases' mean, shrunk toward the population's. */
export function gammaGammaValue({ p, q, gamma }: SpendFit['params'], c: SpendInput): Float64Array {
  const params = [p, q, gamma];
  const out = new Float64Array(c.frequency.length);
  for (let j = 0; j < out.length; j++) {
    const x = c.frequency[j];
    const m = c.monetary[j];
    out[j] = conditionalExpectedValue(params, x, x > 0 && m > 0 ? m : 0);
  }
  return out;
}

export function fitSpend(c: SpendInput, settings: ClassifierSettings, standardErrors: boolean, reuse: SpendReport | null): SpendOutcome {
  if (reuse) return { report: reuse, fallbackReason: null, expectedValue: gammaGammaValue(reuse.params, c) };
  const n = c.frequency.length;
  const repeatX: number[] = [];
  const repeatM: number[] = [];
  for (let j = 0; j < n; j++) {
    if (c.frequency[j] > 0 && c.monetary[j] > 0 && Number.isFinite(c.monetary[j])) {
      repeatX.push(c.frequency[j]);
      repeatM.push(c.monetary[j]);
    }
  }
  const outcome = fitSpendModel(spendData(Float64Array.from(repeatX), Float64Array.from(repeatM)), settings.fit, { standardErrors });
  if (outcome.ok) {
    const { p, q, gamma } = outcome.fit.params;
    return { report: { ...outcome.fit, populationMean: (p * gamma) / (q - 1) }, fallbackReason: null, expectedValue: gammaGammaValue(outcome.fit.params, c) };
  }
  return { report: null, fallbackReason: `${outcome.reason}; using each customer's mean purchase value`, expectedValue: meanValues(c, baseMeanValue(c)) };
}

/** The base's mean value per purchase day (the fallback's value for customers whose own mean is not positive). */
export function baseMeanValue(c: SpendInput): number {
  let total = 0;
  let days = 0;
  for (let j = 0; j < c.ltv.length; j++) {
    total += c.ltv[j];
    days += c.purchaseDays[j];
  }
  return days > 0 && total > 0 ? total / days : 0;
}

/** The fallback's value per purchase: each customer's own mean purchase-day value, else the base's mean. */
export function meanValues(c: SpendInput, baseMean: number): Float64Array {
  const expectedValue = new Float64Array(c.ltv.length);
  for (let j = 0; j < expectedValue.length; j++) {
    const own = c.purchaseDays[j] > 0 ? c.ltv[j] / c.purchaseDays[j] : 0;
    expectedValue[j] = own > 0 ? own : baseMean;
  }
  return expectedValue;
}
