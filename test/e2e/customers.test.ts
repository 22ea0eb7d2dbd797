/**
 * The Customers card in real headless Chromium, against the service in-process over a HubSpot sandbox
 * after a dry run: an admin searches by name and by id, filters, sorts, pages, opens the list from a
 * stage bar and from the "at risk or churned" figure, downloads the filtered list as CSV, follows a row's
 * link to the CRM and opens a customer. Screenshots are kept in test-artifacts/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';
import { ADMIN_TOKEN, createServiceHarness, type ServiceHarness } from '../server/serviceHarness.ts';
import { launchBrowser } from './browser.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');

/** What the page's window holds that the test reads (the Node project has no DOM types). */
interface PageGlobals {
  Chart: { getChart(id: string): { canvas: { getBoundingClientRect(): { left: number; top: number } }; getDatasetMeta(i: number): { data: { x: number; y: number; base: number }[] } } | undefined };
  document: { getElementById(id: string): { getBoundingClientRect(): { top: number; bottom: number } } | null };
  innerHeight: number;
  scrollTo(x: number, y: number): void;
}

interface Overview {
  summary: { customers: number; stages: Record<string, number> };
  labels: { stages: Record<string, string>; stageOrder: string[] };
}

let s: ServiceHarness;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let overview: Overview;
let total = 0;

/** "51–100 of 120, by predicted CLV" → its parts. */
async function range(): Promise<{ from: number; to: number; of: number }> {
  const text = (await page.textContent('#customers-range')) ?? '';
  const m = /^([\d,]+)–([\d,]+) of ([\d,]+)/.exec(text);
  if (!m) return { from: 0, to: 0, of: text.startsWith('0 customers') ? 0 : -1 };
  const n = (v: string | undefined) => Number((v ?? '').replace(/,/g, ''));
  return { from: n(m[1]), to: n(m[2]), of: n(m[3]) };
}

const rowIds = () => page.locator('#customers-table tbody tr[data-record]').evaluateAll((rows: { getAttribute(name: string): string | null }[]) => rows.map((r) => r.getAttribute('data-record') ?? ''));

/** Waits until the list shows `of` customers in all. */
const listed = (of: number) => expect.poll(async () => (await range()).of, { timeout: 10_000 }).toBe(of);

/** Clicks the middle of bar `index` of a chart, where a person would. */
async function clickBar(canvasId: string, index: number): Promise<void> {
  await page.locator(`#${canvasId}`).scrollIntoViewIfNeeded();
  const at = await page.evaluate(
    ([id, i]) => {
      const chart = (globalThis as unknown as PageGlobals).Chart.getChart(String(id));
      const bar = chart?.getDatasetMeta(0).data[Number(i)];
      const box = chart?.canvas.getBoundingClientRect();
      return bar && box ? { x: box.left + bar.x, y: box.top + (bar.y + bar.base) / 2 } : null;
    },
    [canvasId, index] as const,
  );
  if (!at) throw new Error(`no bar ${index} in ${canvasId}`);
  await page.mouse.click(at.x, at.y);
}

/** Whether the Customers card's top is on screen. */
const listInView = () =>
  page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    const top = g.document.getElementById('customers')?.getBoundingClientRect().top ?? -1;
    return top >= -2 && top < g.innerHeight;
  });

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 120 } });
  const started = await s.api('/api/sync', { method: 'POST', body: { dryRun: true } });
  expect((await s.waitForRun((started.body as { runId: string }).runId)).status).toBe('succeeded');
  overview = (await s.api('/api/overview')).body as Overview;
  total = overview.summary.customers;
  browser = await launchBrowser();
  page = await browser.context.newPage();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe('the Customers card', () => {
  it('lists everyone by predicted CLV, 50 a page, each with a link to the record in the CRM', async () => {
    await page.goto(s.url);
    await page.waitForSelector('#sign-in:not([hidden])');
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('#customers:not([hidden])');
    await listed(total);
    expect(total).toBe(120);
    expect(await range()).toEqual({ from: 1, to: 50, of: 120 });
    expect(await page.textContent('#customers-range')).toBe('1–50 of 120, by predicted CLV');
    const first = await rowIds();
    expect(first).toHaveLength(50);
    const link = page.locator(`#customers-table tr[data-record="${first[0]}"] a.crm-link`);
    expect(await link.getAttribute('href')).toBe(`https://app.hubspot.com/contacts/${s.h.sandbox.portalId}/record/0-1/${first[0]}`);
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    await page.click('#customers-next');
    await expect.poll(range).toEqual({ from: 51, to: 100, of: 120 });
    const second = await rowIds();
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    await page.click('#customers-next');
    await expect.poll(range).toEqual({ from: 101, to: 120, of: 120 });
    expect(await page.isDisabled('#customers-next')).toBe(true);
    await page.click('#customers-prev');
    await page.click('#customers-prev');
    await expect.poll(rowIds).toEqual(first);
    await page.locator('#customers').screenshot({ path: join(ARTIFACTS, 'customers.png') });
  }, 60_000);

  it('finds a customer by name and by id, and shows them when their row is clicked', async () => {
    const id = s.h.sandbox.data.contactIds()[7] ?? '';
    const props = s.h.sandbox.data.getContact(id)?.properties ?? {};
    const name = `${props.firstname} ${props.lastname}`;
    await page.fill('#customers-search', name.toUpperCase());
    // Every name listed is theirs (or contains it), theirs among them.
    const names = () => page.locator('#customers-table tbody tr[data-record] td:first-child strong').allTextContents();
    await expect.poll(async () => (await names()).every((n) => n.toLowerCase().includes(name.toLowerCase())), { timeout: 10_000 }).toBe(true);
    expect(await rowIds()).toContain(id);
    expect((await range()).of).toBeLessThan(total);
    expect(await page.textContent('#customers-filter-text')).toBe(`Showing customers: matching “${name.toUpperCase()}”`);
    await page.fill('#customers-search', id);
    await expect.poll(() => page.textContent('#customers-filter-text')).toBe(`Showing customers: matching “${id}”`);
    await expect.poll(rowIds).toContain(id);
    // A HubSpot id is a number: every row listed has it in its id (or in who it is).
    expect((await range()).of).toBeLessThan(total);
    await page.click(`#customers-table tr[data-record="${id}"]`);
    await expect.poll(() => page.textContent('#customers-detail'), { timeout: 10_000 }).toContain(`record ${id}`);
    expect(await page.textContent('#customers-detail')).toContain(name);
    await page.click('#customers-clear');
    await listed(total);
    expect(await page.isHidden('#customers-filter')).toBe(true);
  }, 60_000);

  it('filters by stage and sorts by churn risk, lowest first', async () => {
    const stage = overview.labels.stageOrder.find((st) => (overview.summary.stages[st] ?? 0) > 0) ?? '';
    await page.selectOption('#customers-stage', stage);
    await listed(overview.summary.stages[stage] ?? -1);
    const tags = await page.locator('#customers-table tbody .stage-tag').allTextContents();
    expect(new Set(tags)).toEqual(new Set([overview.labels.stages[stage]]));
    await page.selectOption('#customers-stage', '');
    await page.selectOption('#customers-sort', 'churnRisk');
    await page.selectOption('#customers-order', 'asc');
    // The caption names the order too: it changes only once the ascending page is shown.
    await expect.poll(() => page.textContent('#customers-range')).toBe('1–50 of 120, by churn risk, lowest first');
    const risks = (await page.locator('#customers-table tbody tr[data-record] td:nth-child(4)').allTextContents())
      .map((t) => /^(\d+) %/.exec(t)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number);
    expect(risks.length).toBeGreaterThan(10);
    expect(risks).toEqual([...risks].sort((a, b) => a - b));
    await page.selectOption('#customers-sort', 'clv');
    await page.selectOption('#customers-order', 'desc');
  }, 60_000);

  it('opens from a bar of the stage chart, filtered to that stage, and scrolls to it', async () => {
    const stages = overview.labels.stageOrder;
    const index = stages.findIndex((st) => (overview.summary.stages[st] ?? 0) > 0);
    const stage = stages[index] ?? '';
    await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));
    await clickBar('chart-stages', index);
    await listed(overview.summary.stages[stage] ?? -1);
    expect(await page.textContent('#customers-filter-text')).toBe(`Showing customers: ${overview.labels.stages[stage]}`);
    expect(await page.inputValue('#customers-stage')).toBe(stage);
    await expect.poll(listInView).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'customers-stage-drilldown.png') });
  }, 60_000);

  it('opens from a bar of the churn-risk histogram (its range) and of the tier chart', async () => {
    const histogram = ((await s.api('/api/overview')).body as { churnRiskHistogram: { from: number; to: number; customers: number }[] }).churnRiskHistogram;
    const index = histogram.findIndex((b) => b.customers > 0);
    const bucket = histogram[index];
    await clickBar('chart-churn', index);
    await listed(bucket?.customers ?? -1);
    expect(await page.textContent('#customers-filter-text')).toBe(`Showing customers: churn risk ${bucket?.from}–${bucket?.to} %`);
    await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));
    await clickBar('chart-tiers', 0);
    await expect.poll(() => page.inputValue('#customers-tier')).toBe('top');
    const top = ((await s.api('/api/customers?tier=top')).body as { total: number }).total;
    await listed(top);
    expect(await page.textContent('#customers-filter-text')).toMatch(/^Showing customers: Top/);
  }, 60_000);

  it('opens from the "at risk or churned" figure, and downloads that list as CSV', async () => {
    const exits = (overview.summary.stages.at_risk ?? 0) + (overview.summary.stages.churned ?? 0);
    expect(exits).toBeGreaterThan(0);
    await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));
    await page.click('#kpis [data-kpi="at-risk"]');
    await listed(exits);
    expect(await page.textContent('#customers-filter-text')).toBe(`Showing customers: ${overview.labels.stages.at_risk} or ${overview.labels.stages.churned}`);
    await expect.poll(listInView).toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#customers-csv')]);
    expect(download.suggestedFilename()).toBe('customers.csv');
    const [header, ...data] = Papa.parse<string[]>(readFileSync((await download.path()) ?? '', 'utf8').trim(), { skipEmptyLines: true }).data;
    expect(header).toEqual(['recordId', 'name', 'email', 'company', 'stage', 'churnRiskBand', 'valueTier', 'clv', 'churnRisk', 'ltv', 'conversionLikelihood', 'changedInLastRun', 'crmUrl']);
    expect(data).toHaveLength(exits);
    expect(new Set(data.map((d) => d[4]))).toEqual(new Set(['at_risk', 'churned'].filter((st) => (overview.summary.stages[st] ?? 0) > 0)));
    await page.click('#customers-clear');
    await listed(total);
  }, 60_000);
});
