/** The Salesforce connector's settings (config/default.yaml `salesforce`). */
import { z } from 'zod';
import { DEAL_FIELD_KEYS, FIELD_KEYS, type ConnectorSection, type DealFieldKey, type FieldKey } from '../contract/index.ts';

/** An API name: letters, digits and single underscores, starting with a letter (custom ones end in __c). */
const apiName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a Salesforce API name (letters, digits, underscores)');
const customField = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*__c$/, 'must be a custom field API name ending in __c');

export const salesforceSettingsSchema = z
  .object({
    /** SALESFORCE_LOGIN_URL overrides (https://test.salesforce.com for sandboxes). */
    loginUrl: z.string().url('must be a URL'),
    /** SALESFORCE_INSTANCE_URL overrides; OAuth logins learn it from the token response. */
    instanceUrl: z.string().url('must be a URL').nullable(),
    /** SALESFORCE_API_VERSION overrides. Always explicit: jsforce would otherwise use 50.0. */
    apiVersion: z.string().regex(/^\d{2,3}\.0$/, 'must be an API version like "64.0"'),
    /** Who the customers are: Contacts (B2C, default) or Accounts (B2B). */
    customerObject: z.enum(['Contact', 'Account']),
    /**
     * Contacts' purchases: won Opportunities where the contact has an OpportunityContactRole; with
     * `accountFallback`, an Opportunity without contact roles counts for its Account's contacts.
     */
    accountFallback: z.boolean(),
    /** Custom field API names are this prefix plus the field's name (LCS_Stage__c, ...). */
    fieldPrefix: z.string().regex(/^[A-Za-z][A-Za-z0-9]*_?$/, 'must be letters and digits, optionally ending in one underscore'),
    /** Map a field to an existing custom field instead; it is written to but never redefined. */
    fieldNames: z.partialRecord(z.enum(FIELD_KEYS), customField),
    /**
     * The same for the Opportunity fields (LCS_MEDDIC_Metrics__c, LCS_Win_Probability__c, ...): a MEDDIC
     * input mapped to a field the team already uses is read, never created or written.
     */
    dealFieldNames: z.partialRecord(z.enum(DEAL_FIELD_KEYS), customField).optional(),
    /** The permission set that grants the integration user access to the fields. */
    permissionSet: z.object({ name: apiName, label: z.string().min(1).max(80) }).strict(),
    /** Customer fields the classifier's signals come from (null = not used). */
    signals: z
      .object({
        engagement: z.array(apiName),
        nps: apiName.nullable(),
        referrals: apiName.nullable(),
        advocate: apiName.nullable(),
        churnFlag: apiName.nullable(),
        churnReason: apiName.nullable(),
        /**
         * Where the person came from. Absent: the customer object's standard picklist (Contact LeadSource,
         * Account AccountSource); null: not read; a name: that field.
         */
        leadSource: apiName.nullable().optional(),
      })
      .strict(),
    /** Pulls of more records than this use a Bulk API 2.0 query job instead of REST query pages. */
    bulkQueryThreshold: z.number().int().nonnegative(),
    /** Runs with more changes than this write them through Bulk API 2.0 ingest jobs. */
    bulkWriteThreshold: z.number().int().nonnegative(),
    /** Records per Bulk API 2.0 ingest job (a checkpoint after each). */
    bulkJobSize: z.number().int().min(1).max(150_000_000),
    /** How often to poll a Bulk API 2.0 job, and how long to wait for one before giving up. */
    bulkPollMs: z.number().int().positive(),
    bulkTimeoutMs: z.number().int().positive(),
  })
  .strict();

export type SalesforceSettings = z.infer<typeof salesforceSettingsSchema>;

/** The `salesforce:` section of the configuration, as connectors/sections.ts lists it. */
export const salesforceSection: ConnectorSection = { name: 'salesforce', label: 'Salesforce', settingsSchema: salesforceSettingsSchema };

/** Field name stems: LCS_ + these + __c are the documented default API names. */
const STEM: Record<FieldKey, string> = {
  stage: 'Stage',
  stageReason: 'Stage_Reason',
  stageChangedAt: 'Stage_Changed_At',
  ltv: 'LTV',
  predictedClv: 'Predicted_CLV',
  churnRisk: 'Churn_Risk',
  churnRiskBand: 'Churn_Risk_Band',
  valueTier: 'Value_Tier',
  expectedPurchases: 'Expected_Purchases_90d',
  nextAction: 'Next_Action',
  scoredAt: 'Scored_At',
  conversionLikelihood: 'Conversion_Likelihood',
};

export function fieldApiNames(settings: SalesforceSettings): Record<FieldKey, string> {
  return Object.fromEntries(FIELD_KEYS.map((k) => [k, settings.fieldNames[k] ?? `${settings.fieldPrefix}${STEM[k]}__c`])) as Record<FieldKey, string>;
}

const DEAL_STEM: Record<DealFieldKey, string> = {
  meddicMetrics: 'MEDDIC_Metrics',
  meddicEconomicBuyer: 'MEDDIC_Economic_Buyer',
  meddicDecisionCriteria: 'MEDDIC_Decision_Criteria',
  meddicDecisionProcess: 'MEDDIC_Decision_Process',
  meddicIdentifyPain: 'MEDDIC_Identify_Pain',
  meddicChampion: 'MEDDIC_Champion',
  meddicScore: 'MEDDIC_Score',
  winProbability: 'Win_Probability',
  biggestGap: 'Biggest_Gap',
  dealNextAction: 'Deal_Next_Action',
  dealScoredAt: 'Deal_Scored_At',
};

/** The Opportunity field of each deal field: mapped, or the prefix plus its documented stem. */
export function dealFieldApiNames(settings: SalesforceSettings): Record<DealFieldKey, string> {
  const mapped = settings.dealFieldNames ?? {};
  return Object.fromEntries(DEAL_FIELD_KEYS.map((k) => [k, mapped[k] ?? `${settings.fieldPrefix}${DEAL_STEM[k]}__c`])) as Record<DealFieldKey, string>;
}
