/**
 * Pure mapping between HubSpot records and the engine's types, one function per direction. A value
 * that cannot be read is reported with the record's id and skipped; it never fails the pull.
 */
import { canonicalFieldValues, type DealStatus, type FieldKey, type FieldSpec, type PulledCustomer, type PulledDeal, quoted, type RecordProblem } from '../contract/index.ts';
import { createdDayOf, dealAmountAndDay, displayFrom, signalFieldNames, signalsFrom, type SignalFields } from '../records.ts';
import { CUSTOMER_OBJECTS, type CustomerObject, type HubSpotSettings } from './settings.ts';

export interface HubSpotRecord {
  id: string;
  properties: Record<string, string | null | undefined>;
  updatedAt?: string | null;
}

export interface ContactMapping {
  /** The customer object (contacts unless set). */
  object?: CustomerObject;
  names: Record<FieldKey, string>;
  specs: ReadonlyMap<FieldKey, FieldSpec>;
  /** The settings' signal properties (`hubspotSignalFields` adds the record's createdate). */
  signals: SignalFields;
}

/**
 * The signal properties a pull reads: the settings' (`hubspot.signals`, the lead source included), and
 * `createdate`, which HubSpot sets when a record is created, on contacts and companies alike (developers.hubspot.com,
 * CRM properties: default properties). hs_analytics_source is the "Original source" (knowledge.hubspot.com,
 * "Understand Original and Latest source properties"); on companies it comes from their contacts'.
 */
export function hubspotSignalFields(signals: HubSpotSettings['signals']): SignalFields {
  return { ...signals, created: 'createdate' };
}

/** HubSpot's own properties that say who a customer is (shown on the page, never scored). */
export const DISPLAY_PROPERTIES: Record<CustomerObject, readonly string[]> = { contacts: ['firstname', 'lastname', 'email', 'company'], companies: ['name', 'domain'] };

export const objectOf = (m: ContactMapping): CustomerObject => m.object ?? 'contacts';

/** Customer properties a pull asks for: the plugin's fields it can read, the signal properties, and who it is. */
export function contactProperties(m: ContactMapping, fields: readonly FieldKey[]): string[] {
  const object = objectOf(m);
  return [...new Set([CUSTOMER_OBJECTS[object].modified, 'createdate', ...fields.map((key) => m.names[key]), ...signalFieldNames(m.signals), ...DISPLAY_PROPERTIES[object]])];
}

export const DEAL_PROPERTIES = ['amount', 'amount_in_home_currency', 'closedate', 'createdate', 'dealstage', 'pipeline', 'hs_is_closed', 'hs_is_closed_won', 'hs_lastmodifieddate'];


function modifiedAt(record: HubSpotRecord, property: string): number {
  const text = record.properties[property] ?? record.updatedAt ?? null;
  const ms = text ? Date.parse(text) : NaN;
  return Number.isFinite(ms) ? ms : 0;
}

export function customerFromContact(contact: HubSpotRecord, m: ContactMapping): { customer: PulledCustomer; problems: RecordProblem[] } {
  const problems: RecordProblem[] = [];
  const object = objectOf(m);
  const where = `HubSpot ${CUSTOMER_OBJECTS[object].singular} ${contact.id}`;
  const problem = (reason: string) => problems.push({ where, reason, recordId: contact.id });
  const value = (name: string): string | null => {
    const v = contact.properties[name];
    return v === undefined || v === null || v.trim() === '' ? null : v;
  };
  const signals = signalsFrom(value, m.signals, problem);
  const { values, invalid } = canonicalFieldValues((key) => contact.properties[m.names[key]], m.specs);
  for (const key of invalid) problem(`${m.names[key]} holds ${quoted(String(contact.properties[m.names[key]]))}, which is not a valid ${m.specs.get(key)?.type}; it will be rewritten`);
  // A company is shown by its name, with its web domain where a contact shows its company.
  const display =
    object === 'companies'
      ? displayFrom({ name: value('name'), company: value('domain') })
      : displayFrom({ name: [value('firstname'), value('lastname')].filter((v) => v !== null).join(' '), email: value('email'), company: value('company') });
  return { customer: { recordId: contact.id, modifiedAt: modifiedAt(contact, CUSTOMER_OBJECTS[object].modified), signals, fieldValues: values, ...(display ? { display } : {}) }, problems };
}

/** Won and closed stages by "pipeline/stage", from the pipelines API's stage metadata, with the stage's label (what people read). */
export type StageMap = ReadonlyMap<string, { closed: boolean; won: boolean; label?: string }>;

export function dealFromHubSpot(
  deal: HubSpotRecord,
  customerIds: string[],
  stages: StageMap,
): { deal: PulledDeal | null; problems: RecordProblem[] } {
  const problems: RecordProblem[] = [];
  const where = `HubSpot deal ${deal.id}`;
  const problem = (reason: string) => problems.push({ where, reason, recordId: deal.id });
  const p = deal.properties;
  let status: DealStatus;
  if (p.hs_is_closed_won === 'true') status = 'won';
  else if (p.hs_is_closed === 'true') status = 'lost';
  else if (p.hs_is_closed === 'false') status = 'open';
  else {
    const stage = stages.get(`${p.pipeline ?? ''}/${p.dealstage ?? ''}`);
    if (!stage) {
      problem(`unknown stage ${quoted(p.dealstage ?? '')} in pipeline ${quoted(p.pipeline ?? '')}`);
      return { deal: null, problems };
    }
    status = stage.won ? 'won' : stage.closed ? 'lost' : 'open';
  }
  const { amount, closeDay } = dealAmountAndDay({ amount: p.amount_in_home_currency || p.amount || null, closeDate: p.closedate ?? null }, status, problem);
  const createdDay = createdDayOf(p.createdate ?? null, problem);
  return { deal: { recordId: deal.id, customerIds, status, amount, closeDay, modifiedAt: modifiedAt(deal, 'hs_lastmodifieddate'), createdDay }, problems };
}

/** The plugin's values as HubSpot property values: strings, "" to clear. */
export function propertiesFromValues<K extends string = FieldKey>(values: Partial<Record<K, string | null>>, names: Record<K, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values) as [K, string | null][]) out[names[key]] = value ?? '';
  return out;
}
