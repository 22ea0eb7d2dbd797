/** The transactions CSV reader: formats, bad rows with line numbers, strictness, the as-of cut. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RecordProblem } from '../../src/errors.ts';
import { isoDateOfDay } from '../../src/classifier/features.ts';
import { purchaseRules } from '../../src/classifier/inputLimits.ts';
import { parseDay, todayDay } from '../../src/io/dates.ts';
import { readTransactionsCsv, tableCustomers } from '../../src/io/transactionsCsv.ts';
import { day, settings } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'lcs-csv-'));
const rules = purchaseRules(settings().input, todayDay());
function csv(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('dates', () => {
  it('accepts YYYY-MM-DD, YYYYMMDD and ISO timestamps (UTC day)', () => {
    expect(parseDay('2024-03-05')).toBe(day('2024-03-05'));
    expect(parseDay('20240305')).toBe(day('2024-03-05'));
    expect(parseDay('2024-03-05T23:59:59Z')).toBe(day('2024-03-05'));
    expect(parseDay('2024-03-05T22:00:00-05:00')).toBe(day('2024-03-06'));
    expect(parseDay('2024-03-05 10:00')).toBe(day('2024-03-05'));
  });
  it('rejects impossible or ambiguous dates', () => {
    for (const bad of ['2024-02-30', '03/05/2024', 'March 5', '', '2024-13-01', '20241301', 'yesterday']) expect(parseDay(bad)).toBeNull();
  });
});

describe('readTransactionsCsv', () => {
  it('groups purchases by customer, sorted by day', async () => {
    const path = csv('ok.csv', 'customer_id,date,amount\na,2024-01-03T10:00:00Z,-2\nb,20240102,5.5\na,2024-01-01,10\n');
    const r = await readTransactionsCsv(path, { rules });
    expect(r).toMatchObject({ rows: 3, validRows: 3, skippedRows: 0, lastDay: day('2024-01-03') });
    expect(tableCustomers(r.table).find((c) => c.id === 'a')?.purchases).toEqual([
      { day: day('2024-01-01'), amount: 10 },
      { day: day('2024-01-03'), amount: -2 },
    ]);
  });

  it('reports each bad row with its line number and reason, skips it, and keeps the rest', async () => {
    const path = csv(
      'bad.csv',
      'customer_id,date,amount\na,2024-01-01,10\n,2024-01-01,1\nb,2024-02-30,1\nc,2024-01-01,ten\n"d, inc.","2024-01-01",\nd,2024-01-05,1e3\n',
    );
    const problems: RecordProblem[] = [];
    const r = await readTransactionsCsv(path, { rules, onProblem: (p) => problems.push(p) });
    expect(r).toMatchObject({ rows: 6, validRows: 2, skippedRows: 4 });
    expect(problems).toEqual([
      { where: `${path}:3`, reason: 'empty customer_id' },
      { where: `${path}:4`, reason: 'date "2024-02-30" is not a date (YYYY-MM-DD, YYYYMMDD or an ISO timestamp)' },
      { where: `${path}:5`, reason: 'amount "ten" is not a number' },
      { where: `${path}:6`, reason: 'amount "" is not a number' },
    ]);
    expect(r.table.ids.slice().sort()).toEqual(['a', 'd']);
  });

  it('counts lines inside quoted multi-line fields and skips blank lines', async () => {
    const path = csv('multi.csv', 'customer_id,note,date,amount\na,"two\nlines",2024-01-01,1\n\nb,x,bad,1\n');
    const problems: RecordProblem[] = [];
    await readTransactionsCsv(path, { rules, onProblem: (p) => problems.push(p), columns: { customerId: 'customer_id', date: 'date', amount: 'amount' } });
    expect(problems.map((p) => p.where)).toEqual([`${path}:5`]);
  });

  it('--strict: the first bad row is fatal, with its line', async () => {
    const path = csv('strict.csv', 'customer_id,date,amount\na,2024-01-01,1\nb,nope,1\n');
    await expect(readTransactionsCsv(path, { rules, strict: true })).rejects.toThrow(`${path}:3: date "nope" is not a date`);
  });

  it('ignores rows after the as-of day and counts them', async () => {
    const path = csv('asof.csv', 'customer_id,date,amount\na,2024-01-01,1\na,2024-06-01,1\nb,2024-07-01,1\n');
    const r = await readTransactionsCsv(path, { rules, asOfDay: day('2024-05-31') });
    expect(r).toMatchObject({ validRows: 1, ignoredAfterAsOf: 2 });
    expect(r.table.ids).toEqual(['a']);
  });

  it('named columns, in any order, and a byte-order mark', async () => {
    const path = csv('named.csv', '\uFEFFvalue,when,who\n3,2024-01-01,x\n');
    const r = await readTransactionsCsv(path, { rules, columns: { customerId: 'who', date: 'when', amount: 'value' } });
    expect(tableCustomers(r.table)).toEqual([{ id: 'x', purchases: [{ day: day('2024-01-01'), amount: 3 }] }]);
  });

  it('a missing column, a missing file and an empty file are one-line errors', async () => {
    const path = csv('cols.csv', 'id,date,amount\n1,2024-01-01,1\n');
    await expect(readTransactionsCsv(path, { rules })).rejects.toThrow(`${path}: missing column "customer_id" (header has: id, date, amount); name it with --customer-column`);
    await expect(readTransactionsCsv(join(dir, 'none.csv'), { rules })).rejects.toThrow(`transactions file not found: ${join(dir, 'none.csv')}`);
    await expect(readTransactionsCsv(csv('empty.csv', ''), { rules })).rejects.toThrow('transactions file is empty (no header line)');
  });
});

describe('implausible rows (issue 8)', () => {
  const today = todayDay();
  const read = (path: string, problems: RecordProblem[], asOfDay: number | null = null) =>
    readTransactionsCsv(path, { rules, asOfDay, onProblem: (p) => problems.push(p) });

  it('a row dated after today (+ the tolerance) or before the earliest date is reported and skipped, and never moves the latest day', async () => {
    const path = csv(
      'dates.csv',
      `customer_id,date,amount\na,2024-01-01,10\nb,9999-12-31,5\nc,1899-12-31,5\nd,${isoDateOfDay(today + 1)},7\ne,${isoDateOfDay(today + 3)},7\n`,
    );
    const problems: RecordProblem[] = [];
    const r = await read(path, problems);
    expect(r).toMatchObject({ rows: 5, validRows: 2, skippedRows: 3, lastDay: today + 1 });
    expect(problems.map((p) => p.where)).toEqual([`${path}:3`, `${path}:4`, `${path}:6`]);
    expect(problems[0].reason).toBe(`date 9999-12-31 is in the future (the latest allowed is ${isoDateOfDay(today + 2)}: today + classifier.input.futureToleranceDays)`);
    expect(problems[1].reason).toBe('date 1899-12-31 is before classifier.input.earliestDate (1900-01-01)');
    expect(r.table.ids.slice().sort()).toEqual(['a', 'd']);
  });

  it('an amount beyond classifier.input.maxAmount (either sign) is reported and skipped; the maximum itself is kept', async () => {
    const path = csv('amounts.csv', 'customer_id,date,amount\na,2024-01-01,1e308\nb,2024-01-01,-1e308\nc,2024-01-01,1000000001\nd,2024-01-01,1000000000\n');
    const problems: RecordProblem[] = [];
    const r = await read(path, problems);
    expect(r).toMatchObject({ validRows: 1, skippedRows: 3 });
    expect(problems).toEqual([
      { where: `${path}:2`, reason: 'amount 1e308 is beyond classifier.input.maxAmount (1000000000)' },
      { where: `${path}:3`, reason: 'amount -1e308 is beyond classifier.input.maxAmount (1000000000)' },
      { where: `${path}:4`, reason: 'amount 1000000001 is beyond classifier.input.maxAmount (1000000000)' },
    ]);
    expect(r.table.ids).toEqual(['d']);
  });

  it('negative amounts are kept as refunds and counted', async () => {
    const path = csv('refunds.csv', 'customer_id,date,amount\na,2024-01-01,10\na,2024-01-05,-3\na,2024-01-09,0\n');
    const problems: RecordProblem[] = [];
    const r = await read(path, problems);
    expect(problems).toEqual([]);
    expect(r).toMatchObject({ validRows: 3, refundRows: 1 });
  });

  it('a huge headerless line is quoted as a short excerpt with its length', async () => {
    const line = 'x'.repeat(2_000_000);
    const path = csv('headerless.csv', `${line}\n`);
    const error = await read(path, []).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message.length).toBeLessThan(path.length + 400);
    expect(message).toContain('(2000000 characters)');
    const many = csv('wide.csv', `${Array.from({ length: 50_000 }, (_, i) => `column${i}`).join(',')}\n`);
    const wide = await read(many, []).then(
      () => '',
      (e: unknown) => (e as Error).message,
    );
    expect(wide.length).toBeLessThan(many.length + 600);
    expect(wide).toMatch(/and 49\d{3} more/);
  });

  it('a huge bad value in a row is quoted as a short excerpt with its length', async () => {
    const path = csv('longdate.csv', `customer_id,date,amount\na,${'9'.repeat(1_000_000)},1\nb,2024-01-01,${'1'.repeat(500)}x\n`);
    const problems: RecordProblem[] = [];
    await read(path, problems);
    expect(problems).toHaveLength(2);
    for (const p of problems) expect(p.reason.length).toBeLessThan(200);
    expect(problems[0].reason).toContain('(1000000 characters)');
    expect(problems[1].reason).toContain('(501 characters)');
  });
});
