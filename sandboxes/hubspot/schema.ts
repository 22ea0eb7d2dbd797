/**
 * The portal's fixed schema: object types, default contact, company and deal properties, property groups and the
 * default deal pipeline, as HubSpot ships them.
 */
import { badRequest } from './errors.ts';

export type ObjectType = 'contacts' | 'companies' | 'deals';
export const OBJECT_TYPES: readonly ObjectType[] = ['contacts', 'companies', 'deals'];

/** Object type ids as HubSpot names them (0-1 contacts, 0-2 companies, 0-3 deals). */
export const OBJECT_TYPE_IDS: Record<ObjectType, string> = { contacts: '0-1', companies: '0-2', deals: '0-3' };

const OBJECT_TYPE_ALIASES: Record<string, ObjectType> = {
  contacts: 'contacts', contact: 'contacts', '0-1': 'contacts',
  companies: 'companies', company: 'companies', '0-2': 'companies',
  deals: 'deals', deal: 'deals', '0-3': 'deals',
};

export function resolveObjectType(name: string): ObjectType {
  const type = OBJECT_TYPE_ALIASES[name.toLowerCase()];
  if (type === undefined) throw badRequest(`Unable to infer object type from: ${name}`);
  return type;
}

/** The property that records the last write, per object (contacts differ from every other object). */
export const MODIFIED_PROPERTY: Record<ObjectType, string> = { contacts: 'lastmodifieddate', companies: 'hs_lastmodifieddate', deals: 'hs_lastmodifieddate' };

export type PropertyType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool';
export const PROPERTY_TYPES: readonly PropertyType[] = ['string', 'number', 'date', 'datetime', 'enumeration', 'bool'];

/** Valid type/fieldType pairs, enforced on v3 since 2021. */
export const FIELD_TYPES: Record<PropertyType, readonly string[]> = {
  bool: ['booleancheckbox', 'calculation_equation'],
  enumeration: ['booleancheckbox', 'checkbox', 'radio', 'select', 'calculation_equation'],
  date: ['date'],
  datetime: ['date'],
  string: ['file', 'text', 'textarea', 'calculation_equation', 'html', 'phonenumber'],
  number: ['number', 'calculation_equation'],
};

export interface PropertyOption {
  label: string;
  value: string;
  displayOrder: number;
  hidden: boolean;
  description: string;
}

export interface PropertyDefinition {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  groupName: string;
  description: string;
  displayOrder: number;
  hidden: boolean;
  formField: boolean;
  hasUniqueValue: boolean;
  hubspotDefined: boolean;
  calculated: boolean;
  externalOptions: boolean;
  showCurrencySymbol: boolean;
  calculationFormula?: string;
  options: PropertyOption[];
  readOnlyValue: boolean;
  readOnlyDefinition: boolean;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

export interface PropertyGroup {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

/** Schema objects that exist "since forever" carry this timestamp. */
export const SCHEMA_EPOCH = '2019-08-06T02:43:01.179Z';

export interface PipelineStage {
  id: string;
  label: string;
  displayOrder: number;
  isClosed: boolean;
  probability: string;
}

export interface Pipeline {
  id: string;
  label: string;
  displayOrder: number;
  stages: readonly PipelineStage[];
}

/** HubSpot's default "Sales Pipeline"; probability 1.0 = won, closed with 0.0 = lost. */
export const DEAL_PIPELINES: readonly Pipeline[] = [
  {
    id: 'default',
    label: 'Sales Pipeline',
    displayOrder: 0,
    stages: [
      { id: 'appointmentscheduled', label: 'Appointment Scheduled', displayOrder: 0, isClosed: false, probability: '0.2' },
      { id: 'qualifiedtobuy', label: 'Qualified To Buy', displayOrder: 1, isClosed: false, probability: '0.4' },
      { id: 'presentationscheduled', label: 'Presentation Scheduled', displayOrder: 2, isClosed: false, probability: '0.6' },
      { id: 'decisionmakerboughtin', label: 'Decision Maker Bought-In', displayOrder: 3, isClosed: false, probability: '0.8' },
      { id: 'contractsent', label: 'Contract Sent', displayOrder: 4, isClosed: false, probability: '0.9' },
      { id: 'closedwon', label: 'Closed Won', displayOrder: 5, isClosed: true, probability: '1.0' },
      { id: 'closedlost', label: 'Closed Lost', displayOrder: 6, isClosed: true, probability: '0.0' },
    ],
  },
];

export function findStage(pipelineId: string, stageId: string): PipelineStage | undefined {
  return DEAL_PIPELINES.find((p) => p.id === pipelineId)?.stages.find((s) => s.id === stageId);
}

export const DEFAULT_GROUPS: Record<ObjectType, readonly PropertyGroup[]> = {
  contacts: [{ name: 'contactinformation', label: 'Contact information', displayOrder: 0, archived: false }],
  companies: [{ name: 'companyinformation', label: 'Company information', displayOrder: 0, archived: false }],
  deals: [{ name: 'dealinformation', label: 'Deal information', displayOrder: 0, archived: false }],
};

interface DefaultSpec {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  readOnly?: boolean;
  calculated?: boolean;
  options?: readonly (readonly [string, string])[];
  currency?: boolean;
}

/**
 * hs_analytics_source, "Original source": set by HubSpot from the first known interaction, editable by hand;
 * companies' comes from their contacts' (knowledge.hubspot.com, "Understand Original and Latest source
 * properties"). Its options, with the internal values the API reads and writes.
 */
export const ANALYTICS_SOURCES: readonly (readonly [string, string])[] = [
  ['Organic search', 'ORGANIC_SEARCH'],
  ['Paid search', 'PAID_SEARCH'],
  ['Email marketing', 'EMAIL_MARKETING'],
  ['Organic social', 'SOCIAL_MEDIA'],
  ['Referrals', 'REFERRALS'],
  ['Other campaigns', 'OTHER_CAMPAIGNS'],
  ['Direct traffic', 'DIRECT_TRAFFIC'],
  ['Offline sources', 'OFFLINE'],
  ['Paid social', 'PAID_SOCIAL'],
];

const CONTACT_DEFAULTS: readonly DefaultSpec[] = [
  { name: 'email', label: 'Email', type: 'string', fieldType: 'text' },
  { name: 'firstname', label: 'First Name', type: 'string', fieldType: 'text' },
  { name: 'lastname', label: 'Last Name', type: 'string', fieldType: 'text' },
  { name: 'phone', label: 'Phone Number', type: 'string', fieldType: 'phonenumber' },
  { name: 'company', label: 'Company Name', type: 'string', fieldType: 'text' },
  { name: 'createdate', label: 'Create Date', type: 'datetime', fieldType: 'date' },
  { name: 'lastmodifieddate', label: 'Last Modified Date', type: 'datetime', fieldType: 'date', readOnly: true },
  { name: 'hs_object_id', label: 'Record ID', type: 'number', fieldType: 'number', readOnly: true },
  {
    name: 'lifecyclestage', label: 'Lifecycle Stage', type: 'enumeration', fieldType: 'radio',
    options: [
      ['Subscriber', 'subscriber'], ['Lead', 'lead'], ['Marketing Qualified Lead', 'marketingqualifiedlead'],
      ['Sales Qualified Lead', 'salesqualifiedlead'], ['Opportunity', 'opportunity'], ['Customer', 'customer'],
      ['Evangelist', 'evangelist'], ['Other', 'other'],
    ],
  },
  { name: 'notes_last_updated', label: 'Last Activity Date', type: 'datetime', fieldType: 'date' },
  { name: 'notes_last_contacted', label: 'Last Contacted', type: 'datetime', fieldType: 'date' },
  { name: 'hs_email_last_open_date', label: 'Last marketing email open date', type: 'datetime', fieldType: 'date' },
  { name: 'hs_last_sales_activity_timestamp', label: 'Last Engagement Date', type: 'datetime', fieldType: 'date' },
  { name: 'hs_feedback_last_nps_rating', label: 'Last NPS survey rating', type: 'number', fieldType: 'number' },
  { name: 'hs_analytics_source', label: 'Original Source', type: 'enumeration', fieldType: 'select', options: ANALYTICS_SOURCES },
];

/** The account's users, as the deal owner property's options (label, id). */
export const SANDBOX_OWNERS: readonly (readonly [string, string])[] = [
  ['Ada Owner', '90001'],
  ['Bo Owner', '90002'],
  ['Cy Owner', '90003'],
];

/** A few of HubSpot's default company properties (name and domain say who it is; domain is not unique by default). */
const COMPANY_DEFAULTS: readonly DefaultSpec[] = [
  { name: 'name', label: 'Company name', type: 'string', fieldType: 'text' },
  { name: 'domain', label: 'Company Domain Name', type: 'string', fieldType: 'text' },
  { name: 'website', label: 'Website URL', type: 'string', fieldType: 'text' },
  { name: 'phone', label: 'Phone Number', type: 'string', fieldType: 'phonenumber' },
  { name: 'industry', label: 'Industry', type: 'string', fieldType: 'text' },
  { name: 'city', label: 'City', type: 'string', fieldType: 'text' },
  { name: 'numberofemployees', label: 'Number of Employees', type: 'number', fieldType: 'number' },
  { name: 'createdate', label: 'Create Date', type: 'datetime', fieldType: 'date' },
  { name: 'hs_lastmodifieddate', label: 'Last Modified Date', type: 'datetime', fieldType: 'date', readOnly: true },
  { name: 'notes_last_updated', label: 'Last Activity Date', type: 'datetime', fieldType: 'date' },
  { name: 'hs_object_id', label: 'Record ID', type: 'number', fieldType: 'number', readOnly: true },
  { name: 'hs_analytics_source', label: 'Original Source Type', type: 'enumeration', fieldType: 'select', options: ANALYTICS_SOURCES },
];

const DEAL_DEFAULTS: readonly DefaultSpec[] = [
  { name: 'dealname', label: 'Deal Name', type: 'string', fieldType: 'text' },
  { name: 'amount', label: 'Amount', type: 'number', fieldType: 'number', currency: true },
  { name: 'amount_in_home_currency', label: 'Amount in company currency', type: 'number', fieldType: 'number', readOnly: true, calculated: true, currency: true },
  { name: 'closedate', label: 'Close Date', type: 'datetime', fieldType: 'date' },
  {
    name: 'dealstage', label: 'Deal Stage', type: 'enumeration', fieldType: 'radio',
    options: DEAL_PIPELINES.flatMap((p) => p.stages.map((s) => [s.label, s.id] as const)),
  },
  { name: 'pipeline', label: 'Pipeline', type: 'enumeration', fieldType: 'select', options: DEAL_PIPELINES.map((p) => [p.label, p.id] as const) },
  // Single-currency portal: the home currency is the only option.
  { name: 'deal_currency_code', label: 'Currency', type: 'enumeration', fieldType: 'select', options: [['US Dollar', 'USD']] },
  { name: 'createdate', label: 'Create Date', type: 'datetime', fieldType: 'date' },
  { name: 'hs_lastmodifieddate', label: 'Last Modified Date', type: 'datetime', fieldType: 'date', readOnly: true },
  { name: 'hs_is_closed', label: 'Is Deal Closed?', type: 'bool', fieldType: 'booleancheckbox', readOnly: true, calculated: true },
  { name: 'hs_is_closed_won', label: 'Is Closed Won', type: 'bool', fieldType: 'booleancheckbox', readOnly: true, calculated: true },
  { name: 'hs_object_id', label: 'Record ID', type: 'number', fieldType: 'number', readOnly: true },
  // The owner: HubSpot lists the account's users as its options.
  { name: 'hubspot_owner_id', label: 'Deal owner', type: 'enumeration', fieldType: 'select', options: SANDBOX_OWNERS },
  // Calculated from engagements in HubSpot; writable here, as on contacts, so tests can seed activity.
  { name: 'notes_last_updated', label: 'Last Activity Date', type: 'datetime', fieldType: 'date' },
  { name: 'num_associated_contacts', label: 'Number of Associated Contacts', type: 'number', fieldType: 'number', readOnly: true, calculated: true },
  // Stage calculated properties (knowledge base, "Use stage calculated properties"): one per stage id.
  ...DEAL_PIPELINES.flatMap((p) =>
    p.stages.map((s): DefaultSpec => ({ name: `hs_date_entered_${s.id}`, label: `Date entered "${s.label} (${p.label})"`, type: 'datetime', fieldType: 'date', readOnly: true, calculated: true })),
  ),
];

export const BOOL_OPTIONS: readonly PropertyOption[] = [
  { label: 'Yes', value: 'true', displayOrder: 0, hidden: false, description: '' },
  { label: 'No', value: 'false', displayOrder: 1, hidden: false, description: '' },
];

export function defaultProperties(type: ObjectType): PropertyDefinition[] {
  const specs = type === 'contacts' ? CONTACT_DEFAULTS : type === 'companies' ? COMPANY_DEFAULTS : DEAL_DEFAULTS;
  const groupName = DEFAULT_GROUPS[type][0].name;
  return specs.map((s, i) => ({
    name: s.name,
    label: s.label,
    type: s.type,
    fieldType: s.fieldType,
    groupName,
    description: '',
    displayOrder: i,
    hidden: false,
    formField: !s.readOnly,
    hasUniqueValue: false,
    hubspotDefined: true,
    calculated: s.calculated ?? false,
    externalOptions: false,
    showCurrencySymbol: s.currency ?? false,
    options: s.type === 'bool'
      ? BOOL_OPTIONS.map((o) => ({ ...o }))
      : (s.options ?? []).map(([label, value], j) => ({ label, value, displayOrder: j, hidden: false, description: '' })),
    readOnlyValue: s.readOnly ?? false,
    readOnlyDefinition: true,
    createdAt: SCHEMA_EPOCH,
    updatedAt: SCHEMA_EPOCH,
    archived: false,
  }));
}

/** Properties returned by reads when the request names none. */
export const DEFAULT_READ_PROPERTIES: Record<ObjectType, readonly string[]> = {
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  companies: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  deals: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
};

/** Properties every read returns even when the request names others. */
export const ALWAYS_READ_PROPERTIES: Record<ObjectType, readonly string[]> = {
  contacts: ['createdate', 'hs_object_id', 'lastmodifieddate'],
  companies: ['createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  deals: ['createdate', 'hs_lastmodifieddate', 'hs_object_id'],
};

/** Text properties the search `query` looks in. */
export const QUERY_PROPERTIES: Record<ObjectType, readonly string[]> = {
  contacts: ['firstname', 'lastname', 'email', 'phone', 'company'],
  companies: ['name', 'domain', 'website', 'phone'],
  deals: ['dealname'],
};
