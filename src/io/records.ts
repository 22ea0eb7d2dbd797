/**
 * One customer as an output record: the JSON object or CSV row of the classify command. Pure
 * formatting, shared by the writer and its worker thread. Numbers are rounded to what a reader can use.
 */
import type { CustomerScore } from '../classifier/classify.ts';

export type OutputFormat = 'json' | 'csv';

const round = (v: number | null, digits: number): number | null => {
  if (v === null) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/** The per-customer record as written: the classify command's documented shape plus extras. */
export function customerRecord(c: CustomerScore) {
  return {
    customerId: c.customerId,
    stage: c.stage,
    reason: c.reason,
    frequency: c.frequency,
    recency: round(c.recency, 4),
    T: round(c.T, 4),
    pAlive: round(c.pAlive, 6),
    churnRisk: round(c.churnRisk, 2),
    expectedPurchases: round(c.expectedPurchases, 4),
    clv: round(c.clv, 2),
    ltv: round(c.ltv, 2),
    valueTier: c.valueTier,
    churnRiskBand: c.churnRiskBand,
    churnType: c.churnType,
    expectedAverageValue: round(c.expectedAverageValue, 2),
  };
}

export const CSV_COLUMNS = Object.keys(
  customerRecord({
    customerId: '',
    stage: 'awareness',
    churnType: null,
    reason: '',
    reasonDetail: '',
    nextAction: '',
    purchases: 0,
    frequency: 0,
    recency: 0,
    T: 0,
    daysSinceLastPurchase: null,
    pAlive: null,
    churnRisk: null,
    churnRiskBand: null,
    expectedPurchases: null,
    expectedAverageValue: null,
    clv: null,
    ltv: 0,
    valueTier: null,
  }),
);

/** A JSON string literal; most strings need no escaping, and the check is cheaper than stringify. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON must escape
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
const str = (v: string | null): string => (v === null ? 'null' : NEEDS_ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`);

const POWERS = [1, 10, 100, 1000, 1e4, 1e5, 1e6];

/**
 * The same text as String(round(v, digits)), built from integers (2-3 times faster than formatting a
 * fraction; a million customers have eight of these each).
 */
export function fixedNumber(v: number, digits: number): string {
  const f = POWERS[digits];
  const scaled = Math.round(v * f);
  if (!Number.isSafeInteger(scaled)) return String(round(v, digits));
  const negative = scaled < 0;
  const abs = negative ? -scaled : scaled;
  const whole = Math.floor(abs / f);
  let fraction = abs - whole * f;
  const sign = negative ? '-' : '';
  if (fraction === 0) return `${sign}${whole}`;
  let width = digits;
  while (fraction % 10 === 0) {
    fraction /= 10;
    width--;
  }
  return `${sign}${whole}.${String(fraction).padStart(width, '0')}`;
}

const num = (v: number | null, digits: number): string => (v === null ? 'null' : fixedNumber(v, digits));

/**
 * The reason as a JSON literal, in one-byte characters where the detail allows: its tail
 * (" → <label>...") is escaped once per distinct tail, so the arrow becomes \\u2192. A string with one
 * non-ASCII character is stored two bytes per character, and writing hundreds of megabytes of those
 * takes a third longer.
 */
const tails = new Map<string, string>();
function reasonJson(c: CustomerScore): string {
  if (!c.reason.startsWith(c.reasonDetail)) return str(c.reason);
  const tail = c.reason.slice(c.reasonDetail.length);
  let escaped = tails.get(tail);
  if (escaped === undefined) {
    escaped = JSON.stringify(tail)
      .slice(1, -1)
      .replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (tails.size < 1000) tails.set(tail, escaped);
  }
  const detail = NEEDS_ESCAPE.test(c.reasonDetail) ? JSON.stringify(c.reasonDetail).slice(1, -1) : c.reasonDetail;
  return `"${detail}${escaped}"`;
}

/**
 * One customer's JSON, equal when parsed to JSON.stringify(customerRecord(c)) but built directly: a
 * million intermediate objects cost seconds of garbage collection.
 */
export function customerJson(c: CustomerScore): string {
  return (
    `{"customerId":${str(c.customerId)},"stage":"${c.stage}","reason":${reasonJson(c)},"frequency":${c.frequency},` +
    `"recency":${num(c.recency, 4)},"T":${num(c.T, 4)},"pAlive":${num(c.pAlive, 6)},"churnRisk":${num(c.churnRisk, 2)},` +
    `"expectedPurchases":${num(c.expectedPurchases, 4)},"clv":${num(c.clv, 2)},"ltv":${num(c.ltv, 2)},` +
    `"valueTier":${c.valueTier === null ? 'null' : `"${c.valueTier}"`},` +
    `"churnRiskBand":${c.churnRiskBand === null ? 'null' : `"${c.churnRiskBand}"`},` +
    `"churnType":${c.churnType === null ? 'null' : `"${c.churnType}"`},` +
    `"expectedAverageValue":${num(c.expectedAverageValue, 2)}}`
  );
}

/** A CSV field: quoted (quotes doubled) only when it holds a comma, quote or line break. */
function csvField(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** One CSV row, with its line break. */
export function customerCsv(c: CustomerScore): string {
  return Object.values(customerRecord(c)).map(csvField).join(',') + '\r\n';
}

/** The text of person `index` in the output: a JSON array element (with its separator) or a CSV row. */
export function formatRecord(c: CustomerScore, format: OutputFormat, index: number): string {
  return format === 'json' ? `${index === 0 ? '' : ','}\n    ${customerJson(c)}` : customerCsv(c);
}
