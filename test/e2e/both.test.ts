/**
 * Contacts and companies both as customers (`hubspot.customerObject: both`) on the admin page, in real
 * headless Chromium: the installations view lists the account's installation and its companies' companion;
 * each opens its own dashboard, whose Customers card lists its own object (contacts by e-mail, companies by
 * domain, each linked to its record type).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createServiceHarness, type ServiceHarness } from '../server/serviceHarness.ts';
import { launchBrowser } from './browser.ts';

let s: ServiceHarness;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
const COMPANIES = 'hubspot--companies';

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 30 }, b2b: true, config: { hubspot: { customerObject: 'both' } } });
  for (const path of ['/api/sync', `/api/installations/${COMPANIES}/sync`]) {
    const started = await s.api(path, { method: 'POST', body: { dryRun: true } });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect((await s.waitForRun((started.body as { runId: string }).runId)).status).toBe('succeeded');
  }
  browser = await launchBrowser();
  page = await browser.context.newPage();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

/** The record ids of the Customers card's rows. */
async function recordIds(): Promise<string[]> {
  const rows = await page.locator('#customers-table tbody tr[data-record]').all();
  return Promise.all(rows.map(async (r) => (await r.getAttribute('data-record')) ?? ''));
}

describe('contacts and companies both on the page', () => {
  it('lists both installations; each dashboard lists its own object', async () => {
    await page.goto(s.url);
    await page.waitForSelector('#sign-in:not([hidden])');
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('#installations-view:not([hidden])');
    await expect.poll(() => page.locator('#installations-table tbody tr[data-installation]').count()).toBe(2);
    const companiesRow = page.locator(`#installations-table tr[data-installation="${COMPANIES}"]`);
    expect(await companiesRow.locator('td:first-child a').textContent()).toMatch(/· companies$/);

    await companiesRow.locator('td:first-child a').click();
    await page.waitForSelector('#customers-table tbody tr[data-record]');
    await expect.poll(() => page.textContent('#customers-who-heading')).toBe('Domain');
    const companyIds = new Set(s.h.sandbox.data.companyIds());
    const shown = await recordIds();
    expect(shown.length).toBeGreaterThan(0);
    for (const id of shown) expect(companyIds.has(id), `company ${id}`).toBe(true);
    expect(await page.locator('#customers-table a.crm-link').first().textContent()).toBe('Open the company in the CRM');

    await page.goto(`${s.url}/#/installations/hubspot`);
    await expect.poll(() => page.textContent('#customers-who-heading')).toBe('E-mail · company');
    const contactIds = new Set(s.h.sandbox.data.contactIds());
    const contactsShown = await recordIds();
    expect(contactsShown.length).toBeGreaterThan(0);
    for (const id of contactsShown) expect(contactIds.has(id), `contact ${id}`).toBe(true);
  }, 60_000);
});
