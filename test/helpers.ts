import { join } from 'node:path';
import { computeFeatures } from '../src/classifier/features.ts';
import type { ClassifierSettings } from '../src/classifier/settings.ts';
import type { CustomerFeatures, CustomerInput } from '../src/classifier/types.ts';
import { loadConfig } from '../src/config/load.ts';
import { purchaseRules } from '../src/classifier/inputLimits.ts';
import { parseIsoDate, todayDay } from '../src/io/dates.ts';
import { readTransactionsCsv, tableCustomers } from '../src/io/transactionsCsv.ts';

export const ROOT = join(import.meta.dirname, '..');
export const CDNOW_CSV = join(ROOT, 'demo', 'cdnow_sample.csv');

export function settings(overrides: Record<string, unknown> = {}): ClassifierSettings {
  return loadConfig({ overrides: { classifier: overrides } }).classifier;
}

export function day(iso: string): number {
  const d = parseIsoDate(iso);
  if (d === null) throw new Error(`bad date ${iso}`);
  return d;
}

/** The CDNOW sample through the product's own CSV reader, as features as of a day. */
export async function cdnowFeatures(asOf: string): Promise<CustomerFeatures[]> {
  const asOfDay = day(asOf);
  const read = await readTransactionsCsv(CDNOW_CSV, { asOfDay, rules: purchaseRules(settings().input, todayDay()) });
  return tableCustomers(read.table).map((c) => computeFeatures(c, asOfDay, 365));
}

export function features(customer: Partial<CustomerInput> & { purchases?: CustomerInput['purchases'] }, asOfDay: number): CustomerFeatures {
  return computeFeatures({ id: customer.id ?? 'c', purchases: customer.purchases ?? [], ...customer }, asOfDay, 365);
}

export function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}
