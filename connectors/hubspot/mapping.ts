/**
 * Pure mapping between HubSpot records and the engine's types, one function per direction. A value
 * that cannot be read is reported with the record's id and skipped; it never fails the pull.
 */
import type { CustomerSignals } from '../../src/classifier/types.ts';
import type { RecordProblem } from '../../src/errors.ts';
import { dayOf } from '../../src/classifier/features.ts';
import { canonicalFieldValues, datetimeFromText, numberFromText } from '../canonical.ts';
import type { DealStatus, FieldKey, FieldSpec, FieldValues, PulledCustomer, PulledDeal } from '../types.ts';
import type { HubSpotSettings } from './settings.ts';

export interface HubSpotRecord {
  id: string;
  properties: Record<string, string | null | undefined>;
  updatedAt?: string | null;
}

export interface ContactMapping {
  names: Record<FieldKey, string>;
  specs: ReadonlyMap<FieldKey, FieldSpec>;
  signals: HubSpotSettings['signals'];
}

/** Contact properties a pull asks for. */
export function contactProperties(m: ContactMapping): string[] {
  const s = m.signals;
  const signal = [...s.engagement, s.nps, s.referrals, s.advocate, s.churnFlag, s.churnReason].filter((p): p is string => p !== null);
  return [...new Set(['lastmodifieddate', 'createdate', ...Object.values(m.names), ...signal])];
}

export const DEAL_PROPERTIES = ['amount', 'amount_in_home_currency', 'closedate', 'dealstage', 'pipeline', 'hs_is_closed', 'hs_is_closed_won', 'hs_lastmodifieddate'];

const MS_PER_DAY = 86_400_000;

function modifiedAt(record: HubSpotRecord, property: string): number {
  const text = record.properties[property] ?? record.updatedAt ?? null;
  const ms = text ? Date.parse(text) : NaN;
  return Number.isFinite(ms) ? ms : 0;
}

function flag(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (['true', 'yes', '1'].includes(t)) return true;
  if (['false', 'no', '0'].includes(t)) return false;
  return undefined;
}

export function customerFromContact(contact: HubSpotRecord, m: ContactMapping): { customer: PulledCustomer; problems: RecordProblem[] } {
  const problems: RecordProblem[] = [];
  const where = `HubSpot contact ${contact.id}`;
  const problem = (reason: string) => problems.push({ where, reason, recordId: contact.id });
  const value = (name: string | null): string | null => {
    if (name === null) return null;
    const v = contact.properties[name];
    return v === undefined || v === null || v.trim() === '' ? null : v;
  };
  const signals: CustomerSignals = {};
  let lastEngagement: number | null = null;
  for (const name of m.signals.engagement) {
    const text = value(name);
    if (text === null) continue;
    const iso = datetimeFromText(text);
    if (iso === undefined) problem(`${name} "${text}" is not a date`);
    else lastEngagement = Math.max(lastEngagement ?? -Infinity, Date.parse(iso));
  }
  if (lastEngagement !== null) signals.lastEngagementDay = Math.floor(lastEngagement / MS_PER_DAY);
  const nps = value(m.signals.nps);
  if (nps !== null) {
    const n = Number(numberFromText(nps));
    if (Number.isFinite(n) && n >= 0 && n <= 10) signals.nps = n;
    else problem(`${m.signals.nps} "${nps}" is not an NPS rating (0 to 10)`);
  }
  const referrals = value(m.signals.referrals);
  if (referrals !== null) {
    const n = Number(numberFromText(referrals));
    if (Number.isInteger(n) && n >= 0) signals.referrals = n;
    else problem(`${m.signals.referrals} "${referrals}" is not a number of referrals`);
  }
  for (const [key, name] of [
    ['advocate', m.signals.advocate],
    ['churnFlag', m.signals.churnFlag],
  ] as const) {
    const text = value(name);
    if (text === null) continue;
    const b = flag(text);
    if (b === undefined) problem(`${name} "${text}" is not true or false`);
    else signals[key] = b;
  }
  const churnReason = value(m.signals.churnReason);
  if (churnReason !== null) signals.churnReason = churnReason;
  const { values, invalid } = canonicalFieldValues((key) => contact.properties[m.names[key]], m.specs);
  for (const key of invalid) problem(`${m.names[key]} holds "${contact.properties[m.names[key]]}", which is not a valid ${m.specs.get(key)?.type}; it will be rewritten`);
  return { customer: { recordId: contact.id, modifiedAt: modifiedAt(contact, 'lastmodifieddate'), signals, fieldValues: values }, problems };
}

/** Won and closed stages by "pipeline/stage", from the pipelines API's stage metadata. */
export type StageMap = ReadonlyMap<string, { closed: boolean; won: boolean }>;

export function dealFromHubSpot(
  deal: HubSpotRecord,
  customerIds: string[],
  stages: StageMap,
  now: number,
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
      problem(`unknown stage "${p.dealstage ?? ''}" in pipeline "${p.pipeline ?? ''}"`);
      return { deal: null, problems };
    }
    status = stage.won ? 'won' : stage.closed ? 'lost' : 'open';
  }
  const amountText = p.amount_in_home_currency || p.amount || null;
  let amount: number | null = null;
  if (amountText !== null && amountText.trim() !== '') {
    const parsed = numberFromText(amountText);
    if (parsed === undefined) problem(`amount "${amountText}" is not a number`);
    else if (Number(parsed) < 0 || Number(parsed) > 1e12) problem(`amount ${parsed} is out of range`);
    else amount = Number(parsed);
  } else if (status === 'won') {
    problem('won deal without an amount');
  }
  let closeDay: number | null = null;
  const closeText = p.closedate ?? null;
  if (closeText !== null && closeText.trim() !== '') {
    const iso = datetimeFromText(closeText);
    const ms = iso === undefined ? NaN : Date.parse(iso);
    if (!Number.isFinite(ms)) problem(`close date "${closeText}" is not a date`);
    else if (ms < Date.UTC(1900, 0, 1) || ms > now + 366 * MS_PER_DAY) problem(`close date ${iso} is implausible`);
    else closeDay = dayOf(ms);
  } else if (status === 'won') {
    problem('won deal without a close date');
  }
  return { deal: { recordId: deal.id, customerIds, status, amount, closeDay, modifiedAt: modifiedAt(deal, 'hs_lastmodifieddate') }, problems };
}

/** The plugin's values as HubSpot property values: strings, "" to clear. */
export function propertiesFromValues(values: FieldValues, names: Record<FieldKey, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values) as [FieldKey, string | null][]) out[names[key]] = value ?? '';
  return out;
}
