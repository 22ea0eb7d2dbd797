/**
 * The plugin's fields as both sides see them: the keys and specifications the engine asks for, their
 * values in canonical form, and the field set-up's three steps — the connector reads what its CRM holds
 * (`FieldsState`), the engine decides what to do about it (`FieldPlan`: which fields are ours, what a
 * conflict means, options retired rather than deleted, src/sync/fieldPolicy.ts), the connector carries
 * the plan out.
 */

/** The fields the plugin writes, by CRM-agnostic key. */
export const FIELD_KEYS = [
  'stage',
  'stageReason',
  'stageChangedAt',
  'ltv',
  'predictedClv',
  'churnRisk',
  'churnRiskBand',
  'valueTier',
  'expectedPurchases',
  'nextAction',
  'scoredAt',
  'conversionLikelihood',
] as const;
export type FieldKey = (typeof FIELD_KEYS)[number];

/**
 * Which CRM object a field set lives on: the customer object (HubSpot contacts, Salesforce Contact or
 * Account) or the deal object (HubSpot deals, Salesforce Opportunity). The same specifications, states
 * and plans serve both, parameterised by the key type, so the engine's one field policy decides both.
 */
export type FieldObject = 'customer' | 'deal';

/** The six MEDDIC elements, in their usual order. */
export const MEDDIC_ELEMENTS = ['metrics', 'economicBuyer', 'decisionCriteria', 'decisionProcess', 'identifyPain', 'champion'] as const;
export type MeddicElement = (typeof MEDDIC_ELEMENTS)[number];

/** What a rep records of each element: the option values of the MEDDIC input fields. */
export const MEDDIC_LEVELS = ['unknown', 'identified', 'confirmed'] as const;
export type MeddicLevel = (typeof MEDDIC_LEVELS)[number];

/**
 * The deal fields a rep fills in (one enumeration per MEDDIC element). The plugin creates them unless
 * mapped to fields the team already has; it reads them and never writes a value to them.
 */
export const DEAL_INPUT_KEYS = ['meddicMetrics', 'meddicEconomicBuyer', 'meddicDecisionCriteria', 'meddicDecisionProcess', 'meddicIdentifyPain', 'meddicChampion'] as const;
export type DealInputKey = (typeof DEAL_INPUT_KEYS)[number];

/** The deal fields the plugin writes. */
export const DEAL_OUTPUT_KEYS = ['meddicScore', 'winProbability', 'biggestGap', 'dealNextAction', 'dealScoredAt'] as const;
export type DealOutputKey = (typeof DEAL_OUTPUT_KEYS)[number];

export const DEAL_FIELD_KEYS = [...DEAL_INPUT_KEYS, ...DEAL_OUTPUT_KEYS] as const;
export type DealFieldKey = DealInputKey | DealOutputKey;

/** The input field of each MEDDIC element. */
export const MEDDIC_INPUT_KEY: Record<MeddicElement, DealInputKey> = {
  metrics: 'meddicMetrics',
  economicBuyer: 'meddicEconomicBuyer',
  decisionCriteria: 'meddicDecisionCriteria',
  decisionProcess: 'meddicDecisionProcess',
  identifyPain: 'meddicIdentifyPain',
  champion: 'meddicChampion',
};

export function isDealInputKey(key: string): key is DealInputKey {
  return (DEAL_INPUT_KEYS as readonly string[]).includes(key);
}

export type FieldType = 'enumeration' | 'text' | 'number' | 'datetime';

/** What the engine wants a field to be; the connector maps it to its CRM's types and names. */
export interface FieldSpec<K extends string = FieldKey> {
  key: K;
  label: string;
  description: string;
  type: FieldType;
  /** Enumerations: the allowed values, in display order. */
  options?: { value: string; label: string }[];
  /** Text: the longest value the engine will write. */
  maxLength?: number;
  /** Numbers: the decimals the engine rounds to (CRMs with fixed-scale numbers size the field by it). */
  decimals?: number;
}

/**
 * Field values in canonical form: numbers as plain decimal strings ("12.5"), datetimes as ISO-8601 UTC
 * with milliseconds, enumerations as the option value, text as is; null means empty.
 */
export type FieldValues = Partial<Record<FieldKey, string | null>>;

/** The plugin's deal outputs in the same canonical form. */
export type DealFieldValues = Partial<Record<DealOutputKey, string | null>>;

export interface FieldsReport<K extends string = FieldKey> {
  /** Fields that exist with a compatible definition, by key, with their CRM name. */
  ok: { key: K; name: string }[];
  /** Fields created (or, in a dry run, that would be). */
  created: { key: K; name: string }[];
  /** Fields whose definition was (or would be) changed, e.g. new enumeration options. */
  updated: { key: K; name: string; change: string }[];
  /** Anything else the connector did or would do (a field group, a permission set). */
  other: string[];
}

/** An enumeration option as the CRM holds it: retired options stay (records may hold them), inactive. */
export interface FieldOption {
  value: string;
  label: string;
  active: boolean;
}

/** One of the plugin's fields as the CRM holds it now, read by the connector, judged by the engine. */
export interface ExistingField<K extends string = FieldKey> {
  key: K;
  /** The CRM's name for it. */
  name: string;
  /** The CRM's own type, for messages ("Picklist", "enumeration"). */
  crmType: string;
  /** Whether that type can hold the specification's type (the connector knows its CRM's types). */
  compatible: boolean;
  label: string;
  /** As stored: the engine recognises the fields it created by the ownership mark at its start. */
  description: string;
  /** Enumerations: every option, active or retired; empty for other types. */
  options: FieldOption[];
  /** Text: the longest value it takes; null when the CRM does not limit it. */
  maxLength: number | null;
  /** Numbers: the decimals it keeps; null when the CRM does not fix them. */
  decimals: number | null;
  /** The integration user can read it now (Salesforce field-level security; always true on HubSpot). */
  readable: boolean;
}

/** What the CRM holds of the plugin's fields, for the engine's field policy. */
export interface FieldsState<K extends string = FieldKey> {
  /** The CRM name of each field, and whether the admin mapped it to a field of their own (never altered). */
  names: Record<K, { name: string; mapped: boolean }>;
  /** The fields that exist, by key; absent ones are not in the CRM. */
  existing: Partial<Record<K, ExistingField<K>>>;
  /** The connector's own set-up still to do (a property group, a permission set), in words. */
  setup: string[];
  /** The CRM keeps labels cut to this many characters (null: no limit), so a cut label is not a change. */
  labelMaxLength: number | null;
  /**
   * The CRM already shows every field exactly as specified and usable (a cheap check some CRMs allow,
   * e.g. one Salesforce describe): nothing to plan, and `existing` may be left empty.
   */
  inPlace: boolean;
}

/** What the engine decided to do with the fields; the connector carries it out. */
export interface FieldPlan<K extends string = FieldKey> {
  create: { spec: FieldSpec<K>; name: string }[];
  /** The plugin's own fields brought to their specification; `options` is the whole list to set. */
  update: { spec: FieldSpec<K>; name: string; change: string; options: FieldOption[] }[];
  ok: { key: K; name: string }[];
  /** The connector's set-up steps (from FieldsState.setup) to carry out. */
  setup: string[];
  /** The text every description the plugin writes starts with (permission sets and groups carry it too). */
  ownershipMark: string;
}
