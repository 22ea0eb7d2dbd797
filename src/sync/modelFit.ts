/**
 * The model fit a run scores with. Refitting every night would move every customer's churn risk and
 * CLV a little whenever anyone buys (the parameters shift), so runs reuse the installation's last fit and
 * refit only on a full reconcile, when the fit is `refitDays` older than the scoring date, when scoring
 * before the data it saw (a backtest), or when the configured model changed (under `auto`, a fit made
 under auto is reused with the choice it made: the choice is revisited when the model is refitted). What is stored is validated
 * on the way in: it may come from an older version.
 */
import { z } from 'zod';
import type { ClassificationResult } from '../classifier/classify.ts';
import { dayOf, isoDateOfDay } from '../classifier/features.ts';
import type { ClassifierSettings } from '../classifier/settings.ts';
import type { SpendReport } from '../classifier/spendModel.ts';
import { reusableFor, type ModelReport } from '../classifier/transactionModel.ts';
import { MODEL_CHOICES, TRANSACTION_MODELS } from '../classifier/types.ts';
import type { Store } from '../store/types.ts';

const numbers = z.record(z.string(), z.number());
const score = z.number().nullable();
/** Auto's choice as the model card stores it (autoModel.ts ModelSelection); absent in fits of older versions. */
export const modelSelectionSchema = z.object({
  chosen: z.enum(TRANSACTION_MODELS),
  reason: z.string(),
  calibrationEnd: z.string().nullable(),
  holdoutEnd: z.string().nullable(),
  scores: z.array(z.object({ model: z.enum(TRANSACTION_MODELS), fitted: z.boolean(), mae: score, churnAuc: score, aggregateErrorPct: score })),
});
const modelReport = z.object({
  name: z.enum([...TRANSACTION_MODELS, 'recency_heuristic']),
  requested: z.enum(MODEL_CHOICES),
  params: numbers,
  logLikelihood: z.number().nullable(),
  converged: z.boolean(),
  iterations: z.number().nullable(),
  standardErrors: numbers.nullable(),
  fallbackReason: z.string().nullable(),
  customers: z.number(),
  repeatBuyers: z.number(),
  fitMs: z.number(),
  reused: z.boolean().default(false),
  selection: modelSelectionSchema.nullable().default(null),
  warnings: z.array(z.string()).default([]),
});
const spendReport = z.object({
  name: z.literal('gamma_gamma'),
  params: z.object({ p: z.number(), q: z.number(), gamma: z.number() }),
  logLikelihood: z.number(),
  converged: z.boolean(),
  customers: z.number(),
  standardErrors: numbers.nullable(),
  populationMean: z.number(),
});
const storedFit = z.object({
  asOf: z.string(),
  /** The as-of date of the data the parameters were fitted on (older than asOf when reused). */
  fittedAsOf: z.string().optional(),
  timeUnit: z.enum(['day', 'week']).optional(),
  model: modelReport,
  spendModel: spendReport.nullable(),
});

export interface FitToReuse {
  model: ModelReport;
  spendModel: SpendReport | null;
  timeUnit: ClassifierSettings['timeUnit'];
  fittedAsOf: string;
}

export async function fitToReuse(
  store: Store,
  installationId: string,
  o: { mode: 'full' | 'incremental'; asOfDay: number; refitDays: number; settings: ClassifierSettings },
): Promise<FitToReuse | null> {
  if (o.mode === 'full') return null;
  const latest = await store.latestModelFit(installationId);
  const parsed = storedFit.safeParse(latest?.fit);
  if (!parsed.success || !reusableFor(parsed.data.model, o.settings.model) || parsed.data.timeUnit !== o.settings.timeUnit) return null;
  const fittedAsOf = parsed.data.fittedAsOf ?? parsed.data.asOf;
  const age = o.asOfDay - dayOf(Date.parse(fittedAsOf));
  if (!(age >= 0 && age < o.refitDays)) return null;
  return { model: parsed.data.model, spendModel: parsed.data.spendModel, timeUnit: parsed.data.timeUnit, fittedAsOf };
}

/** What is stored after a run: the fit used, and for a reused one the date of the data it was fitted on. */
export function fitRecord(result: ClassificationResult, settings: ClassifierSettings, asOfDay: number, reused: FitToReuse | null, churnRiskHistogram: number[]) {
  return {
    churnRiskHistogram,
    asOf: isoDateOfDay(asOfDay),
    fittedAsOf: result.model.reused && reused ? reused.fittedAsOf : isoDateOfDay(asOfDay),
    timeUnit: settings.timeUnit,
    model: result.model,
    spendModel: result.spendModel,
    spendFallbackReason: result.spendFallbackReason,
    summary: result.summary,
    basis: result.basis,
  };
}
