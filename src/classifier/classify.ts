/**
 * Classifies a customer base as of a day: fits the transaction and spend models over everyone (or
 * reuses a fit), then scores each customer (P(alive), churn risk, expected purchases, CLV), ranks value
 * tiers and applies the stage rules. Pure: plain data in, plain data out.
 */
import type { ModelSelection } from './autoModel.ts';
import { FeatureTable } from './featureTable.ts';
import { isoDateOfDay } from './features.ts';
import { scoreCustomer, type CustomerScore, type ScoreColumns } from './scoreColumns.ts';
import type { ScoringBasis } from './scoreFew.ts';
import { assignValueTiers, tierCutoffs } from './segments.ts';
import type { ClassifierSettings } from './settings.ts';
import { baseMeanValue, fitSpend, type SpendReport } from './spendModel.ts';
import { summarize, type ClassificationSummary } from './summary.ts';
import { fitAndPredict, type ModelReport } from './transactionModel.ts';
import type { CustomerFeatures, TimeUnit } from './types.ts';

export interface ClassificationResult {
  asOf: string;
  timeUnit: TimeUnit;
  model: ModelReport;
  spendModel: SpendReport | null;
  spendFallbackReason: string | null;
  summary: ClassificationSummary;
  /** Number of people classified, in input order. */
  size: number;
  /** Person i's scores and explanation, built on demand from the columns (scoreColumns.ts says why). */
  customer(i: number): CustomerScore;
  /** The columns behind `customer`: plain, cloneable data, so another thread can rebuild scores too. */
  columns: ScoreColumns;
  /** What scoring a few of these customers again later needs (scoreFew.ts): stored with the run's fit. */
  basis: ScoringBasis;
}

/** Every person's scores as objects: for small bases and tests. */
export function allCustomerScores(result: ClassificationResult): CustomerScore[] {
  return Array.from({ length: result.size }, (_, i) => result.customer(i));
}

export interface ClassifyOptions {
  asOfDay: number;
  settings: ClassifierSettings;
  /** Compute parameter standard errors (a few extra likelihood evaluations). */
  standardErrors?: boolean;
  /**
   * Score with an earlier fit instead of fitting this data: the sync engine refits on a cadence, so a
   * nightly run moves only the customers whose data moved. Ignored (and the data fitted) when it does
   * not match the configured model and time unit, or predicts non-finite values.
   */
  reuse?: { model: ModelReport; spendModel: SpendReport | null; timeUnit: TimeUnit } | null;
  /** Under `classifier.model: auto`: the caller's backtest choice (autoModel.ts selectModel), which needs the purchases themselves. */
  selection?: ModelSelection | null;
}

/** People's features as a table (the sync engine's and the CSV reader's bulk input) or a list (tests, small bases). */
export function classify(input: FeatureTable | readonly CustomerFeatures[], options: ClassifyOptions): ClassificationResult {
  const { settings, asOfDay } = options;
  const features = input instanceof FeatureTable ? input : FeatureTable.of(input);
  const standardErrors = options.standardErrors ?? false;
  const purchasers = features.purchasers();
  const spend = fitSpend(purchasers, settings, standardErrors, options.reuse?.spendModel ?? null);
  const { model, predictions } = fitAndPredict(purchasers, settings, standardErrors, options.reuse ?? null, options.selection ?? null);

  // CLV = margin × expected value per purchase × discounted expected purchases; the tiers rank it.
  const margin = settings.clv.grossMargin ?? 1;
  const value = spend.expectedValue;
  const clv = value.map((v, i) => margin * v * predictions.discountedPurchases[i]);
  const ltv = purchasers.ltv;
  const idOf = (j: number) => features.id(purchasers.rows[j]);
  const tiers = assignValueTiers(clv, ltv, idOf, settings.valueTiers);
  const columns: ScoreColumns = {
    asOfDay,
    settings,
    heuristic: model.name === 'recency_heuristic',
    purchaserIndex: purchasers.index,
    pAlive: predictions.pAlive,
    expectedPurchases: predictions.expectedPurchases,
    expectedValue: value,
    clv,
    tiers,
  };
  return {
    asOf: isoDateOfDay(asOfDay),
    timeUnit: settings.timeUnit,
    model,
    spendModel: spend.report,
    spendFallbackReason: spend.fallbackReason,
    summary: summarize(features, columns, ltv),
    size: features.size,
    customer: (i) => scoreCustomer(features.row(i), i, columns),
    columns,
    basis: {
      model: { name: model.name, params: model.params },
      spend: spend.report?.params ?? null,
      spendBaseMean: baseMeanValue(purchasers),
      tiers: tierCutoffs(clv, ltv, idOf, tiers),
    },
  };
}
