/**
 * The Settings card in real headless Chromium against the service in-process (one HubSpot portal, synced
 * once so the CRM holds the stages of the current settings): a bad threshold shows the server's message
 * beside its field and nothing is saved; a new threshold's preview counts N moves, and after saving it
 * a dry run moves the same N customers; the schedule moves (the next run shown follows it); the change
 * log lists both changes, from → to. Screenshots are kept in test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';
import { ADMIN_TOKEN, createServiceHarness, type ServiceHarness } from '../server/serviceHarness.ts';
import { launchBrowser } from './browser.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const AT_RISK = '#setting-classifier-rules-atRiskMaxPAlive';

interface PageGlobals {
  document: { getElementById(id: string): { textContent: string | null } | null };
}

let s: ServiceHarness;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let previewed = -1;

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 60 } });
  const started = await s.api('/api/sync', { method: 'POST', body: {} });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  expect((await s.waitForRun((started.body as { runId: string }).runId)).status).toBe('succeeded');
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe('the Settings card', () => {
  it('shows a refused value\u2019s message beside its field, and saves nothing', async () => {
    await page.goto(s.url);
    await page.waitForSelector('#sign-in:not([hidden])');
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector(AT_RISK);
    expect(await page.inputValue(AT_RISK)).toBe('0.5');
    // Its label names it, for keyboards and screen readers.
    expect(await page.locator(`label[for="${AT_RISK.slice(1)}"]`).textContent()).toBe('At risk below P(alive)');
    await page.fill(AT_RISK, '1.5');
    await page.click('#settings-save');
    const error = `${AT_RISK}-error`;
    await page.waitForSelector(`${error}:not([hidden])`);
    expect(await page.textContent(error)).toBe('At risk below P(alive): must be between 0 and 1');
    expect(await page.getAttribute(AT_RISK, 'aria-invalid')).toBe('true');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id)).toBe(AT_RISK.slice(1));
    expect((await s.h.store.getInstallation('hubspot'))?.settings).toEqual({});
    await page.locator(AT_RISK).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'settings-error.png') });
  }, 60_000);

  it('previews how many customers a new threshold moves; after saving, a dry run moves the same number', async () => {
    await page.fill(AT_RISK, '0.9');
    await page.click('#settings-preview-button');
    await page.waitForSelector('#settings-preview-summary');
    expect(await page.isHidden(`${AT_RISK}-error`)).toBe(true);
    previewed = Number(await page.getAttribute('#settings-preview-summary', 'data-moves'));
    expect(previewed).toBeGreaterThan(0);
    expect(await page.textContent('#settings-preview-summary')).toMatch(new RegExp(`^${previewed} of 60 customers would move stage`));
    expect(await page.textContent('#settings-preview .chips')).toContain('→ At risk');
    await page.locator('#settings-preview').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'settings-preview.png') });
    // The preview saved nothing.
    expect((await s.h.store.getInstallation('hubspot'))?.settings).toEqual({});

    await page.click('#settings-save');
    await expect.poll(() => page.textContent('#settings-status')).toBe('Saved: At risk below P(alive).');
    expect((await s.h.store.getInstallation('hubspot'))?.settings).toEqual({ classifier: { rules: { atRiskMaxPAlive: 0.9 } } });
    expect(await page.textContent(`[data-field="classifier.rules.atRiskMaxPAlive"] .setting-origin`)).toContain('Set here (the file says 0.5)');

    await page.click('#dry-run');
    await page.waitForFunction(() => /Dry run succeeded/.test((globalThis as unknown as PageGlobals).document.getElementById('run-progress')?.textContent ?? ''), null, { timeout: 60_000 });
    const [dry] = await s.h.store.listRuns('hubspot', 1);
    expect(dry.kind).toBe('dry_run');
    expect(Object.values(dry.stats.stageTransitions).reduce((n, c) => n + c, 0)).toBe(previewed);
  }, 90_000);

  it('moves the schedule: the next run shown follows the new expression and time zone', async () => {
    await page.waitForSelector('#setting-schedule-cron');
    expect(await page.textContent('#settings-next-run')).toMatch(/^Next run: .* \(0 2 \* \* \*, UTC\)$/);
    await page.fill('#setting-schedule-cron', '15 3 * * 1-5');
    await page.fill('#setting-schedule-timezone', 'Europe/Berlin');
    await page.click('#settings-save');
    await expect.poll(() => page.textContent('#settings-next-run')).toMatch(/^Next run: .* \(15 3 \* \* 1-5, Europe\/Berlin\)$/);
    const scope = await s.service.context.installations.scope('hubspot');
    expect(await s.service.schedules?.status(scope)).toMatchObject({ cron: '15 3 * * 1-5', timezone: 'Europe/Berlin' });
  }, 30_000);

  it('lists every change in the change log, with from → to', async () => {
    const rows = page.locator('#settings-log tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    const texts = await rows.allTextContents();
    expect(texts[0]).toMatch(/Time zone.*schedule\.timezone.*UTC→ to Europe\/Berlin.*admin/);
    expect(texts[1]).toMatch(/Cron expression.*schedule\.cron.*0 2 \* \* \*→ to 15 3 \* \* 1-5.*admin/);
    expect(texts[2]).toMatch(/At risk below P\(alive\).*classifier\.rules\.atRiskMaxPAlive.*0\.5→ to 0\.9.*admin/);
    expect(await page.textContent('#settings-log-count')).toBe('3 changes · page 1 of 1');
    await page.locator('#settings-log').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'settings-log.png') });
    await page.locator('#settings').screenshot({ path: join(ARTIFACTS, 'settings.png') });
  }, 30_000);
});
