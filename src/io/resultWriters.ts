/**
 * Writes a classification result as JSON or CSV to a stream, a customer at a time, so a million
 * customers never become one giant string. Numbers are rounded to what a reader can use.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import Papa from 'papaparse';
import type { ClassificationResult, CustomerScore } from '../classifier/classify.ts';

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
    purchases: c.purchases,
    daysSinceLastPurchase: c.daysSinceLastPurchase,
    expectedAverageValue: round(c.expectedAverageValue, 2),
    nextAction: c.nextAction,
  };
}

export const CSV_COLUMNS = Object.keys(
  customerRecord({
    customerId: '',
    stage: 'awareness',
    churnType: null,
    reason: '',
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

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

const BATCH = 2000;

export async function writeJson(result: ClassificationResult, extra: Record<string, unknown>, out: Writable): Promise<void> {
  const { customers, summary, ...head } = result;
  const top = { ...head, summary: { ...summary, ...extra } };
  const opening = JSON.stringify(top, null, 2);
  // Re-open the object to append the customers array without building it as one string.
  await write(out, `${opening.slice(0, -2)},\n  "customers": [`);
  for (let i = 0; i < customers.length; i += BATCH) {
    const part = customers
      .slice(i, i + BATCH)
      .map((c, j) => `${i + j === 0 ? '' : ','}\n    ${JSON.stringify(customerRecord(c))}`)
      .join('');
    await write(out, part);
  }
  await write(out, `${customers.length > 0 ? '\n  ' : ''}]\n}\n`);
}

export async function writeCsv(result: ClassificationResult, out: Writable): Promise<void> {
  await write(out, Papa.unparse([CSV_COLUMNS]) + '\r\n');
  for (let i = 0; i < result.customers.length; i += BATCH) {
    const rows = result.customers.slice(i, i + BATCH).map((c) => Object.values(customerRecord(c)).map((v) => (v === null ? '' : v)));
    await write(out, Papa.unparse(rows) + '\r\n');
  }
}
