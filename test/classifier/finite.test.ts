/**
 * Issue 8: whatever the input, no output holds a non-finite number. The input rules (inputLimits.ts)
 * skip absurd rows; features, models and sums stay finite on what is left; the writers refuse anything
 * else by name rather than print "Infinity".
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/classifier/classify.ts';
import { computeFeatures } from '../../src/classifier/features.ts';
import { amountProblem, purchaseDayProblem, purchaseRules } from '../../src/classifier/inputLimits.ts';
import type { Purchase } from '../../src/classifier/types.ts';
import { todayDay } from '../../src/io/dates.ts';
import { customerCsv, customerJson, reasonTails } from '../../src/io/records.ts';
import { writeJson } from '../../src/io/resultWriters.ts';
import { classifyFile } from '../../src/offline.ts';
import { assertFiniteResult } from '../../src/scoreGuard.ts';
import { day, settings } from '../helpers.ts';

const TODAY = todayDay();
const s = settings({ fit: { minCustomers: 5, minRepeatBuyers: 3, maxIterations: 200, subsampleAbove: 50000 } });
const rules = purchaseRules(s.input, TODAY);

const amountArb = fc.oneof(
  fc.constantFrom(1e308, -1e308, Infinity, -Infinity, NaN, 0, -0, 5e-324, 1e9, -1e9, 999_999_999.99),
  fc.double(),
  fc.double({ min: -1e9, max: 1e9, noNaN: true }),
);
const dayArb = fc.oneof(
  fc.constantFrom(day('9999-12-31'), day('1899-12-31'), day('1900-01-01'), TODAY, TODAY + 2, TODAY + 3),
  fc.integer({ min: -800_000, max: 3_000_000 }),
  fc.integer({ min: day('1900-01-01'), max: TODAY + 2 }),
  fc.integer({ min: TODAY - 2000, max: TODAY }),
);
const rowsArb = fc.array(fc.record({ customer: fc.nat(30), day: dayArb, amount: amountArb }), { maxLength: 400 });

/** Every number in a value, with its path. */
function numbers(value: unknown, path = ''): [string, number][] {
  if (typeof value === 'number') return [[path, value]];
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbers(v, `${path}.${k}`));
  return [];
}

describe('random extreme inputs yield only finite numbers', () => {
  it('through the input rules, features and classify: every score and summary figure is finite, and the JSON and CSV records say so', () => {
    const tails = reasonTails(s.stages);
    fc.assert(
      fc.property(rowsArb, (rows) => {
        const purchases = new Map<number, Purchase[]>();
        for (const r of rows) {
          if (purchaseDayProblem(r.day, rules) !== null || amountProblem(r.amount, rules) !== null) continue;
          purchases.set(r.customer, [...(purchases.get(r.customer) ?? []), { day: r.day, amount: r.amount }]);
        }
        const asOfDay = Math.max(TODAY, ...[...purchases.values()].flat().map((p) => p.day));
        const features = [...purchases].map(([id, p]) => computeFeatures({ id: `c${id}`, purchases: p }, asOfDay, s.ltv.periodDays));
        const result = classify(features, { asOfDay, settings: s });
        const all = [...numbers(result.summary, 'summary'), ...numbers(result.model, 'model'), ...numbers(result.spendModel, 'spendModel')];
        for (let i = 0; i < result.size; i++) {
          const c = result.customer(i);
          all.push(...numbers(c, c.customerId));
          expect(numbers(JSON.parse(customerJson(c, tails)))).toEqual(expect.any(Array));
          expect(customerCsv(c)).not.toMatch(/Infinity|NaN/);
        }
        expect(all.filter(([, v]) => !Number.isFinite(v))).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('through the CSV reader and the JSON writer (the classify command): the output parses and holds only finite numbers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lcs-finite-'));
    const text = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '1e999' : v === -Infinity ? '-1e999' : String(v));
    const iso = (d: number) => {
      const date = new Date(d * 86_400_000);
      return Number.isNaN(date.getTime()) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999 ? 'not-a-date' : date.toISOString().slice(0, 10);
    };
    let run = 0;
    await fc.assert(
      fc.asyncProperty(rowsArb, async (rows) => {
        const file = join(dir, `t${run++}.csv`);
        writeFileSync(file, `customer_id,date,amount\nbase,2020-01-01,10\n${rows.map((r) => `c${r.customer},${iso(r.day)},${text(r.amount)}`).join('\n')}\n`);
        const { result, input, table } = await classifyFile({ file, settings: s });
        const out = new PassThrough();
        const chunks: Buffer[] = [];
        out.on('data', (c: Buffer) => chunks.push(c));
        await writeJson(result, s.stages, { input }, out, { table });
        out.end();
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        expect(numbers(parsed).filter(([, v]) => !Number.isFinite(v))).toEqual([]);
      }),
      { numRuns: 20 },
    );
  });
});

describe('the writers refuse a non-finite number by naming the customer', () => {
  // Features built by hand, past the input rules: LTV overflows.
  const overflow = computeFeatures({ id: 'big spender', purchases: [{ day: day('2024-01-01'), amount: 1e308 }, { day: day('2024-02-01'), amount: 1e308 }] }, day('2024-06-30'), 365);
  const normal = Array.from({ length: 3 }, (_, i) => computeFeatures({ id: `n${i}`, purchases: [{ day: day('2024-01-01'), amount: 10 }] }, day('2024-06-30'), 365));
  const result = classify([...normal, overflow], { asOfDay: day('2024-06-30'), settings: s });
  const score = result.customer(3);

  it('JSON and CSV records', () => {
    expect(score.ltv).toBe(Infinity);
    expect(() => customerJson(score, reasonTails(s.stages))).toThrow('customer "big spender": ltv is Infinity, not a finite number; it is not written');
    expect(() => customerCsv(score)).toThrow('customer "big spender": ltv is Infinity');
  });

  it('the whole result, before anything is written', () => {
    expect(() => assertFiniteResult(result)).toThrow(/customer "big spender": ltv is Infinity|summary\.totals\.ltv is Infinity/);
  });
});
