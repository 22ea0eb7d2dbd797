/**
 * One customer as an output record: the JSON object or CSV row of the classify command. Pure
 * formatting, shared by the writer and its worker thread. Numbers are rounded to what a reader can use.
 */
import type { CustomerScore } from '../classifier/scoreColumns.ts';
import type { ClassifierSettings } from '../classifier/settings.ts';
import { reasonTail } from '../classifier/stages.ts';
import { STAGES_IN_LIFECYCLE_ORDER, type ChurnType, type Stage } from '../classifier/types.ts';
import { assertFiniteScore } from '../scoreGuard.ts';
import { textCell } from './spreadsheetCells.ts';

export type OutputFormat = 'json' | 'csv';

const round = (v: number | null, digits: number): number | null => {
  if (v === null) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/** The per-customer record as written: the classify command's documented shape plus extras. */
export function customerRecord(c: CustomerScore) {
  assertFiniteScore(c);
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

/** Each stage's reason tail as the inside of a JSON string, in ASCII (see customerJson). */
export type ReasonTails = Readonly<Record<Stage, Readonly<Record<ChurnType | 'none', string>>>>;

export function reasonTails(stages: ClassifierSettings['stages']): ReasonTails {
  const ascii = (text: string) =>
    JSON.stringify(text)
      .slice(1, -1)
      .replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return Object.fromEntries(
    STAGES_IN_LIFECYCLE_ORDER.map((stage) => [
      stage,
      {
        none: ascii(reasonTail(stages[stage].label, null)),
        natural: ascii(reasonTail(stages[stage].label, 'natural')),
        preventable: ascii(reasonTail(stages[stage].label, 'preventable')),
      },
    ]),
  ) as ReasonTails;
}

/**
 * One customer's JSON, equal when parsed to JSON.stringify(customerRecord(c)) but built directly: a
 * million intermediate objects cost seconds of garbage collection. The reason's tail (" → <label>")
 * comes from `tails`, escaped to ASCII, so the line stays a one-byte string: a string with a single
 * non-ASCII character is stored two bytes per character, and writing hundreds of megabytes of those
 * takes a third longer.
 */
export function customerJson(c: CustomerScore, tails: ReasonTails): string {
  assertFiniteScore(c);
  const detail = NEEDS_ESCAPE.test(c.reasonDetail) ? JSON.stringify(c.reasonDetail).slice(1, -1) : c.reasonDetail;
  const reason = `"${detail}${tails[c.stage][c.churnType ?? 'none']}"`;
  return (
    `{"customerId":${str(c.customerId)},"stage":"${c.stage}","reason":${reason},"frequency":${c.frequency},` +
    `"recency":${num(c.recency, 4)},"T":${num(c.T, 4)},"pAlive":${num(c.pAlive, 6)},"churnRisk":${num(c.churnRisk, 2)},` +
    `"expectedPurchases":${num(c.expectedPurchases, 4)},"clv":${num(c.clv, 2)},"ltv":${num(c.ltv, 2)},` +
    `"valueTier":${c.valueTier === null ? 'null' : `"${c.valueTier}"`},` +
    `"churnRiskBand":${c.churnRiskBand === null ? 'null' : `"${c.churnRiskBand}"`},` +
    `"churnType":${c.churnType === null ? 'null' : `"${c.churnType}"`},` +
    `"expectedAverageValue":${num(c.expectedAverageValue, 2)}}`
  );
}

/**
 * A CSV field: numbers as numbers; text made safe to open in a spreadsheet (spreadsheetCells.ts), then
 * quoted (quotes doubled) only when it holds a comma, quote or line break.
 */
function csvField(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const text = textCell(v);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV row, with its line break. */
export function customerCsv(c: CustomerScore): string {
  return Object.values(customerRecord(c)).map(csvField).join(',') + '\r\n';
}

/** The text of person `index` in the output: a JSON array element (with its separator) or a CSV row. */
export function formatRecord(c: CustomerScore, format: OutputFormat, index: number, tails: ReasonTails): string {
  return format === 'json' ? `${index === 0 ? '' : ','}\n    ${customerJson(c, tails)}` : customerCsv(c);
}

/**
 * Encodes lines as UTF-8 into byte buffers of about a megabyte. Concatenating a block into one string
 * instead makes multi-megabyte strings that only a full garbage collection frees: for a million
 * customers they held 400 MB more at the peak.
 */
export function encodeLines(count: number, line: (k: number) => string): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  for (let k = 0; k < count; k++) {
    const text = line(k);
    if (used + 3 * text.length > buffer.length) {
      chunks.push(buffer.subarray(0, used));
      buffer = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, 3 * text.length));
      used = 0;
    }
    used += buffer.write(text, used, 'utf8');
  }
  if (used > 0) chunks.push(buffer.subarray(0, used));
  return chunks;
}

const CHUNK_BYTES = 1 << 20;

