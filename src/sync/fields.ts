/** The fields the plugin writes, as the engine specifies them to every connector. */
import type { FieldSpec } from '../../connectors/contract/index.ts';
import { valueTierLabels } from '../classifier/segments.ts';
import type { ClassifierSettings } from '../classifier/settings.ts';
import { CHURN_BANDS, STAGES_IN_LIFECYCLE_ORDER, VALUE_TIERS } from '../classifier/types.ts';
import type { SyncSettings } from './settings.ts';

const MARK = 'Managed by Lifecycle Sync.';

export function fieldSpecs(classifier: ClassifierSettings, sync: SyncSettings): FieldSpec[] {
  const tierLabels = valueTierLabels(classifier.valueTiers);
  const currency = classifier.ltv.currency;
  return [
    {
      key: 'stage',
      label: 'Lifecycle stage',
      description: `${MARK} Where the customer is in the lifecycle, recomputed every run.`,
      type: 'enumeration',
      options: STAGES_IN_LIFECYCLE_ORDER.map((s) => ({ value: s, label: classifier.stages[s].label })),
    },
    { key: 'stageReason', label: 'Lifecycle stage reason', description: `${MARK} Why the customer is in this stage, in one sentence.`, type: 'text', maxLength: sync.maxReasonLength },
    { key: 'stageChangedAt', label: 'Lifecycle stage changed at', description: `${MARK} When the stage last changed.`, type: 'datetime' },
    { key: 'ltv', label: 'Lifetime value to date', description: `${MARK} Sum of won deals (${currency}).`, type: 'number', decimals: sync.rounding.moneyDecimals },
    {
      key: 'predictedClv',
      label: `Predicted CLV (${classifier.clv.horizonMonths} months)`,
      description: `${MARK} Expected discounted ${classifier.clv.grossMargin === null ? 'revenue' : 'profit'} over the next ${classifier.clv.horizonMonths} months (${currency}).`,
      type: 'number',
      decimals: sync.rounding.moneyDecimals,
    },
    { key: 'churnRisk', label: 'Churn risk (%)', description: `${MARK} 100 × (1 − probability the customer is still active).`, type: 'number', decimals: 0 },
    {
      key: 'churnRiskBand',
      label: 'Churn risk band',
      description: `${MARK} Low below ${classifier.churnRiskBands.mediumFrom} %, high from ${classifier.churnRiskBands.highFrom} %.`,
      type: 'enumeration',
      options: CHURN_BANDS.map((b) => ({ value: b, label: b[0].toUpperCase() + b.slice(1) })),
    },
    {
      key: 'valueTier',
      label: 'Value tier',
      description: `${MARK} Rank among customers by predicted CLV.`,
      type: 'enumeration',
      options: VALUE_TIERS.map((t) => ({ value: t, label: tierLabels[t] })),
    },
    { key: 'expectedPurchases', label: `Expected purchases (next ${classifier.expectedDays} days)`, description: `${MARK} Expected number of purchases.`, type: 'number', decimals: sync.rounding.expectedPurchasesDecimals },
    { key: 'nextAction', label: 'Next best action', description: `${MARK} Suggested action for the stage.`, type: 'text', maxLength: 1000 },
    { key: 'scoredAt', label: 'Lifecycle scored at', description: `${MARK} When these scores were computed.`, type: 'datetime' },
    {
      key: 'conversionLikelihood',
      label: 'Conversion likelihood (%)',
      description: `${MARK} Prospects only: chance of a first purchase within ${classifier.conversion.horizonDays} days; empty once the customer has bought.`,
      type: 'number',
      decimals: 0,
    },
  ];
}

/** How the field policy recognises a field the plugin created (it never alters others): its description starts with it. */
export const MANAGED_MARK = MARK;
