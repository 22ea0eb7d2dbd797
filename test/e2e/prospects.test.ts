/**
 * Prospects on the page, in real headless Chromium against the service over a HubSpot sandbox after a
 * dry run: the "Prospects most likely to convert" card lists the ten with the highest likelihood with the
 * model's line, and the Customers card shows the conversion likelihood column, sorts by it and filters to
 * prospects, agreeing with the API.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';
import { ADMIN_TOKEN, createServiceHarness, type ServiceHarness } from '../server/serviceHarness.ts';
import { launchBrowser } from './browser.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');

interface ListAnswer {
  total: number;
  rows: { recordId: string; name: string | null; conversionLikelihood: number | null }[];
}

let s: ServiceHarness;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let prospects: ListAnswer;

const ids = (selector: string) => page.locator(`${selector} tbody tr[data-record]`).evaluateAll((rows: { getAttribute(name: string): string | null }[]) => rows.map((r) => r.getAttribute('data-record') ?? ''));

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 120 } });
  // People who have not bought yet, as a rep enters leads (the synthetic base's contacts have all bought).
  for (let i = 0; i < 30; i++) s.h.sandbox.data.createContact({ firstname: 'Lead', lastname: `Number ${i}`, email: `lead${i}@example.com` });
  const started = await s.api('/api/sync', { method: 'POST', body: { dryRun: true } });
  expect((await s.waitForRun((started.body as { runId: string }).runId)).status).toBe('succeeded');
  prospects = (await s.api('/api/customers?prospects=true&sort=conversionLikelihood&pageSize=200')).body as ListAnswer;
  browser = await launchBrowser();
  page = await browser.context.newPage();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe('prospects on the page', () => {
  it('the card lists the ten most likely to convert, highest first, with the model\'s line', async () => {
    expect(prospects.total).toBeGreaterThanOrEqual(30);
    for (const r of prospects.rows) expect(r.conversionLikelihood).toEqual(expect.any(Number));
    await page.goto(s.url);
    await page.waitForSelector('#sign-in:not([hidden])');
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('#prospects:not([hidden])');
    await expect.poll(() => ids('#prospects-table')).toEqual(prospects.rows.slice(0, 10).map((r) => r.recordId));
    expect(await page.textContent('#prospects-model')).toMatch(/^Conversion model: .*(cross-validated AUC|fallback: )/);
    const shown = await page.locator('#prospects-table tbody tr td:nth-child(2)').allTextContents();
    expect(shown).toEqual(prospects.rows.slice(0, 10).map((r) => `${r.conversionLikelihood} %`));
    await page.locator('#prospects').screenshot({ path: join(ARTIFACTS, 'prospects.png') });
  }, 60_000);

  it('the Customers card filters to prospects and sorts them by conversion likelihood', async () => {
    await page.check('#customers-prospects');
    await page.selectOption('#customers-sort', 'conversionLikelihood');
    await expect.poll(async () => (await page.textContent('#customers-range')) ?? '').toBe(`1–${Math.min(50, prospects.total)} of ${prospects.total}, by conversion likelihood`);
    expect(await ids('#customers-table')).toEqual(prospects.rows.slice(0, 50).map((r) => r.recordId));
    const first = prospects.rows[0];
    expect(await page.textContent(`#customers-table tr[data-record="${first.recordId}"] td.conversion`)).toBe(`${first.conversionLikelihood} %`);
    expect(await page.textContent('#customers-filter-text')).toBe('Showing customers: prospects');
    await page.uncheck('#customers-prospects');
    await expect.poll(async () => (await page.textContent('#customers-range')) ?? '').toBe('1–50 of 150, by conversion likelihood');
  }, 60_000);
});
