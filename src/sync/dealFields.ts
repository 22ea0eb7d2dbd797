/**
 * The deal (Opportunity) fields, as the engine specifies them to every connector: the six MEDDIC inputs
 * a rep fills in (the plugin creates them unless mapped, and never writes them) and the plugin's outputs.
 * They go through the same field policy as the customer fields (fieldPolicy.ts, `Connector.deals`).
 */
import { type DealFieldKey, type FieldSpec, MEDDIC_ELEMENTS, MEDDIC_INPUT_KEY, MEDDIC_LEVELS, type MeddicElement } from '../../connectors/contract/index.ts';
import { MANAGED_MARK } from './fields.ts';

export const MEDDIC_LABELS: Record<MeddicElement, string> = {
  metrics: 'Metrics',
  economicBuyer: 'Economic buyer',
  decisionCriteria: 'Decision criteria',
  decisionProcess: 'Decision process',
  identifyPain: 'Identify pain',
  champion: 'Champion',
};

const LEVEL_LABELS = { unknown: 'Unknown', identified: 'Identified', confirmed: 'Confirmed' } as const;

export function dealFieldSpecs(options: { nextActionMaxLength: number } = { nextActionMaxLength: 1000 }): FieldSpec<DealFieldKey>[] {
  const inputs: FieldSpec<DealFieldKey>[] = MEDDIC_ELEMENTS.map((e) => ({
    key: MEDDIC_INPUT_KEY[e],
    label: `MEDDIC: ${MEDDIC_LABELS[e]}`,
    description: `${MANAGED_MARK} Filled in by the rep: what is known of the ${MEDDIC_LABELS[e].toLowerCase()}. Read by the plugin, never written.`,
    type: 'enumeration',
    options: MEDDIC_LEVELS.map((l) => ({ value: l, label: LEVEL_LABELS[l] })),
  }));
  return [
    ...inputs,
    { key: 'meddicScore', label: 'MEDDIC score', description: `${MANAGED_MARK} Weighted completeness of the six MEDDIC elements, 0–100.`, type: 'number', decimals: 0 },
    { key: 'winProbability', label: 'Win probability (%)', description: `${MANAGED_MARK} Chance this deal is won, 0–100, from the installation's own closed deals.`, type: 'number', decimals: 0 },
    {
      key: 'biggestGap',
      label: 'Biggest MEDDIC gap',
      description: `${MANAGED_MARK} The element whose improvement raises the win probability most.`,
      type: 'enumeration',
      options: MEDDIC_ELEMENTS.map((e) => ({ value: e, label: MEDDIC_LABELS[e] })),
    },
    { key: 'dealNextAction', label: 'Deal next action', description: `${MANAGED_MARK} Suggested action for the biggest gap.`, type: 'text', maxLength: options.nextActionMaxLength },
    { key: 'dealScoredAt', label: 'Deal scored at', description: `${MANAGED_MARK} When these deal scores were computed.`, type: 'datetime' },
  ];
}

/** The deal outputs that are numbers (a plan's CSV keeps them numbers). */
export function dealNumberFields(): Set<DealFieldKey> {
  return new Set(dealFieldSpecs().filter((f) => f.type === 'number').map((f) => f.key));
}
