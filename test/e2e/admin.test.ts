/**
 * `npm start` from a clone, end to end: the CLI's `start` with no CRM configured (PORT=0) prints the
 * address and token; in real headless Chromium an admin signs in, sees the charts of the demo data,
 * starts a dry run and sees the plan before anything is written, writes it, and sees the run succeed.
 * Screenshots are kept in test-artifacts/.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';
import { launchBrowser } from './browser.ts';
import { FIELD_KEYS } from '../../connectors/contract/index.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');

let child: ChildProcessWithoutNullStreams;
let stdout = '';
let stderr = '';
let address = '';
let token = '';
let readyMs = 0;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

/** The environment of a fresh machine: none of this shell's CRM settings. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(HUBSPOT_|SALESFORCE_|LIFECYCLE_SYNC_|ADMIN_TOKEN|ENCRYPTION_KEY|PUBLIC_URL|SYNC_)/.test(key)) env[key] = value;
  }
  return { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
}

beforeAll(async () => {
  const started = Date.now();
  child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'start'], { cwd: ROOT, env: cleanEnv() });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const a = /Admin page:\s+(\S+)/.exec(stdout);
      const t = /Admin token:\s+(\S+)/.exec(stdout);
      if (a && t) {
        address = a[1].replace('localhost', '127.0.0.1');
        token = t[1];
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`npm start exited with ${code}: ${stderr}`)));
  });
  readyMs = Date.now() - started;
  browser = await launchBrowser();
  page = await browser.context.newPage();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});

/** What the page's window holds that the test reads (the Node project has no DOM types). */
interface PageGlobals {
  Chart: { getChart(id: string): { data: { labels?: unknown[]; datasets: { data: unknown[] }[] } } | undefined };
  scrollTo(x: number, y: number): void;
  document: { getElementById(id: string): { textContent: string | null } | null };
}

/** The numbers a chart draws (Chart.js's own record of what it shows). */
async function chartData(id: string): Promise<{ labels: string[]; values: number[] }> {
  return page.evaluate((canvasId) => {
    const chart = (globalThis as unknown as PageGlobals).Chart.getChart(canvasId);
    return { labels: (chart?.data.labels ?? []).map(String), values: (chart?.data.datasets[0]?.data ?? []).map(Number) };
  }, id);
}

describe('npm start with no CRM configured: the demo in a browser', () => {
  it('prints the address and the admin token within a minute', () => {
    expect(stdout).toMatch(/Lifecycle Sync demo is ready/);
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(token.length).toBeGreaterThanOrEqual(24);
    expect(readyMs).toBeLessThan(60_000);
  });

  it('asks for the token, refuses a wrong one, and shows the populated page with the right one', async () => {
    await page.goto(address);
    await page.waitForSelector('#sign-in:not([hidden])');
    await page.fill('#token', 'not-the-token-not-the-token');
    await page.click('#sign-in-form button[type=submit]');
    await expect.poll(() => page.textContent('#sign-in-error')).toBe('That token is not valid.');
    await page.fill('#token', token);
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('#app:not([hidden])');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).Chart.getChart('chart-stages') !== undefined);

    expect(await page.textContent('#crm-pill')).toBe('HubSpot · connected');
    expect(await page.textContent('#demo-banner')).toMatch(/CDNOW sample as 2,657 contacts/);
    expect(await page.textContent('#connection')).toMatch(new RegExp(`All ${FIELD_KEYS.length} fields are in place`));
    expect(await page.textContent('#kpis')).toMatch(/People scored2,6572,357 customers · 300 prospects/);

    const stages = await chartData('chart-stages');
    expect(stages.labels).toEqual(['Awareness', 'Consideration', 'First purchase', 'Retention', 'Loyalty', 'Advocacy', 'At risk', 'Churned']);
    expect(stages.values.reduce((a, b) => a + b, 0)).toBe(2657);
    const churn = await chartData('chart-churn');
    expect(churn.labels).toHaveLength(10);
    expect(churn.values.reduce((a, b) => a + b, 0)).toBe(2357);
    const tiers = await chartData('chart-tiers');
    expect(tiers.labels.map((l) => l.replace(/ \(.*/, ''))).toEqual(['Top 20 %', 'Next 30 %', 'Bottom 50 %']);
    expect(tiers.values[0]).toBeGreaterThan(tiers.values[1]);
    const moves = await chartData('chart-moves');
    expect(moves.values.reduce((a, b) => a + b, 0)).toBe(2657); // the first run scored everyone
    expect(await page.textContent('#ltv')).toMatch(/Simple LTV \(revenue ÷ customers\)\$[\d,.]+/);
    expect(await page.textContent('#model')).toMatch(/Pareto\/NBDconverged/);
    expect(await page.textContent('#runs-table tbody')).toMatch(/Sync \(full\)succeeded/);
    // The backtest card, on request: a row per model (the heuristic as baseline) and the calibration chart.
    await page.click('#backtest-run');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).Chart.getChart('chart-backtest') !== undefined, undefined, { timeout: 60_000 });
    const backtestRows = await page.locator('#backtest-result tbody tr').allTextContents();
    expect(backtestRows.map((r) => r.replace(/[\d.].*$/, ''))).toEqual(['Pareto/NBD', 'BG/NBD', 'MBG/NBD', 'Recency heuristic (baseline)']);
    const calibration = await chartData('chart-backtest');
    expect(calibration.labels[0]).toBe('0');
    await page.screenshot({ path: join(ARTIFACTS, 'admin-page.png'), fullPage: true });
  }, 60_000);

  it('starts a dry run and shows the planned changes before anything is written', async () => {
    await page.click('#dry-run');
    await page.waitForSelector('#plan-card:not([hidden])', { timeout: 60_000 });
    const summary = (await page.textContent('#plan-summary')) ?? '';
    // The demo scores its simulated pipeline too: the open deals' changes are planned beside the records'.
    expect(summary).toMatch(/^[\d,]+ records and [\d,]+ open deals would change\. Nothing has been written yet/);
    expect(await page.locator('#plan-table tbody tr').count()).toBe(100);
    expect(await page.textContent('#plan-count')).toMatch(/^Showing 100 of [\d,]+ records$/);
    // Stage moves come first, each shown as "from → to".
    expect(await page.textContent('#plan-table tbody tr:first-child td:nth-child(2)')).toMatch(/^[A-Za-z ]+→[A-Za-z ]+$/);
    expect(await page.textContent('#runs-table tbody tr:first-child')).toMatch(/Dry run \(incremental\)succeeded/);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-dry-run.png') });
  }, 90_000);

  it("downloads the dry run's plan as CSV from its detail: one row per planned change", async () => {
    const summary = (await page.textContent('#plan-summary')) ?? '';
    const records = Number(/^([\d,]+) records/.exec(summary)?.[1].replace(/,/g, ''));
    const deals = Number(/([\d,]+) open deals/.exec(summary)?.[1].replace(/,/g, ''));
    await page.click('#runs-table tbody tr:first-child');
    await page.waitForSelector('#export-plan');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-plan')]);
    expect(download.suggestedFilename()).toMatch(/^run_\w+-plan\.csv$/);
    const csv = readFileSync((await download.path()) ?? '', 'utf8').trim().split('\n');
    expect(csv[0]).toBe('recordId,field,current,planned');
    // At least one change per record that would change, every record among them.
    expect(csv.length - 1).toBeGreaterThanOrEqual(records + deals);
    const ids = new Set(csv.slice(1).map((line) => line.split(',')[0]));
    expect([...ids].filter((id) => !id.startsWith('deal:')).length).toBe(records);
    expect([...ids].filter((id) => id.startsWith('deal:')).length).toBe(deals);
    await page.click('#run-detail button:has-text("Close")');
  }, 60_000);

  it('writes the planned changes and shows the run succeed', async () => {
    const planned = Number(/^([\d,]+) records/.exec((await page.textContent('#plan-summary')) ?? '')?.[1].replace(/,/g, ''));
    expect(planned).toBeGreaterThan(0);
    await page.click('#plan-apply');
    await page.waitForFunction(() => /^Sync (succeeded|failed|stopped)/.test((globalThis as unknown as PageGlobals).document.getElementById('run-progress')?.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await page.textContent('#run-progress')).toBe(`Sync succeeded: ${planned.toLocaleString('en-US')} records written.`);
    expect(await page.textContent('#runs-table tbody tr:first-child')).toMatch(new RegExp(`Sync \\(incremental\\)succeeded.*${planned.toLocaleString('en-US')}${planned.toLocaleString('en-US')}0`));
    expect(await page.isHidden('#plan-card')).toBe(true);
    // Two syncs now (the demo's first and this one): the trend over runs appears, drawn.
    await page.waitForSelector('#trends:not([hidden])', { timeout: 10_000 });
    expect(await page.textContent('#trends-note')).toMatch(/^2 syncs, \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d$/);
    const trend = await page.evaluate(() => {
      const chart = (globalThis as unknown as PageGlobals).Chart.getChart('chart-trends');
      return chart ? { runs: chart.data.labels?.length ?? 0, people: chart.data.datasets.map((d) => d.data.map(Number)) } : null;
    });
    expect(trend?.runs).toBe(2);
    // Each sync's stages add up to the whole demo base.
    const perRun = [0, 1].map((i) => (trend?.people ?? []).reduce((sum, stage) => sum + (stage[i] ?? 0), 0));
    expect(perRun[0]).toBeGreaterThan(0);
    expect(perRun[1]).toBe(perRun[0]);
    await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, 'admin-after-run.png'), fullPage: true });
  }, 90_000);

  it('a dry run that finds nothing: says so, offers nothing to write, shows no empty transitions frame; the figures say they are planned', async () => {
    await page.click('#dry-run');
    await page.waitForFunction(() => /^Dry run succeeded/.test((globalThis as unknown as PageGlobals).document.getElementById('run-progress')?.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await page.textContent('#plan-summary')).toBe('Nothing would change: the CRM already holds these scores.');
    expect(await page.isDisabled('#plan-apply')).toBe(true);
    expect(await page.textContent('#figures-note')).toMatch(/^Planned by the dry run as of \d{4}-\d\d-\d\d: not written to the CRM yet\.$/);
    expect(await page.isVisible('#moves-empty')).toBe(true);
    expect(await page.isHidden('#moves-chart')).toBe(true);
  }, 90_000);

  it('after rolling back the sync, the figures say the CRM holds the values from before it', async () => {
    const syncRow = page.locator('#runs-table tbody tr', { hasText: 'Sync (incremental)' }).first();
    const syncId = (await syncRow.getAttribute('data-run')) ?? '';
    await syncRow.click();
    page.once('dialog', (d) => void d.accept());
    await page.click('#run-detail button.btn-danger');
    await page.waitForFunction(() => /^Rollback (succeeded|failed|stopped)/.test((globalThis as unknown as PageGlobals).document.getElementById('run-progress')?.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await page.textContent('#figures-note')).toMatch(new RegExp(`^Rolled back on .+ \\(run_\\w+, undoing ${syncId}\\): the CRM holds the values from before that run\\. These figures are the dry run's as of`));
  }, 90_000);

  it("a rollback's detail counts every record left alone, not the 1,000 errors the API sends", async () => {
    // A string, not a function: the test runner would rewrite a function's import() for Node.
    await page.evaluate(`(async () => {
      const runs = await import('/js/runs.js');
      const stats = { pulledCustomers: 0, pulledDeals: 0, classified: 0, changed: 0, written: 40, failed: 0, skippedRecords: 2066, requests: 9, rateLimited: 0, retries: 0, changedFields: {}, stageTransitions: {} };
      const errors = Array.from({ length: 1000 }, (_, i) => ({ runId: 'run_r', recordId: String(i), phase: 'rollback', code: 'CHANGED_SINCE', message: 'changed since the run', at: 0 }));
      const run = { id: 'run_r', kind: 'rollback', status: 'succeeded', asOf: '2026-11-01', stats, message: null, rollbackOf: 'run_s', startedAt: 0, finishedAt: 1, mode: null };
      runs.renderRunDetail({ run, errors }, { rollback() {}, showPlan() {}, close() {} });
    })()`);
    expect(await page.textContent('#run-detail')).toContain('First 200 of 2,066 records left alone or not restored.');
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
