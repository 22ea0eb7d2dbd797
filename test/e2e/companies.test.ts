/**
 * The Customers card for a HubSpot installation whose customers are companies, in real headless Chromium:
 * the list's second column is the company's domain, each row's link says it opens the company and goes to
 * its company record (object type 0-2), and a customer's page links the same way.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createServiceHarness, type ServiceHarness } from '../server/serviceHarness.ts';
import { launchBrowser } from './browser.ts';

let s: ServiceHarness;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 40 }, b2b: true, config: { hubspot: { customerObject: 'companies' } } });
  const started = await s.api('/api/sync', { method: 'POST', body: { dryRun: true } });
  expect((await s.waitForRun((started.body as { runId: string }).runId)).status).toBe('succeeded');
  browser = await launchBrowser();
  page = await browser.context.newPage();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe('the Customers card of a companies installation', () => {
  it('shows companies by name and domain, each linked as a company', async () => {
    await page.goto(s.url);
    await page.waitForSelector('#sign-in:not([hidden])');
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('#customers-table tbody tr[data-record]');
    await expect.poll(() => page.textContent('#customers-who-heading')).toBe('Domain');
    const id = (await page.locator('#customers-table tbody tr[data-record]').first().getAttribute('data-record')) ?? '';
    const company = s.h.sandbox.data.getCompany(id)?.properties ?? {};
    const row = page.locator(`#customers-table tr[data-record="${id}"]`);
    expect(await row.locator('td').nth(0).textContent()).toContain(company.name ?? '?');
    expect(await row.locator('td').nth(1).textContent()).toBe(company.domain);
    const link = row.locator('a.crm-link');
    expect(await link.textContent()).toBe('Open the company in the CRM');
    expect(await link.getAttribute('href')).toBe(`https://app.hubspot.com/contacts/${s.h.sandbox.portalId}/record/0-2/${id}`);
    await row.click();
    const detail = page.locator('#lookup-crm-link');
    await expect.poll(() => detail.textContent()).toBe('Open the company in the CRM');
    expect(await detail.getAttribute('href')).toBe(`https://app.hubspot.com/contacts/${s.h.sandbox.portalId}/record/0-2/${id}`);
  }, 60_000);
});
