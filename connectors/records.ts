/**
 * Reading CRM values into the classifier's terms, shared by every connector's mapping: signals from
 * configured customer fields, and a deal's amount and close day. Values that cannot be read are
 * reported through `problem` (with the field and the value, cut short) and left out; they never fail
 * a pull. Whether a readable value is plausible (an NPS from 0 to 10, a purchase not dated 9999-12-31
 * nor of 1e308) is the engine's decision (src/classifier/inputLimits.ts: pullPhase.ts, planPhase.ts).
 */
import { type CustomerDisplay, type CustomerSignals, datetimeFromText, type DealStatus, numberFromText, quoted } from './contract/index.ts';

const MS_PER_DAY = 86_400_000;

/**
 * Who a customer is, for the page: each part the CRM has, cut to a length a table can show (a name is
 * never used to score, and a CRM may hold anything in these fields).
 */
export function displayFrom(parts: { name?: string | null; email?: string | null; company?: string | null }): CustomerDisplay | undefined {
  const out: CustomerDisplay = {};
  for (const key of ['name', 'email', 'company'] as const) {
    const v = parts[key]?.replace(/\s+/g, ' ').trim();
    if (v) out[key] = v.length > 200 ? `${v.slice(0, 199)}…` : v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The CRM fields (property or API names) signals are read from; null = not used. */
export interface SignalFields {
  engagement: string[];
  nps: string | null;
  referrals: string | null;
  advocate: string | null;
  churnFlag: string | null;
  churnReason: string | null;
  /** Where the person came from (a text, kept as the CRM words it). Absent or null: not read. */
  leadSource?: string | null;
  /** The record's creation datetime: a system field (createdate, CreatedDate), not a setting. Absent or null: not read. */
  created?: string | null;
}

export function signalFieldNames(s: SignalFields): string[] {
  return [...s.engagement, s.nps, s.referrals, s.advocate, s.churnFlag, s.churnReason, s.leadSource ?? null, s.created ?? null].filter((p): p is string => p !== null);
}

function flag(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (['true', 'yes', '1'].includes(t)) return true;
  if (['false', 'no', '0'].includes(t)) return false;
  return undefined;
}

/** `value(name)` is the field's text, or null when empty. */
export function signalsFrom(value: (name: string) => string | null, fields: SignalFields, problem: (reason: string) => void): CustomerSignals {
  const signals: CustomerSignals = {};
  let lastEngagement: number | null = null;
  for (const name of fields.engagement) {
    const text = value(name);
    if (text === null) continue;
    const iso = datetimeFromText(text);
    if (iso === undefined) problem(`${name} ${quoted(text)} is not a date`);
    else lastEngagement = Math.max(lastEngagement ?? -Infinity, Date.parse(iso));
  }
  if (lastEngagement !== null) signals.lastEngagementDay = Math.floor(lastEngagement / MS_PER_DAY);
  const read = (name: string | null) => (name === null ? null : value(name));
  const nps = read(fields.nps);
  if (nps !== null) {
    const n = numberFromText(nps);
    if (n !== undefined) signals.nps = Number(n);
    else problem(`${fields.nps} ${quoted(nps)} is not a number`);
  }
  const referrals = read(fields.referrals);
  if (referrals !== null) {
    const n = numberFromText(referrals);
    if (n !== undefined) signals.referrals = Number(n);
    else problem(`${fields.referrals} ${quoted(referrals)} is not a number`);
  }
  for (const [key, name] of [
    ['advocate', fields.advocate],
    ['churnFlag', fields.churnFlag],
  ] as const) {
    const text = read(name);
    if (text === null) continue;
    const b = flag(text);
    if (b === undefined) problem(`${name} ${quoted(text)} is not true or false`);
    else signals[key] = b;
  }
  const churnReason = read(fields.churnReason);
  if (churnReason !== null) signals.churnReason = churnReason;
  const created = read(fields.created ?? null);
  // As an engagement date: an unreadable one is reported and unknown (null); the rest of the record stands.
  if (created !== null) signals.createdDay = createdDayOf(created, problem, fields.created ?? 'created date');
  const leadSource = read(fields.leadSource ?? null);
  if (leadSource !== null) signals.leadSource = leadSource;
  return signals;
}

/**
 * A deal's amount and close day from the CRM's texts. A won deal needs both (it is a purchase). A
 * negative amount is read as it is: a refund (the engine nets it against the customer's purchases).
 */
export function dealAmountAndDay(
  texts: { amount: string | null; closeDate: string | null },
  status: DealStatus,
  problem: (reason: string) => void,
): { amount: number | null; closeDay: number | null } {
  let amount: number | null = null;
  const amountText = texts.amount;
  if (amountText !== null && amountText.trim() !== '') {
    const parsed = numberFromText(amountText);
    if (parsed === undefined) problem(`amount ${quoted(amountText)} is not a number`);
    else amount = Number(parsed);
  } else if (status === 'won') {
    problem('won deal without an amount');
  }
  let closeDay: number | null = null;
  const closeText = texts.closeDate;
  if (closeText !== null && closeText.trim() !== '') {
    const iso = datetimeFromText(closeText);
    const ms = iso === undefined ? NaN : Date.parse(iso);
    if (!Number.isFinite(ms)) problem(`close date ${quoted(closeText)} is not a date`);
    else closeDay = Math.floor(ms / MS_PER_DAY);
  } else if (status === 'won') {
    problem('won deal without a close date');
  }
  return { amount, closeDay };
}

/**
 * A record's created day from the CRM's creation datetime (HubSpot createdate, Salesforce CreatedDate): null
 * when empty, or when unreadable (reported under `label`; the record is kept — a deal as a purchase counts
 * by its close day, a customer's other signals stand).
 */
export function createdDayOf(text: string | null, problem: (reason: string) => void, label = 'created date'): number | null {
  if (text === null || text.trim() === '') return null;
  const iso = datetimeFromText(text);
  if (iso === undefined) {
    problem(`${label} ${quoted(text)} is not a date`);
    return null;
  }
  return Math.floor(Date.parse(iso) / MS_PER_DAY);
}
