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
] as const;
export type FieldKey = (typeof FIELD_KEYS)[number];

export type FieldType = 'enumeration' | 'text' | 'number' | 'datetime';

/** What the engine wants a field to be; the connector maps it to its CRM's types and names. */
export interface FieldSpec {
  key: FieldKey;
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

export interface FieldsReport {
  /** Fields that exist with a compatible definition, by key, with their CRM name. */
  ok: { key: FieldKey; name: string }[];
  /** Fields created (or, in a dry run, that would be). */
  created: { key: FieldKey; name: string }[];
  /** Fields whose definition was (or would be) changed, e.g. new enumeration options. */
  updated: { key: FieldKey; name: string; change: string }[];
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
export interface ExistingField {
  key: FieldKey;
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
export interface FieldsState {
  /** The CRM name of each field, and whether the admin mapped it to a field of their own (never altered). */
  names: Record<FieldKey, { name: string; mapped: boolean }>;
  /** The fields that exist, by key; absent ones are not in the CRM. */
  existing: Partial<Record<FieldKey, ExistingField>>;
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
export interface FieldPlan {
  create: { spec: FieldSpec; name: string }[];
  /** The plugin's own fields brought to their specification; `options` is the whole list to set. */
  update: { spec: FieldSpec; name: string; change: string; options: FieldOption[] }[];
  ok: { key: FieldKey; name: string }[];
  /** The connector's set-up steps (from FieldsState.setup) to carry out. */
  setup: string[];
  /** The text every description the plugin writes starts with (permission sets and groups carry it too). */
  ownershipMark: string;
}
