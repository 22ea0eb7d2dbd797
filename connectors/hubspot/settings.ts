/** The HubSpot connector's settings (config/default.yaml `hubspot`). */
import { z } from 'zod';
import { DEAL_FIELD_KEYS, FIELD_KEYS, type ConnectorSection, type DealFieldKey, type FieldKey } from '../contract/index.ts';

/**
 * Which HubSpot API version the connector's batch calls use (docs/install-sources.md, "HubSpot API versions"):
 * the date-based versions through the SDK's generic request, or `legacy` for the SDK's own v3/v4 clients
 * (v4 associations lose support on 2027-03-30, v3 in September 2027). 2026-09 applies the portal's own
 * validation rules to writes; 2026-03 does not, which a portal whose rules refuse many records may want
 * until its admin has fixed them.
 */
export const HUBSPOT_API_VERSIONS = ['legacy', '2026-03', '2026-09'] as const;
export type HubSpotApiVersion = (typeof HUBSPOT_API_VERSIONS)[number];

const propertyName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a HubSpot property name (lowercase letters, digits, underscores)');

const settingsShape = {
  /** API base URL (HUBSPOT_BASE_URL overrides): the sandbox and tests point it elsewhere. */
  baseUrl: z.string().url('must be a URL'),
  /** Property names are this prefix plus the field's name (lcs_stage, lcs_ltv, ...). */
  fieldPrefix: propertyName,
  groupName: propertyName,
  groupLabel: z.string().min(1),
  /**
   * Map a field to an existing property you created yourself instead of a new one. The plugin then
   * writes to it but never changes its definition.
   */
  fieldNames: z.partialRecord(z.enum(FIELD_KEYS), propertyName),
  /**
   * The same for the deal properties (prefix + lcs_meddic_metrics, lcs_win_probability, ...): a MEDDIC
   * input mapped to a property the team already uses is read, never created or written.
   */
  dealFieldNames: z.partialRecord(z.enum(DEAL_FIELD_KEYS), propertyName).optional(),
  /**
   * Who the customers are: contacts (default), or companies (B2B: a company's purchases are the won deals
   * associated with it, and the plugin's properties are created on companies). `both` is the section's
   * only (hubspotSectionSchema): the host runs each object as its own installation (`customerScopes`).
   */
  customerObject: z.enum(['contacts', 'companies']),
  /** Properties of the customer object the classifier's signals come from (null = not used). */
  signals: z
    .object({
      engagement: z.array(propertyName),
      nps: propertyName.nullable(),
      referrals: propertyName.nullable(),
      advocate: propertyName.nullable(),
      churnFlag: propertyName.nullable(),
      churnReason: propertyName.nullable(),
      /** Where the person came from: hs_analytics_source (Original source) unless mapped to another property. */
      leadSource: propertyName.nullable(),
    })
    .strict(),
  /** Search requests per second allowed by HubSpot for the account. */
  searchPerSecond: z.number().positive(),
  apiVersion: z.enum(HUBSPOT_API_VERSIONS, { error: `must be one of ${HUBSPOT_API_VERSIONS.join(', ')}` }),
};

/** The settings one connector works with: one customer object. */
export const hubspotSettingsSchema = z.object(settingsShape).strict();

/**
 * The configuration's `hubspot:` section: the same, where `customerObject` may also be `both` (contacts
 * and companies scored apart, as two installations on one account: definition.ts `customerScopes`).
 */
export const hubspotSectionSchema = z
  .object({ ...settingsShape, customerObject: z.enum(['contacts', 'companies', 'both'], { error: 'must be contacts, companies or both' }) })
  .strict();

export type HubSpotSettings = z.infer<typeof hubspotSettingsSchema>;
export type HubSpotSectionSettings = z.infer<typeof hubspotSectionSchema>;
export type CustomerObject = HubSpotSettings['customerObject'];

/** Per customer object: the singular word, HubSpot's object type id, its last-modified property. */
export const CUSTOMER_OBJECTS: Record<CustomerObject, { singular: string; typeId: string; modified: string }> = {
  contacts: { singular: 'contact', typeId: '0-1', modified: 'lastmodifieddate' },
  companies: { singular: 'company', typeId: '0-2', modified: 'hs_lastmodifieddate' },
};

/** The `hubspot:` section of the configuration, as connectors/sections.ts lists it. */
export const hubspotSection: ConnectorSection = { name: 'hubspot', label: 'HubSpot', settingsSchema: hubspotSectionSchema };

/** Field name suffixes: lcs_ + these are the documented default property names. */
const SUFFIX: Record<FieldKey, string> = {
  stage: 'stage',
  stageReason: 'stage_reason',
  stageChangedAt: 'stage_changed_at',
  ltv: 'ltv',
  predictedClv: 'predicted_clv',
  churnRisk: 'churn_risk',
  churnRiskBand: 'churn_risk_band',
  valueTier: 'value_tier',
  expectedPurchases: 'expected_purchases_90d',
  nextAction: 'next_action',
  scoredAt: 'scored_at',
  conversionLikelihood: 'conversion_likelihood',
};

export function propertyNames(settings: Pick<HubSpotSettings, 'fieldNames' | 'fieldPrefix'>): Record<FieldKey, string> {
  return Object.fromEntries(FIELD_KEYS.map((k) => [k, settings.fieldNames[k] ?? `${settings.fieldPrefix}${SUFFIX[k]}`])) as Record<FieldKey, string>;
}

const DEAL_SUFFIX: Record<DealFieldKey, string> = {
  meddicMetrics: 'meddic_metrics',
  meddicEconomicBuyer: 'meddic_economic_buyer',
  meddicDecisionCriteria: 'meddic_decision_criteria',
  meddicDecisionProcess: 'meddic_decision_process',
  meddicIdentifyPain: 'meddic_identify_pain',
  meddicChampion: 'meddic_champion',
  meddicScore: 'meddic_score',
  winProbability: 'win_probability',
  biggestGap: 'biggest_gap',
  dealNextAction: 'deal_next_action',
  dealScoredAt: 'deal_scored_at',
};

/** The deal property of each deal field: mapped, or the prefix plus its documented suffix. */
export function dealPropertyNames(settings: Pick<HubSpotSettings, 'dealFieldNames' | 'fieldPrefix'>): Record<DealFieldKey, string> {
  const mapped = settings.dealFieldNames ?? {};
  return Object.fromEntries(DEAL_FIELD_KEYS.map((k) => [k, mapped[k] ?? `${settings.fieldPrefix}${DEAL_SUFFIX[k]}`])) as Record<DealFieldKey, string>;
}
