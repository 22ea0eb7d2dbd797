/**
 * The Open deal pipeline card in real headless Chromium, against a HubSpot sandbox with deal scoring on:
 * the MEDDIC × win probability grid counts every open deal, the deals are listed with their names linked
 * to their deal records (object type 0-3), stages, amounts, scores, gaps and next actions, sorted by the
 * column a person picks; the win model's line says what the win probability comes from; a dry run's plan
 * shows the deal changes it would write. Where deal scoring is off, the card says how to turn it on.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDDIC_ELEMENTS, MEDDIC_INPUT_KEY } from '../../connectors/contract/index.ts';
import { dealPropertyNames, hubspotSettingsSchema } from '../../connectors/hubspot/settings.ts';
import { ROOT } from '../helpers.ts';
import { ADMIN_TOKEN, createServiceHarness, type ServiceHarness } from '../server/serviceHarness.ts';
import { launchBrowser } from './browser.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');

let s: ServiceHarness;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
const OPEN = { pipeline: 'default', closedate: '2027-03-01T00:00:00Z' };
let qualified = '';

interface ApiDeal {
  dealId: string;
  name: string | null;
  amount: number | null;
  meddicScore: number;
  winProbability: number;
}

async function sync(body: Record<string, unknown> = {}): Promise<void> {
  const started = await s.api('/api/sync', { method: 'POST', body });
  expect((await s.waitForRun((started.body as { runId: string }).runId)).status).toBe('succeeded');
}

async function signIn(p: Page, url: string): Promise<void> {
  await p.goto(url);
  await p.waitForSelector('#sign-in:not([hidden])');
  await p.fill('#token', ADMIN_TOKEN);
  await p.click('#sign-in-form button[type=submit]');
}

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 30 }, config: { sync: { deals: { enabled: true } } } });
  const data = s.h.sandbox.data;
  qualified = data.createDeal({ ...OPEN, dealname: 'Acme renewal', amount: '12000', dealstage: 'contractsent' });
  data.createDeal({ ...OPEN, dealname: 'Globex pilot', amount: '800', dealstage: 'qualifiedtobuy' });
  data.createDeal({ ...OPEN, dealname: 'Initech expansion', amount: '3500', dealstage: 'appointmentscheduled' });
  data.createDeal({ ...OPEN, dealname: 'Umbrella trial', dealstage: 'presentationscheduled' });
  // The first sync creates the MEDDIC properties; a rep then qualifies one deal fully.
  await sync();
  const n = dealPropertyNames(hubspotSettingsSchema.parse(s.h.config.connectors.hubspot));
  data.updateDeal(qualified, Object.fromEntries(MEDDIC_ELEMENTS.map((e) => [n[MEDDIC_INPUT_KEY[e]], 'confirmed'])));
  await sync();
  browser = await launchBrowser();
  page = await browser.context.newPage();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe('the Open deal pipeline card', () => {
  it('shows the grid, the win model and every open deal, sortable, each linked to its deal record', async () => {
    const deals = ((await s.api('/api/deals/open?pageSize=200')).body as { rows: ApiDeal[] }).rows;
    expect(deals.length).toBeGreaterThanOrEqual(4);
    await signIn(page, s.url);
    await page.waitForSelector('#deals:not([hidden]) #deals-table tbody tr[data-deal]');
    expect(await page.isHidden('#deals-off')).toBe(true);

    // The grid: every open deal counted once; the fully qualified deal in the top MEDDIC band.
    const counts = await page.locator('#deals-grid tbody td[data-meddic] strong').allTextContents();
    expect(counts.reduce((sum, c) => sum + Number(c.replace(/\D/g, '')), 0)).toBe(deals.length);
    const qualifiedDeal = deals.find((d) => d.dealId === qualified);
    expect(qualifiedDeal?.meddicScore).toBe(100);
    const winBand = Math.min(4, Math.floor((qualifiedDeal?.winProbability ?? 0) / 20));
    expect(Number(await page.locator(`#deals-grid td[data-meddic="4"][data-win="${winBand}"] strong`).textContent())).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#deals-grid thead th').allTextContents()).toContain('80–100 %');

    // The win model's line: fitted with its AUC, or the fallback with its reason.
    expect(await page.textContent('#deals-model')).toMatch(/^(Fitted win model: \d+ closed deals|MEDDIC score fallback: .+)/);

    // The list: highest win probability first, each deal's name linking to its record.
    const rows = page.locator('#deals-table tbody tr[data-deal]');
    expect(await rows.count()).toBe(deals.length);
    // The rows' deal ids in the order shown.
    const shownIds = async () => Promise.all((await rows.all()).map((tr) => tr.getAttribute('data-deal')));
    expect(await shownIds()).toEqual(deals.map((d) => d.dealId));
    const acme = page.locator(`#deals-table tr[data-deal="${qualified}"]`);
    const link = acme.locator('td').nth(0).locator('a.crm-link');
    expect(await link.textContent()).toBe('Acme renewal');
    expect(await link.getAttribute('href')).toBe(`https://app.hubspot.com/contacts/${s.h.sandbox.portalId}/record/0-3/${qualified}`);
    expect(await acme.locator('td').nth(1).textContent()).toBe('Contract Sent');
    expect(await acme.locator('td').nth(3).textContent()).toBe('100');
    expect(await acme.locator('td').nth(5).textContent()).toBe('none');
    expect(await acme.locator('td').nth(6).textContent()).toBe(s.h.config.classifier.deals.nextActions.allConfirmed);
    expect(await page.getAttribute('#deals-table th[data-sort="winProbability"]', 'aria-sort')).toBe('descending');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('#deals').screenshot({ path: join(ARTIFACTS, 'deal-pipeline.png') });

    // Sorted by amount, largest first; again, smallest first (deals without an amount last either way).
    await page.click('#deals-table th[data-sort="amount"] button');
    await expect.poll(() => page.getAttribute('#deals-table th[data-sort="amount"]', 'aria-sort')).toBe('descending');
    const byAmount = [...deals].sort((a, b) => (b.amount ?? -Infinity) - (a.amount ?? -Infinity) || (a.dealId < b.dealId ? -1 : 1));
    await expect.poll(shownIds).toEqual(byAmount.map((d) => d.dealId));
    expect(await page.textContent('#deals-range')).toContain('by amount');
    await page.click('#deals-table th[data-sort="amount"] button');
    await expect.poll(() => page.getAttribute('#deals-table th[data-sort="amount"]', 'aria-sort')).toBe('ascending');
    const known = deals.filter((d) => d.amount !== null).sort((a, b) => (a.amount ?? 0) - (b.amount ?? 0) || (a.dealId < b.dealId ? -1 : 1));
    await expect.poll(async () => (await shownIds()).slice(0, known.length)).toEqual(known.map((d) => d.dealId));
    expect(await page.getAttribute('#deals-table th[data-sort="winProbability"]', 'aria-sort')).toBe('none');
  }, 60_000);

  it('a dry run\u2019s plan lists the deal changes it would write', async () => {
    const n = dealPropertyNames(hubspotSettingsSchema.parse(s.h.config.connectors.hubspot));
    const other = ((await s.api('/api/deals/open?pageSize=200')).body as { rows: ApiDeal[] }).rows.find((d) => d.name === 'Globex pilot');
    s.h.sandbox.data.updateDeal(other?.dealId ?? '', { [n.meddicChampion]: 'confirmed', [n.meddicMetrics]: 'confirmed' });
    await page.click('#dry-run');
    await page.waitForSelector('#plan-card:not([hidden])', { timeout: 60_000 });
    const row = page.locator(`#plan-table tr[data-record="deal:${other?.dealId}"]`);
    await row.waitFor();
    expect(await row.locator('td').nth(0).textContent()).toBe(`Deal ${other?.dealId}`);
    expect(await row.textContent()).toMatch(/MEDDIC score:\s*0→\d+/);
    expect(await page.textContent('#plan-summary')).toMatch(/1 open deal would change/);
    expect(await page.locator('#plan-fields .chip').allTextContents()).toContain('MEDDIC score 1');
    await page.locator('#plan-card').screenshot({ path: join(ARTIFACTS, 'deal-plan.png') });
  }, 90_000);
});

describe('the card where deal scoring is off', () => {
  it('says how to turn it on', async () => {
    const off = await createServiceHarness({ dataset: { contacts: 5 } });
    const p = await browser.context.newPage();
    try {
      await signIn(p, off.url);
      await p.waitForSelector('#deals:not([hidden]) #deals-off:not([hidden])');
      expect(await p.textContent('#deals-off')).toContain('sync.deals.enabled');
      expect(await p.isHidden('#deals-on')).toBe(true);
    } finally {
      await p.close();
      await off.close();
    }
  }, 60_000);
});
