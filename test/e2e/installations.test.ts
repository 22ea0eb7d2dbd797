/**
 * Many installations on the admin page, in real headless Chromium against the service in-process (no
 * CRM in the server's environment, so no default installation):
 * - SQLite: an admin sees every installation with its health, filters to the failing one, searches by
 *   account, pauses and resumes one, opens one installation's dashboard (the URL keeps it across a
 *   reload), starts a dry run there and sees it succeed with that installation's customers only.
 * - Postgres: "Dry run" is queued until a worker takes it, and the page says so while it waits; a run
 *   whose job failed for good is listed under "Failed jobs".
 * Screenshots are kept in test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotSandbox, seedSyntheticDataset, type HubSpotSandbox } from '../../sandboxes/hubspot/index.ts';
import { startWorker, type RunningWorker } from '../../src/jobs/worker.ts';
import { silentLogger } from '../../src/log.ts';
import { emptyRunStats } from '../../src/store/types.ts';
import { ROOT } from '../helpers.ts';
import { TEST_ENCRYPTION_KEY } from '../hubspot/harness.ts';
import { ADMIN_TOKEN, createServiceHarness, type ServiceHarness } from '../server/serviceHarness.ts';
import { launchBrowser } from './browser.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const TOKEN_BETA = 'pat-na1-e2e-beta-0000000000000000000';

/** What the page's window holds that the test reads (the Node project has no DOM types). */
interface PageGlobals {
  Chart: { getChart(id: string): { data: { datasets: { data: unknown[] }[] } } | undefined };
  document: { getElementById(id: string): { textContent: string | null } | null };
  scrollTo(x: number, y: number): void;
}

/** The names in the installations table, top to bottom. */
async function listedNames(page: Page): Promise<string[]> {
  return page.locator('#installations-table tbody tr[data-installation] td:first-child a').allTextContents();
}

async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('#sign-in:not([hidden])');
  await page.fill('#token', ADMIN_TOKEN);
  await page.click('#sign-in-form button[type=submit]');
}

/** Waits until the progress line of the Run card matches. */
async function progressMatches(page: Page, pattern: RegExp, timeout = 60_000): Promise<string> {
  await page.waitForFunction((source) => new RegExp(source).test((globalThis as unknown as PageGlobals).document.getElementById('run-progress')?.textContent ?? ''), pattern.source, { timeout });
  return (await page.textContent('#run-progress')) ?? '';
}

describe('several installations (SQLite)', () => {
  let s: ServiceHarness;
  let beta: HubSpotSandbox;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    s = await createServiceHarness({ dataset: { contacts: 30 }, serviceEnv: { HUBSPOT_ACCESS_TOKEN: '' } });
    // Seeded an hour ago, as isolation.test.ts does: past the search index's lag by the first run.
    let offset = -3_600_000;
    beta = createHubSpotSandbox({ clock: () => Date.now() + offset, privateAppTokens: [{ token: TOKEN_BETA }] });
    seedSyntheticDataset(beta.data, { contacts: 12, seed: 77, today: new Date() });
    offset = 0;
    const betaUrl = await beta.listen();
    const store = s.h.store;
    for (const [name, accountId] of [['Acme Corp', '1001'], ['Beta GmbH', '2002'], ['Gamma Ltd', '3003']] as const) {
      ids[name] = (await store.addInstallation({ crm: 'hubspot', name, accountId })).installation.id;
    }
    await store.saveAccountEnv(ids['Acme Corp'], { HUBSPOT_ACCESS_TOKEN: String(s.h.env.HUBSPOT_ACCESS_TOKEN), HUBSPOT_BASE_URL: String(s.h.env.HUBSPOT_BASE_URL) });
    await store.saveAccountEnv(ids['Beta GmbH'], { HUBSPOT_ACCESS_TOKEN: TOKEN_BETA, HUBSPOT_BASE_URL: betaUrl });
    // Gamma's last run failed.
    await store.createRun({ id: 'run_20261201T020000_gamma1', installationId: ids['Gamma Ltd'], kind: 'sync', mode: 'full', status: 'running', asOf: '2026-12-01', startedAt: Date.now() - 60_000, stats: emptyRunStats(), rollbackOf: null, scoredAt: null });
    await store.updateRun('run_20261201T020000_gamma1', { status: 'failed', message: 'HubSpot refused the token', finishedAt: Date.now() - 50_000 });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    await beta?.close();
  });

  it('shows every installation with its health after sign-in, and counts them per health', async () => {
    await signIn(page, s.url);
    await page.waitForSelector('#installations-view:not([hidden])');
    await expect.poll(() => listedNames(page)).toHaveLength(3);
    expect((await listedNames(page)).sort()).toEqual(['Acme Corp', 'Beta GmbH', 'Gamma Ltd']);
    expect(page.url()).toMatch(/#\/installations$/);
    expect(await page.isHidden('#app')).toBe(true);
    const gamma = page.locator(`#installations-table tr[data-installation="${ids['Gamma Ltd']}"]`);
    expect(await gamma.textContent()).toMatch(/Gamma Ltd.*HubSpot3003Failingfailed Sync · .*HubSpot refused the token/);
    expect(await page.locator(`#installations-table tr[data-installation="${ids['Beta GmbH']}"] td:nth-child(4)`).textContent()).toBe('Never run');
    const count = (filter: string) => page.textContent(`#installations-filters [data-count="${filter}"]`);
    await expect.poll(() => count('')).toBe('3');
    expect([await count('failing'), await count('paused'), await count('never_run')]).toEqual(['1', '0', '2']);
    expect(await page.textContent('#installations-total')).toBe('3 installations');
    await page.screenshot({ path: join(ARTIFACTS, 'installations.png'), fullPage: true });
  }, 60_000);

  it('filters to the failing ones, and searches by account on the server', async () => {
    await page.click('#installations-filters button[data-filter="failing"]');
    await expect.poll(() => listedNames(page)).toEqual(['Gamma Ltd']);
    expect(await page.getAttribute('#installations-filters button[data-filter="failing"]', 'aria-pressed')).toBe('true');
    await page.click('#installations-filters button[data-filter=""]');
    await expect.poll(() => listedNames(page)).toHaveLength(3);
    await page.fill('#installations-q', '2002');
    await expect.poll(() => listedNames(page)).toEqual(['Beta GmbH']);
    await page.fill('#installations-q', 'nobody');
    await expect.poll(() => page.textContent('#installations-table tbody')).toBe('No installations matching “nobody”.');
    await page.fill('#installations-q', '');
    await expect.poll(() => listedNames(page)).toHaveLength(3);
  }, 30_000);

  it('pauses and resumes an installation from its row', async () => {
    const row = `#installations-table tr[data-installation="${ids['Beta GmbH']}"]`;
    await page.click(`${row} button`);
    await expect.poll(() => page.textContent(`${row} td:nth-child(4)`)).toBe('Paused');
    expect(await page.textContent(`${row} button`)).toBe('Resume');
    expect(await page.getAttribute(`${row} button`, 'aria-label')).toBe('Resume Beta GmbH');
    expect((await s.h.store.getInstallation(ids['Beta GmbH']))?.status).toBe('paused');
    await expect.poll(() => page.textContent('#installations-filters [data-count="paused"]')).toBe('1');
    // Its dashboard says it is paused and offers no run.
    await page.click(`${row} a`);
    await page.waitForSelector('#app:not([hidden])');
    await expect.poll(() => page.textContent('#installation-state')).toBe('Paused');
    expect(await page.isVisible('#paused-note')).toBe(true);
    expect(await page.isDisabled('#dry-run')).toBe(true);
    await page.click('#all-installations');
    await page.waitForSelector('#installations-view:not([hidden])');
    await expect.poll(() => page.textContent(`${row} button`)).toBe('Resume');
    await page.click(`${row} button`);
    await expect.poll(() => page.textContent(`${row} td:nth-child(4)`)).toBe('Never run');
    expect(await page.textContent(`${row} button`)).toBe('Pause');
    expect((await s.h.store.getInstallation(ids['Beta GmbH']))?.status).toBe('active');
    await expect.poll(() => page.textContent('#installations-filters [data-count="paused"]')).toBe('0');
  }, 30_000);

  it('opens one installation’s dashboard, and a dry run there scores that installation’s customers', async () => {
    await page.click(`#installations-table tr[data-installation="${ids['Beta GmbH']}"] td:nth-child(3)`);
    await page.waitForSelector('#app:not([hidden])');
    expect(page.url()).toMatch(new RegExp(`#/installations/${ids['Beta GmbH']}$`));
    expect(await page.textContent('#installation-name')).toBe('Beta GmbH');
    expect(await page.isVisible('#all-installations')).toBe(true);
    expect(await page.textContent('#crm-pill')).toBe('HubSpot · connected');
    expect(await page.textContent('#runs-table tbody')).toBe('No runs yet: start a dry run.');
    // No queue with SQLite: no failed-jobs card.
    expect(await page.isHidden('#jobs-card')).toBe(true);

    await page.click('#dry-run');
    const line = await progressMatches(page, /^Dry run (succeeded|failed|stopped|interrupted)/);
    expect(line).toMatch(/^Dry run succeeded: [\d,]+ records would change\.$/);
    await page.waitForSelector('#plan-card:not([hidden])');
    const customers = beta.data.contactIds().length;
    expect(customers).toBe(12);
    expect(await page.textContent('#kpis')).toMatch(new RegExp(`^People scored${customers}`));
    const staged = await page.evaluate(() => ((globalThis as unknown as PageGlobals).Chart.getChart('chart-stages')?.data.datasets[0]?.data ?? []).map(Number).reduce((a, b) => a + b, 0));
    expect(staged).toBe(customers);
    expect(await page.locator('#runs-table tbody tr').count()).toBe(1);
    expect(await page.textContent('#runs-table tbody tr:first-child')).toMatch(/Dry run \(full\)succeeded/);
    // Beta's portal only: Acme's was not read, and nothing was written to either.
    expect((await s.h.store.listRuns(ids['Acme Corp'], 5)).length).toBe(0);
    expect(beta.data.contactIds().filter((id) => beta.data.getContact(id)?.properties.lcs_stage)).toEqual([]);
    await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, 'installation-dashboard.png'), fullPage: true });
  }, 90_000);

  it('keeps the installation across a reload, and goes back to the list', async () => {
    await page.reload();
    await page.waitForSelector('#app:not([hidden])');
    await expect.poll(() => page.textContent('#installation-name')).toBe('Beta GmbH');
    await expect.poll(() => page.textContent('#runs-table tbody tr:first-child')).toMatch(/Dry run \(full\)succeeded/);
    await page.goBack();
    await page.waitForSelector('#installations-view:not([hidden])');
    await expect.poll(() => page.textContent(`#installations-table tr[data-installation="${ids['Beta GmbH']}"] td:nth-child(4)`)).toBe('OK');
    // Another installation's dashboard shows its own (empty) history, not Beta's.
    await page.click(`#installations-table tr[data-installation="${ids['Acme Corp']}"] a`);
    await expect.poll(() => page.textContent('#installation-name')).toBe('Acme Corp');
    await expect.poll(() => page.textContent('#runs-table tbody')).toBe('No runs yet: start a dry run.');
    expect(await page.isHidden('#plan-card')).toBe(true);
    await page.click('#all-installations');
    await page.waitForSelector('#installations-view:not([hidden])');
  }, 60_000);
});

describe('several installations on Postgres: queued runs and failed jobs', () => {
  let s: ServiceHarness;
  let worker: RunningWorker | null = null;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    s = await createServiceHarness({
      dataset: { contacts: 20 },
      store: 'postgres',
      serviceEnv: { HUBSPOT_ACCESS_TOKEN: '' },
      // No retries: a failing run's job is dead at once.
      config: { jobs: { retryLimit: 0, retryDelaySeconds: 1, heartbeatSeconds: 20, superviseSeconds: 2, expireHours: 1, pollSeconds: 0.5 } },
    });
    const store = s.h.store;
    for (const name of ['North', 'South']) ids[name] = (await store.addInstallation({ crm: 'hubspot', name, accountId: name.toLowerCase() })).installation.id;
    await store.saveAccountEnv(ids.North, { HUBSPOT_ACCESS_TOKEN: String(s.h.env.HUBSPOT_ACCESS_TOKEN), HUBSPOT_BASE_URL: String(s.h.env.HUBSPOT_BASE_URL) });
    // South's token is refused by the portal: its runs fail.
    await store.saveAccountEnv(ids.South, { HUBSPOT_ACCESS_TOKEN: 'pat-na1-e2e-refused-00000000000000000', HUBSPOT_BASE_URL: String(s.h.env.HUBSPOT_BASE_URL) });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await worker?.stop(5000);
    await browser?.close();
    await s?.close();
  });

  it('says a dry run is queued while no worker has taken it, then shows it succeed once one does', async () => {
    await signIn(page, `${s.url}/#/installations/${ids.North}`);
    await page.waitForSelector('#app:not([hidden])');
    expect(await page.textContent('#installation-name')).toBe('North');
    // Runs are queued here: the failed-jobs card is shown, empty.
    await page.waitForSelector('#jobs-card:not([hidden])');
    expect(await page.textContent('#jobs-table tbody')).toMatch(/^No failed jobs/);

    await page.click('#dry-run');
    expect(await progressMatches(page, /^Dry run queued — waiting for a worker/)).toMatch(/^Dry run queued — waiting for a worker \([\d.]+ (ms|s)\)$/);
    // Still waiting a moment later (nothing runs it), and the button cannot queue a second one.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await page.textContent('#run-progress')).toMatch(/^Dry run queued — waiting for a worker/);
    expect(await page.isDisabled('#dry-run')).toBe(true);
    await page.click('#refresh');
    await expect.poll(() => page.textContent('#runs-table tbody tr:first-child')).toMatch(/^queued .*Dry runqueued.*waiting for a worker/);
    await page.screenshot({ path: join(ARTIFACTS, 'installation-queued.png') });

    // South's run is queued too (through the API): it will fail, and its job is dead with no retries.
    const south = await s.api(`/api/installations/${ids.South}/sync`, { method: 'POST', body: { dryRun: true } });
    expect(south.status).toBe(202);

    worker = await startWorker({ url: String(s.h.env.DATABASE_URL), config: s.service.context.config, env: { ...s.h.env, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, HUBSPOT_ACCESS_TOKEN: '' }, store: s.h.store, log: silentLogger(), concurrency: 1 });
    expect(await progressMatches(page, /^Dry run (succeeded|failed|stopped|interrupted|skipped|cancelled)/)).toMatch(/^Dry run succeeded: [\d,]+ records would change\.$/);
    await page.waitForSelector('#plan-card:not([hidden])');
    expect(await page.textContent('#kpis')).toMatch(/^People scored20/);
  }, 90_000);

  it('lists the failed job of the installation whose run failed, with its error', async () => {
    await page.click('#all-installations');
    await page.waitForSelector('#installations-view:not([hidden])');
    // The list shows South failing once the worker has run it.
    for (let i = 0; i < 60; i++) {
      const health = await page.textContent(`#installations-table tr[data-installation="${ids.South}"] td:nth-child(4)`);
      if (health === 'Failing') break;
      await new Promise((resolve) => setTimeout(resolve, 500));
      await page.click('#installations-refresh');
    }
    expect(await page.textContent(`#installations-table tr[data-installation="${ids.South}"] td:nth-child(4)`)).toBe('Failing');
    await page.click(`#installations-table tr[data-installation="${ids.South}"] a`);
    await expect.poll(() => page.textContent('#installation-name')).toBe('South');
    // The job is marked dead just after its run's record says failed.
    for (let i = 0; i < 40; i++) {
      if ((await page.locator('#jobs-table tbody tr[data-job]').count()) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
      await page.click('#refresh');
    }
    const row = page.locator('#jobs-table tbody tr[data-job]');
    expect(await row.count()).toBe(1);
    const text = (await row.textContent()) ?? '';
    expect(text).toMatch(/^run_\w+Dry run · admin.*1 of 1/);
    expect(text).not.toContain('pat-na1-e2e-refused');
    expect(await page.textContent('#jobs-count')).toBe('1');
    await page.screenshot({ path: join(ARTIFACTS, 'installation-failed-jobs.png'), fullPage: true });
  }, 90_000);
});
