/**
 * The last check before any writer (JSON and CSV output, the values written to the CRM and the scores
 * stored for the admin API): a NaN or an infinity is an error naming the customer and the field. It is
 * never written: JSON.stringify would turn it into a silent null, the JSON writer into "Infinity" (not
 * JSON), a CRM into whatever it makes of the text. The input rules (classifier/inputLimits.ts) keep real
 * data far from this; reaching it means a bug or data that bypassed them.
 */
import { quoted } from '../connectors/contract/index.ts';
import type { ClassificationResult } from './classifier/classify.ts';
import type { CustomerScore } from './classifier/scoreColumns.ts';
import { LifecycleSyncError } from './errors.ts';

const SCORE_NUMBERS = ['ltv', 'clv', 'expectedAverageValue', 'expectedPurchases', 'pAlive', 'churnRisk', 'frequency', 'recency', 'T', 'daysSinceLastPurchase'] as const satisfies readonly (keyof CustomerScore)[];

function notFinite(what: string, value: number): LifecycleSyncError {
  return new LifecycleSyncError('INPUT_INVALID', `${what} is ${value}, not a finite number; it is not written (check the input amounts against classifier.input.maxAmount)`);
}

/** Throws when one of the customer's numbers is NaN or infinite. */
export function assertFiniteScore(c: CustomerScore): void {
  for (const key of SCORE_NUMBERS) {
    const v = c[key];
    if (v !== null && !Number.isFinite(v)) throw notFinite(`customer ${quoted(c.customerId)}: ${key}`, v);
  }
}

function firstNonFinite(value: unknown, path: string): [string, number] | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : [path, value];
  if (value === null || typeof value !== 'object') return null;
  for (const [key, v] of Object.entries(value)) {
    const found = firstNonFinite(v, `${path}.${key}`);
    if (found) return found;
  }
  return null;
}

/**
 * Throws, before anything is written, when any number of the result is NaN or infinite: the score
 * columns, the summary and the model reports. Names the first customer at fault when there is one.
 */
export function assertFiniteResult(result: ClassificationResult): void {
  const { purchaserIndex, pAlive, expectedPurchases, expectedValue, clv } = result.columns;
  for (let i = 0; i < result.size; i++) {
    const j = purchaserIndex[i];
    if (j >= 0 && !Number.isFinite(pAlive[j] + expectedPurchases[j] + expectedValue[j] + clv[j])) assertFiniteScore(result.customer(i));
  }
  const found = firstNonFinite(result.summary, 'summary') ?? firstNonFinite(result.model, 'model') ?? firstNonFinite(result.spendModel, 'spendModel');
  if (!found) return;
  // A per-customer value (LTV) summed into the summary: name the customer rather than the sum.
  for (let i = 0; i < result.size; i++) assertFiniteScore(result.customer(i));
  throw notFinite(found[0], found[1]);
}
