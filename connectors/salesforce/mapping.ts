/**
 * Pure mapping between Salesforce records and the engine's types, one function per direction. Values
 * arrive as JSON (REST: numbers, booleans, strings, null) or as CSV text (Bulk API 2.0), so everything
 * is read through its text. A value that cannot be read is reported with the record's id and skipped.
 */
import { canonicalFieldValues, datetimeFromText, type DealStatus, type FieldKey, type FieldSpec, type PulledCustomer, type PulledDeal, quoted, type RecordProblem } from '../contract/index.ts';
import { createdDayOf, dealAmountAndDay, displayFrom, signalFieldNames, signalsFrom, type SignalFields } from '../records.ts';

/** A record's field values by API name (REST JSON values, or CSV text). */
export type SalesforceRecord = Record<string, unknown>;

export interface CustomerMapping {
  object: 'Contact' | 'Account';
  names: Record<FieldKey, string>;
  specs: ReadonlyMap<FieldKey, FieldSpec>;
  signals: SignalFields;
}

/**
 * The signal fields a pull reads: the settings' (`salesforce.signals`), the lead source defaulting to the
 * object's standard picklist — Contact LeadSource, Account AccountSource (Object Reference for the Salesforce
 * Platform: Contact, Account; developer.salesforce.com field reference) — and CreatedDate, the system
 * audit field every object has (datetime, set by Salesforce when the record is created).
 */
export function salesforceSignalFields(signals: SignalFields, object: CustomerMapping['object']): SignalFields {
  const leadSource = signals.leadSource === undefined ? (object === 'Contact' ? 'LeadSource' : 'AccountSource') : signals.leadSource;
  return { ...signals, leadSource, created: 'CreatedDate' };
}

/** A value's text, or null when empty (Bulk CSV writes nothing for null). */
export function text(record: SalesforceRecord, name: string): string | null {
  const v = record[name];
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

function modifiedAt(record: SalesforceRecord): number {
  const t = text(record, 'SystemModstamp');
  const iso = t === null ? undefined : datetimeFromText(t);
  return iso === undefined ? 0 : Date.parse(iso);
}

/**
 * The customer fields a pull selects: the plugin's fields it can read (a dry run leaves out those it has
 * not created yet, which read as empty), and the signal fields.
 */
export function customerFields(m: CustomerMapping, fields: readonly FieldKey[]): string[] {
  const plugin = fields.map((key) => m.names[key]);
  return [...new Set(['Id', 'SystemModstamp', ...(m.object === 'Contact' ? ['AccountId'] : []), ...plugin, ...signalFieldNames(m.signals), ...DISPLAY_FIELDS[m.object]])];
}

/** Standard fields that say who a customer is (shown on the page, never scored); `Account.Name` is the Contact's account. */
const DISPLAY_FIELDS = { Contact: ['Name', 'Email', 'Account.Name'], Account: ['Name'] } as const;

/**
 * A field's text by its path: REST answers nest a parent's fields (`{"Account": {"Name": …}}`, null
 * when the lookup is empty), Bulk CSV names the column by the dotted path.
 */
function pathText(record: SalesforceRecord, path: string): string | null {
  if (path in record) return text(record, path);
  const [parent, ...rest] = path.split('.');
  const nested = parent === undefined ? undefined : record[parent];
  if (rest.length === 0 || nested === null || typeof nested !== 'object' || Array.isArray(nested)) return null;
  return pathText(nested as SalesforceRecord, rest.join('.'));
}

export function customerFromRecord(record: SalesforceRecord, m: CustomerMapping): { customer: PulledCustomer | null; problems: RecordProblem[] } {
  const id = text(record, 'Id');
  if (id === null) return { customer: null, problems: [{ where: `Salesforce ${m.object}`, reason: 'record without an Id' }] };
  const problems: RecordProblem[] = [];
  const where = `Salesforce ${m.object} ${id}`;
  const problem = (reason: string) => problems.push({ where, reason, recordId: id });
  const signals = signalsFrom((name) => text(record, name), m.signals, problem);
  const { values, invalid } = canonicalFieldValues((key) => text(record, m.names[key]), m.specs);
  for (const key of invalid) problem(`${m.names[key]} holds ${quoted(text(record, m.names[key]) ?? '')}, which is not a valid ${m.specs.get(key)?.type}; it will be rewritten`);
  const display =
    m.object === 'Contact'
      ? displayFrom({ name: text(record, 'Name'), email: text(record, 'Email'), company: pathText(record, 'Account.Name') })
      : displayFrom({ name: text(record, 'Name') });
  return { customer: { recordId: id, modifiedAt: modifiedAt(record), signals, fieldValues: values, ...(display ? { display } : {}) }, problems };
}

export const OPPORTUNITY_FIELDS = ['Id', 'Amount', 'CloseDate', 'CreatedDate', 'IsClosed', 'IsWon', 'AccountId', 'SystemModstamp'];

/** Multi-currency orgs: conversion rates to the corporate currency by ISO code (null = single currency). */
export type CurrencyRates = ReadonlyMap<string, number> | null;

function flag(record: SalesforceRecord, name: string): boolean {
  const v = record[name];
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
}

export function dealFromOpportunity(
  opp: SalesforceRecord,
  customerIds: string[],
  rates: CurrencyRates,
): { deal: PulledDeal | null; problems: RecordProblem[] } {
  const id = text(opp, 'Id') ?? '';
  const problems: RecordProblem[] = [];
  const problem = (reason: string) => problems.push({ where: `Salesforce Opportunity ${id}`, reason, recordId: id });
  const status: DealStatus = flag(opp, 'IsWon') ? 'won' : flag(opp, 'IsClosed') ? 'lost' : 'open';
  let amountText = text(opp, 'Amount');
  if (rates !== null && amountText !== null) {
    // ConversionRate is units of the currency per one unit of the corporate currency.
    const code = text(opp, 'CurrencyIsoCode');
    const rate = code === null ? undefined : rates.get(code);
    if (rate === undefined || !(rate > 0)) {
      problem(`currency ${code === null ? '(none)' : quoted(code)} has no active conversion rate`);
      amountText = null;
      if (status === 'won') return { deal: null, problems };
    } else if (Number.isFinite(Number(amountText))) {
      amountText = String(Number(amountText) / rate);
    }
  }
  const { amount, closeDay } = dealAmountAndDay({ amount: amountText, closeDate: text(opp, 'CloseDate') }, status, problem);
  const createdDay = createdDayOf(text(opp, 'CreatedDate'), problem);
  return { deal: { recordId: id, customerIds, status, amount, closeDay, modifiedAt: modifiedAt(opp), createdDay }, problems };
}

/** The plugin's values as Salesforce JSON field values: numbers as numbers, null to clear. */
export function salesforceValues<K extends string = FieldKey>(values: Partial<Record<K, string | null>>, names: Record<K, string>, specs: ReadonlyMap<K, FieldSpec<K>>): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const [key, value] of Object.entries(values) as [K, string | null][]) {
    out[names[key]] = value === null ? null : specs.get(key)?.type === 'number' ? Number(value) : value;
  }
  return out;
}
