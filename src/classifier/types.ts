/** Plain data in and out of the classifier. No I/O anywhere under src/classifier. */
import type { CustomerSignals } from '../../connectors/contract/index.ts';

/** Stage keys in the order the rules are evaluated (first match wins). */
export const STAGE_RULE_ORDER = [
  'churned',
  'at_risk',
  'advocacy',
  'loyalty',
  'retention',
  'purchase',
  'consideration',
  'awareness',
] as const;
export type Stage = (typeof STAGE_RULE_ORDER)[number];

/** Stage keys in lifecycle order, for display and the CRM's enumeration options. */
export const STAGES_IN_LIFECYCLE_ORDER: readonly Stage[] = [
  'awareness',
  'consideration',
  'purchase',
  'retention',
  'loyalty',
  'advocacy',
  'at_risk',
  'churned',
];

export type TimeUnit = 'day' | 'week';
export const UNIT_DAYS: Readonly<Record<TimeUnit, number>> = { day: 1, week: 7 };
/** lifetimes' month lengths per time unit, used to step the CLV horizon month by month. */
export const UNITS_PER_MONTH: Readonly<Record<TimeUnit, number>> = { day: 30, week: 4.345 };

export const TRANSACTION_MODELS = ['pareto_nbd', 'bg_nbd', 'mbg_nbd'] as const;
export type TransactionModelName = (typeof TRANSACTION_MODELS)[number];
export type ModelName = TransactionModelName | 'recency_heuristic';
/** What `classifier.model` may say: a model, or `auto` (the best holdout score, autoModel.ts). */
export const MODEL_CHOICES = [...TRANSACTION_MODELS, 'auto'] as const;
export type ModelChoice = (typeof MODEL_CHOICES)[number];

export const VALUE_TIERS = ['top', 'middle', 'bottom'] as const;
export type ValueTier = (typeof VALUE_TIERS)[number];
export const CHURN_BANDS = ['low', 'medium', 'high'] as const;
export type ChurnBand = (typeof CHURN_BANDS)[number];
export type ChurnType = 'natural' | 'preventable';

/** A won deal. `day` counts whole UTC days since 1970-01-01, so purchases on one day merge. */
export interface Purchase {
  day: number;
  amount: number;
}

/** What the CRM knows about a person besides purchases (all optional): declared by the connector contract. */
export type { CustomerSignals } from '../../connectors/contract/index.ts';

export interface CustomerInput extends CustomerSignals {
  id: string;
  purchases: readonly Purchase[];
}

/** Per-customer features as of a day; times are in days here and converted to the model's unit on use. */
export interface CustomerFeatures extends CustomerSignals {
  id: string;
  /** Distinct purchase days up to and including the as-of day. */
  purchaseDays: number;
  firstPurchaseDay: number | null;
  lastPurchaseDay: number | null;
  /** x: repeat purchase days. */
  frequency: number;
  /** t_x in days: last minus first purchase day. */
  recencyDays: number;
  /** T in days: as-of minus first purchase day. */
  ageDays: number;
  /** Mean amount of the repeat purchase days (first day excluded); 0 without repeats. */
  monetary: number;
  /** Sum of all purchase amounts up to the as-of day. */
  ltv: number;
  /** For the installation-level figures: revenue and purchase days in the period ending at the as-of day. */
  revenueInPeriod: number;
  purchaseDaysInPeriod: number;
  /** A purchase in the period before that one (to measure retention). */
  purchasedInPreviousPeriod: boolean;
}

export type Params = Readonly<Record<string, number>>;
