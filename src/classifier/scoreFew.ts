/**
 * A few customers scored between runs (a closed deal, a changed contact) with what their base's last
 * classification left: the transaction model at its parameters, the spend model, and the value tiers'
 * cut-offs. The same maths as classify.ts (the scorers, the spend values, scoreColumns' score), so the
 * next run, scoring the whole base with the same fit, agrees. Pure: plain data in, plain data out.
 */
import { FeatureTable } from './featureTable.ts';
import { scoreCustomer, type CustomerScore, type ScoreColumns } from './scoreColumns.ts';
import { tierOfKey, type TierCutoffs } from './segments.ts';
import type { ClassifierSettings } from './settings.ts';
import { gammaGammaValue, meanValues, type SpendReport } from './spendModel.ts';
import { reportScorer, type ModelReport } from './transactionModel.ts';
import type { CustomerFeatures } from './types.ts';

/** What one customer's score needs of its base besides the settings (stored with each scored run). */
export interface ScoringBasis {
  model: Pick<ModelReport, 'name' | 'params'>;
  /** Gamma-Gamma's parameters; null when the base's spend fell back to each customer's own mean. */
  spend: SpendReport['params'] | null;
  /** The fallback's value for a customer whose own mean is not positive (spendModel.ts baseMeanValue). */
  spendBaseMean: number;
  tiers: TierCutoffs;
}

export function scoreFew(features: readonly CustomerFeatures[], basis: ScoringBasis, o: { asOfDay: number; settings: ClassifierSettings }): CustomerScore[] {
  const { settings, asOfDay } = o;
  const table = FeatureTable.of(features);
  const purchasers = table.purchasers();
  const n = purchasers.frequency.length;
  const scorer = reportScorer(basis.model, settings);
  const pAlive = new Float64Array(n);
  const expectedPurchases = new Float64Array(n);
  const discounted = new Float64Array(n);
  const out = { pAlive: 0, expectedPurchases: 0, discountedPurchases: 0 };
  for (let j = 0; j < n; j++) {
    scorer.predict(purchasers.frequency[j], purchasers.recencyDays[j], purchasers.ageDays[j], out);
    pAlive[j] = out.pAlive;
    expectedPurchases[j] = out.expectedPurchases;
    discounted[j] = out.discountedPurchases;
  }
  const value = basis.spend ? gammaGammaValue(basis.spend, purchasers) : meanValues(purchasers, basis.spendBaseMean);
  const margin = settings.clv.grossMargin ?? 1;
  const clv = value.map((v, j) => margin * v * discounted[j]);
  const tiers = Uint8Array.from(clv, (c, j) => tierOfKey({ clv: c, ltv: purchasers.ltv[j], id: table.id(purchasers.rows[j]) }, basis.tiers));
  const columns: ScoreColumns = {
    asOfDay,
    settings,
    heuristic: basis.model.name === 'recency_heuristic',
    purchaserIndex: purchasers.index,
    pAlive,
    expectedPurchases,
    expectedValue: value,
    clv,
    tiers,
  };
  return Array.from({ length: table.size }, (_, i) => scoreCustomer(table.row(i), i, columns));
}
