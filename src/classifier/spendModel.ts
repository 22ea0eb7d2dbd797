/**
 * The spend model a base is scored with, and each purchaser's expected value per purchase: an earlier
 * Gamma-Gamma fit when one is given, else Gamma-Gamma fitted to this base's repeat buyers, else each
 * customer's own mean purchase-day value (or the base's mean for anyone whose own is not positive),
 * labelled as the fallback.
 */
import { fitSpendModel, type SpendFit } from './fit.ts';
import { conditionalExpectedValue, spendData } from './models/gammaGamma.ts';
import type { ClassifierSettings } from './settings.ts';
import type { CustomerFeatures } from './types.ts';

export interface SpendReport extends SpendFit {
  populationMean: number;
}

export interface SpendOutcome {
  report: SpendReport | null;
  fallbackReason: string | null;
  expectedValue: (f: CustomerFeatures) => number;
}

/** A customer's expected value per purchase under Gamma-Gamma: their repeat purchases' mean, shrunk toward the population's. */
function gammaGammaValue({ p, q, gamma }: SpendFit['params']): (f: CustomerFeatures) => number {
  const params = [p, q, gamma];
  return (f) => conditionalExpectedValue(params, f.frequency, f.frequency > 0 && f.monetary > 0 ? f.monetary : 0);
}

export function fitSpend(purchasers: readonly CustomerFeatures[], settings: ClassifierSettings, standardErrors: boolean, reuse: SpendReport | null): SpendOutcome {
  if (reuse) return { report: reuse, fallbackReason: null, expectedValue: gammaGammaValue(reuse.params) };
  const repeat = purchasers.filter((f) => f.frequency > 0 && f.monetary > 0 && Number.isFinite(f.monetary));
  const outcome = fitSpendModel(
    spendData(Float64Array.from(repeat, (f) => f.frequency), Float64Array.from(repeat, (f) => f.monetary)),
    settings.fit,
    { standardErrors },
  );
  if (outcome.ok) {
    const { p, q, gamma } = outcome.fit.params;
    return { report: { ...outcome.fit, populationMean: (p * gamma) / (q - 1) }, fallbackReason: null, expectedValue: gammaGammaValue(outcome.fit.params) };
  }
  let total = 0;
  let days = 0;
  for (const f of purchasers) {
    total += f.ltv;
    days += f.purchaseDays;
  }
  const baseMean = days > 0 && total > 0 ? total / days : 0;
  return {
    report: null,
    fallbackReason: `${outcome.reason}; using each customer's mean purchase value`,
    expectedValue: (f) => {
      const own = f.purchaseDays > 0 ? f.ltv / f.purchaseDays : 0;
      return own > 0 ? own : baseMean;
    },
  };
}
