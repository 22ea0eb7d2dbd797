/**
 * Object and field definitions: the standard objects the connector reads and writes, as described by
 * Salesforce's object reference, with the describe attributes that validation, SOQL and
 * describe need. Custom fields are added at run time through the Metadata API (metadata.ts).
 */

export type FieldType =
  | 'id' | 'string' | 'textarea' | 'email' | 'phone' | 'url' | 'picklist' | 'multipicklist' | 'boolean'
  | 'int' | 'double' | 'currency' | 'percent' | 'date' | 'datetime' | 'reference';

/** A stored value: text types as strings, numbers as numbers, dates as 'YYYY-MM-DD', datetimes as epoch ms. */
export type Value = string | number | boolean | null;

export interface PicklistValue {
  value: string;
  label: string;
  active: boolean;
  defaultValue: boolean;
}

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  /** Characters for text types, 0 otherwise (as describe reports). */
  length: number;
  /** Total digits and decimal places for double/currency/percent; digits for int. */
  precision: number;
  scale: number;
  digits: number;
  picklist?: { values: PicklistValue[]; restricted: boolean };
  referenceTo: string[];
  relationshipName: string | null;
  /** The child relationship name on the parent object, for reference fields that have one. */
  childRelationshipName?: string;
  /** Deleting the parent deletes this record (Salesforce cascades these lookups). */
  cascadeDelete: boolean;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  /** Required on create (not nillable, createable, no default): REQUIRED_FIELD_MISSING otherwise. */
  required: boolean;
  custom: boolean;
  calculated: boolean;
  externalId: boolean;
  unique: boolean;
  /** Field-level security applies (custom fields): visible only through a FieldPermissions grant. */
  permissionable: boolean;
  defaultValue: Value;
  description?: string;
  inlineHelpText?: string;
  /** Metadata API view of a custom field: its type name and the attributes only metadata has. */
  metadata?: { type: string; visibleLines?: number; restricted?: boolean; sorted?: boolean; defaultValue?: string };
}

export interface ChildRelationship {
  relationshipName: string;
  childSObject: string;
  field: string;
  cascadeDelete: boolean;
}

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  fields: FieldDef[];
}

type FieldOptions = Partial<Omit<FieldDef, 'name' | 'label' | 'type'>>;

function field(name: string, label: string, type: FieldType, options: FieldOptions = {}): FieldDef {
  const createable = options.createable ?? true;
  const nillable = options.nillable ?? (type !== 'boolean');
  const defaultValue = options.defaultValue ?? (type === 'boolean' ? false : null);
  return {
    name,
    label,
    type,
    length: 0,
    precision: 0,
    scale: 0,
    digits: 0,
    referenceTo: [],
    relationshipName: null,
    cascadeDelete: false,
    createable,
    updateable: options.updateable ?? createable,
    nillable,
    required: options.required ?? (!nillable && createable && defaultValue === null),
    custom: false,
    calculated: false,
    externalId: false,
    unique: false,
    permissionable: false,
    ...options,
    defaultValue,
  };
}

const readOnly = { createable: false, updateable: false } as const;

export const text = (name: string, label: string, length: number, options: FieldOptions = {}): FieldDef =>
  field(name, label, 'string', { length, ...options });

function picklist(name: string, label: string, values: readonly string[], options: FieldOptions & { restricted?: boolean } = {}): FieldDef {
  const { restricted = false, ...rest } = options;
  return field(name, label, 'picklist', {
    length: 255,
    picklist: { restricted, values: values.map((v) => ({ value: v, label: v, active: true, defaultValue: false })) },
    ...rest,
  });
}

function reference(name: string, label: string, to: string, relationshipName: string, options: FieldOptions = {}): FieldDef {
  return field(name, label, 'reference', { length: 18, referenceTo: [to], relationshipName, ...options });
}

function money(name: string, label: string, precision: number, scale: number, options: FieldOptions = {}): FieldDef {
  return field(name, label, 'currency', { precision, scale, ...options });
}

/** Id, IsDeleted and the audit fields every object here has (SystemModstamp is bumped by any change). */
function systemFields(label: string, options: { audit?: boolean } = {}): { head: FieldDef[]; tail: FieldDef[] } {
  const head = [field('Id', `${label} ID`, 'id', { ...readOnly, length: 18, nillable: false, required: false }), field('IsDeleted', 'Deleted', 'boolean', readOnly)];
  const audit = options.audit === false ? [] : [
    field('CreatedDate', 'Created Date', 'datetime', { ...readOnly, nillable: false, required: false }),
    reference('CreatedById', 'Created By ID', 'User', 'CreatedBy', { ...readOnly, nillable: false, required: false }),
    field('LastModifiedDate', 'Last Modified Date', 'datetime', { ...readOnly, nillable: false, required: false }),
    reference('LastModifiedById', 'Last Modified By ID', 'User', 'LastModifiedBy', { ...readOnly, nillable: false, required: false }),
  ];
  return { head, tail: [...audit, field('SystemModstamp', 'System Modstamp', 'datetime', { ...readOnly, nillable: false, required: false })] };
}

function objectDef(name: string, label: string, labelPlural: string, keyPrefix: string, fields: FieldDef[], options: { audit?: boolean; createable?: boolean; updateable?: boolean; deletable?: boolean } = {}): ObjectDef {
  const system = systemFields(label, options);
  return {
    name,
    label,
    labelPlural,
    keyPrefix,
    createable: options.createable ?? true,
    updateable: options.updateable ?? true,
    deletable: options.deletable ?? true,
    fields: [...system.head, ...fields, ...system.tail],
  };
}

/** Opportunity stages of a new org's sales process, with the derived IsClosed/IsWon/probability. */
export const OPPORTUNITY_STAGES: readonly { name: string; probability: number; closed: boolean; won: boolean; forecast: string }[] = [
  { name: 'Prospecting', probability: 10, closed: false, won: false, forecast: 'Pipeline' },
  { name: 'Qualification', probability: 10, closed: false, won: false, forecast: 'Pipeline' },
  { name: 'Needs Analysis', probability: 20, closed: false, won: false, forecast: 'Pipeline' },
  { name: 'Value Proposition', probability: 50, closed: false, won: false, forecast: 'Pipeline' },
  { name: 'Id. Decision Makers', probability: 60, closed: false, won: false, forecast: 'Pipeline' },
  { name: 'Perception Analysis', probability: 70, closed: false, won: false, forecast: 'Pipeline' },
  { name: 'Proposal/Price Quote', probability: 75, closed: false, won: false, forecast: 'Pipeline' },
  { name: 'Negotiation/Review', probability: 90, closed: false, won: false, forecast: 'Commit' },
  { name: 'Closed Won', probability: 100, closed: true, won: true, forecast: 'Closed' },
  { name: 'Closed Lost', probability: 0, closed: true, won: false, forecast: 'Omitted' },
];

const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];

/**
 * Custom fields the org already has before the plugin is installed, granted to the integration user's
 * profile: the engagement, advocacy and churn signals the demo data fills in (see README).
 */
function orgCustomFields(): FieldDef[] {
  const custom = { custom: true, permissionable: true } as const;
  return [
    field('NPS_Score__c', 'NPS Score', 'double', { precision: 2, scale: 0, ...custom, metadata: { type: 'Number' } }),
    field('Referral_Count__c', 'Referral Count', 'double', { precision: 4, scale: 0, ...custom, metadata: { type: 'Number' } }),
    picklist('Churn_Reason__c', 'Churn Reason', ['Moved', 'No budget', 'Business closed', 'Switched to a competitor', 'Unhappy with service'], { ...custom, restricted: true, metadata: { type: 'Picklist' } }),
  ];
}

export interface SchemaOptions {
  multiCurrency?: { corporate: string; rates: Readonly<Record<string, number>> };
}

function currencyField(options: SchemaOptions): FieldDef[] {
  if (options.multiCurrency === undefined) return [];
  const codes = [options.multiCurrency.corporate, ...Object.keys(options.multiCurrency.rates).filter((c) => c !== options.multiCurrency?.corporate)];
  const f = picklist('CurrencyIsoCode', 'Currency ISO Code', codes, { restricted: true, length: 3, defaultValue: options.multiCurrency.corporate });
  return [{ ...f, picklist: { restricted: true, values: codes.map((c) => ({ value: c, label: c, active: true, defaultValue: c === options.multiCurrency?.corporate })) } }];
}

export function standardObjects(options: SchemaOptions = {}): ObjectDef[] {
  const currency = currencyField(options);
  const owner = reference('OwnerId', 'Owner ID', 'User', 'Owner', { nillable: false, required: false });
  const objects: ObjectDef[] = [
    objectDef('User', 'User', 'Users', '005', [
      text('Username', 'Username', 80, { nillable: false, unique: true }),
      text('LastName', 'Last Name', 80, { nillable: false }),
      text('FirstName', 'First Name', 40),
      text('Name', 'Full Name', 121, readOnly),
      field('Email', 'Email', 'email', { length: 128, nillable: false }),
      field('IsActive', 'Active', 'boolean', { defaultValue: true }),
      picklist('UserType', 'User Type', ['Standard'], readOnly),
      picklist('TimeZoneSidKey', 'Time Zone', ['GMT'], { restricted: true, nillable: false, defaultValue: 'GMT' }),
      ...(options.multiCurrency === undefined ? [] : [{ ...currencyField(options)[0], name: 'DefaultCurrencyIsoCode', label: 'User Currency' }]),
    ], { createable: false, updateable: false, deletable: false }),
    objectDef('Account', 'Account', 'Accounts', '001', [
      text('Name', 'Account Name', 255, { nillable: false }),
      picklist('Type', 'Account Type', ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Channel Partner / Reseller', 'Installation Partner', 'Technology Partner', 'Other']),
      picklist('Industry', 'Industry', ['Agriculture', 'Banking', 'Communications', 'Education', 'Retail', 'Technology', 'Other']),
      // The account's source (Object Reference: Account.AccountSource, picklist), the same values as Lead Source.
      picklist('AccountSource', 'Account Source', LEAD_SOURCES),
      text('BillingCity', 'Billing City', 40),
      text('BillingCountry', 'Billing Country', 80),
      field('Phone', 'Account Phone', 'phone', { length: 40 }),
      field('Website', 'Website', 'url', { length: 255 }),
      money('AnnualRevenue', 'Annual Revenue', 18, 0),
      field('NumberOfEmployees', 'Employees', 'int', { digits: 8 }),
      field('Description', 'Account Description', 'textarea', { length: 32000 }),
      owner,
      ...currency,
      field('LastActivityDate', 'Last Activity', 'date', readOnly),
    ]),
    objectDef('Contact', 'Contact', 'Contacts', '003', [
      reference('AccountId', 'Account ID', 'Account', 'Account', { childRelationshipName: 'Contacts', cascadeDelete: true }),
      text('LastName', 'Last Name', 80, { nillable: false }),
      text('FirstName', 'First Name', 40),
      picklist('Salutation', 'Salutation', ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.', 'Mx.']),
      text('Name', 'Full Name', 121, readOnly),
      text('Title', 'Title', 128),
      field('Email', 'Email', 'email', { length: 80 }),
      field('Phone', 'Business Phone', 'phone', { length: 40 }),
      field('MobilePhone', 'Mobile Phone', 'phone', { length: 40 }),
      text('MailingCity', 'Mailing City', 40),
      text('MailingCountry', 'Mailing Country', 80),
      picklist('LeadSource', 'Lead Source', LEAD_SOURCES),
      field('Birthdate', 'Birthdate', 'date'),
      field('Description', 'Contact Description', 'textarea', { length: 32000 }),
      field('HasOptedOutOfEmail', 'Email Opt Out', 'boolean'),
      field('DoNotCall', 'Do Not Call', 'boolean'),
      owner,
      ...currency,
      field('LastActivityDate', 'Last Activity', 'date', readOnly),
      field('EmailBouncedDate', 'Email Bounced Date', 'datetime'),
      ...orgCustomFields(),
    ]),
    objectDef('Opportunity', 'Opportunity', 'Opportunities', '006', [
      reference('AccountId', 'Account ID', 'Account', 'Account', { childRelationshipName: 'Opportunities', cascadeDelete: true }),
      text('Name', 'Name', 120, { nillable: false }),
      field('Description', 'Description', 'textarea', { length: 32000 }),
      picklist('StageName', 'Stage', OPPORTUNITY_STAGES.map((s) => s.name), { restricted: true, nillable: false, length: 255 }),
      money('Amount', 'Amount', 18, 2),
      field('Probability', 'Probability (%)', 'percent', { precision: 3, scale: 0 }),
      money('ExpectedRevenue', 'Expected Amount', 18, 2, { ...readOnly, calculated: true }),
      field('CloseDate', 'Close Date', 'date', { nillable: false }),
      picklist('Type', 'Opportunity Type', ['Existing Customer - Upgrade', 'Existing Customer - Replacement', 'Existing Customer - Downgrade', 'New Customer']),
      picklist('LeadSource', 'Lead Source', LEAD_SOURCES),
      field('IsClosed', 'Closed', 'boolean', readOnly),
      field('IsWon', 'Won', 'boolean', readOnly),
      picklist('ForecastCategory', 'Forecast Category', ['Omitted', 'Pipeline', 'BestCase', 'Forecast', 'Closed'], readOnly),
      picklist('ForecastCategoryName', 'Forecast Category', ['Omitted', 'Pipeline', 'Best Case', 'Commit', 'Closed'], { restricted: true }),
      ...currency,
      field('HasOpportunityLineItem', 'Has Line Item', 'boolean', readOnly),
      owner,
      field('LastActivityDate', 'Last Activity', 'date', readOnly),
      field('LastStageChangeDate', 'Last Stage Change Date', 'datetime', readOnly),
    ]),
    objectDef('OpportunityContactRole', 'Opportunity Contact Role', 'Opportunity Contact Role', '00K', [
      reference('OpportunityId', 'Opportunity ID', 'Opportunity', 'Opportunity', { nillable: false, updateable: false, childRelationshipName: 'OpportunityContactRoles', cascadeDelete: true }),
      reference('ContactId', 'Contact ID', 'Contact', 'Contact', { nillable: false, childRelationshipName: 'OpportunityContactRoles', cascadeDelete: true }),
      picklist('Role', 'Role', ['Business User', 'Decision Maker', 'Economic Buyer', 'Economic Decision Maker', 'Evaluator', 'Executive Sponsor', 'Influencer', 'Technical Buyer', 'Other'], { length: 40 }),
      field('IsPrimary', 'Primary', 'boolean'),
      ...currency,
    ]),
    objectDef('PermissionSet', 'Permission Set', 'Permission Sets', '0PS', [
      text('Name', 'Name', 80, { nillable: false, unique: true }),
      text('Label', 'Label', 80, { nillable: false }),
      field('Description', 'Description', 'textarea', { length: 255 }),
      field('IsOwnedByProfile', 'Is Owned By Profile', 'boolean', readOnly),
      field('IsCustom', 'Custom', 'boolean', readOnly),
      text('NamespacePrefix', 'Namespace Prefix', 15, readOnly),
    ]),
    objectDef('FieldPermissions', 'Field Permissions', 'Field Permissions', '01P', [
      reference('ParentId', 'Parent ID', 'PermissionSet', 'Parent', { nillable: false, updateable: false, childRelationshipName: 'FieldPerms', cascadeDelete: true }),
      text('SobjectType', 'Sobject Type Name', 40, { nillable: false, updateable: false }),
      text('Field', 'Field Name', 100, { nillable: false, updateable: false }),
      field('PermissionsEdit', 'Edit Field', 'boolean'),
      field('PermissionsRead', 'Read Field', 'boolean'),
    ]),
    objectDef('PermissionSetAssignment', 'Permission Set Assignment', 'Permission Set Assignments', '0Pa', [
      reference('AssigneeId', 'Assignee ID', 'User', 'Assignee', { nillable: false, updateable: false, cascadeDelete: true }),
      reference('PermissionSetId', 'Permission Set ID', 'PermissionSet', 'PermissionSet', { nillable: false, updateable: false, childRelationshipName: 'Assignments', cascadeDelete: true }),
      field('IsActive', 'Is Active', 'boolean', { ...readOnly, defaultValue: true }),
    ], { audit: false, updateable: false }),
  ];
  if (options.multiCurrency !== undefined) {
    objects.push(objectDef('CurrencyType', 'Currency Type', 'Currency Types', '02c', [
      picklist('IsoCode', 'Currency ISO Code', Object.keys({ [options.multiCurrency.corporate]: 1, ...options.multiCurrency.rates }), { nillable: false, length: 3, updateable: false }),
      field('ConversionRate', 'Conversion Rate', 'double', { precision: 18, scale: 6, nillable: false }),
      field('DecimalPlaces', 'Decimal Places', 'int', { digits: 9, defaultValue: 2 }),
      field('IsActive', 'Active', 'boolean', { defaultValue: true }),
      field('IsCorporate', 'Corporate', 'boolean', readOnly),
    ]));
  }
  return objects;
}
