/**
 * One customer's page in real headless Chromium against `npm start`'s demo: an admin looks a customer up
 * and reads who it is, its stage, its churn risk with the band, its purchases (the last ten, then all),
 * and the values the demo's sync wrote; after a rollback, those writes are marked rolled back. A prospect
 * and an unknown id read as such. Screenshots go to test-artifacts/.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ROOT } from '../helpers.ts';
import { until } from '../until.ts';
import { launchBrowser } from './browser.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');

let child: ChildProcessWithoutNullStreams;
let stdout = '';
let stderr = '';
let address = '';
let token = '';
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

async function api(path: string, init: { method?: string; body?: unknown } = {}): Promise<unknown> {
  const r = await fetch(`${address}/api${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return r.json();
}

const customerSchema = z.object({
  inCrm: z.record(z.string(), z.string().nullable()),
  purchases: z.array(z.object({ dealId: z.string(), day: z.string(), amount: z.number() })),
});

beforeAll(async () => {
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
  browser = await launchBrowser();
  page = await browser.context.newPage();
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.goto(address);
  await page.waitForSelector('#sign-in:not([hidden])');
  await page.fill('#token', token);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('#app:not([hidden])');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});

async function lookUp(id: string): Promise<void> {
  await page.fill('#lookup-id', id);
  await page.click('#lookup-form button[type=submit]');
  await page.waitForFunction((want) => (globalThis as unknown as { document: { getElementById(id: string): { textContent: string | null } | null } }).document.getElementById('lookup-result')?.textContent?.includes(want) ?? false, id === 'nope-1' ? 'no customer' : `record ${id}`);
}

/** The page's sticky top bar would cover a scrolled element's screenshot (set through the CSSOM: the page's CSP refuses injected style sheets). */
async function unstick(): Promise<void> {
  await page.evaluate(() => {
    const bar = (globalThis as unknown as { document: { querySelector(s: string): { style: { position: string } } | null } }).document.querySelector('.topbar');
    if (bar) bar.style.position = 'static';
  });
}

const text = async (selector: string): Promise<string> => (await page.textContent(selector)) ?? '';

describe("one customer's page", () => {
  let stageLabel = '';

  it('reads as words: who, the stage, the churn risk with its band, the purchases and the values the sync wrote', async () => {
    const customer = customerSchema.parse(await api('/customers/1001'));
    const labels = z.object({ labels: z.object({ stages: z.record(z.string(), z.string()) }) }).parse(await api('/overview')).labels.stages;
    stageLabel = labels[customer.inCrm.stage ?? ''] ?? '';
    expect(stageLabel).not.toBe('');
    await lookUp('1001');

    expect(await text('#customer-head')).toMatch(/^Noah Adams.*HubSpot record 1001/);
    expect(await text('#customer-head .stage-tag')).toBe(stageLabel);
    expect(await page.getAttribute('#lookup-crm-link', 'href')).toMatch(/^https:\/\/app\.hubspot\.com\/contacts\/\d+\/record\/0-1\/1001$/);
    // The churn risk as the CRM holds it (rounded), with its band.
    expect(await text('#customer-scores')).toContain(`Churn risk ${customer.inCrm.churnRisk} % (${customer.inCrm.churnRiskBand}): `);
    expect(await text('#customer-scores')).toMatch(/Predicted CLV \$[\d,]+ over the next 12 months/);
    // The newest purchase first: date, amount in dollars, deal.
    const last = customer.purchases.at(-1);
    expect(await page.locator('#customer-purchases tbody tr').first().locator('td').allTextContents()).toEqual([last?.day, `$${last?.amount.toFixed(2)}`, last?.dealId]);
    // The demo's first sync wrote the stage: from empty to the label.
    const stageRow = page.locator('#customer-history tbody tr', { hasText: 'Lifecycle stage' }).filter({ hasText: `empty → ${stageLabel}` });
    expect(await stageRow.count()).toBe(1);
    expect(await stageRow.locator('td').nth(1).textContent()).toMatch(/^Syncrun_\w+$/);
    await unstick();
    await page.locator('#lookup-result').screenshot({ path: join(ARTIFACTS, 'customer-page.png') });
  }, 60_000);

  it('many purchases: the last ten, then all of them on request', async () => {
    const many = customerSchema.parse(await api('/customers/2901')).purchases.length;
    expect(many).toBeGreaterThan(10);
    await lookUp('2901');
    expect(await page.locator('#customer-purchases tbody tr').count()).toBe(10);
    expect(await text('#customer-purchases-all')).toBe(`Show all ${many}`);
    await page.click('#customer-purchases-all');
    expect(await page.locator('#customer-purchases tbody tr').count()).toBe(many);
    expect(await text('#customer-purchases-summary')).toMatch(new RegExp(`^${many} purchases `));
  }, 60_000);

  it("after the sync is rolled back, its writes are marked and the rollback's listed", async () => {
    const runs = z.object({ runs: z.array(z.object({ id: z.string(), kind: z.string() })) }).parse(await api('/runs'));
    const sync = runs.runs.find((r) => r.kind === 'sync')?.id ?? '';
    const { runId } = z.object({ runId: z.string() }).parse(await api(`/runs/${sync}/rollback`, { method: 'POST', body: {} }));
    const status = await until('the rollback to end', async () => {
      const s = z.object({ run: z.object({ status: z.string() }) }).parse(await api(`/runs/${runId}`)).run.status;
      return s === 'running' ? null : s;
    }, 60_000);
    expect(status).toBe('succeeded');
    await lookUp('1001');
    const rows = page.locator('#customer-history tbody tr', { hasText: 'Lifecycle stage' });
    expect((await rows.allTextContents()).filter((r) => !r.includes('reason') && !r.includes('changed at'))).toEqual([
      expect.stringMatching(new RegExp(`^.+ UTCRollback of ${sync}${runId}Lifecycle stage${stageLabel} → emptywritten$`)) as string,
      expect.stringMatching(new RegExp(`^.+ UTCSync${sync}Lifecycle stageempty → ${stageLabel}rolled back by ${runId}$`)) as string,
    ]);
    await unstick();
    await page.locator('#lookup-result').screenshot({ path: join(ARTIFACTS, 'customer-rolled-back.png') });
  }, 90_000);

  it('a prospect has no purchases table; an unknown id says which installation has no such customer', async () => {
    await lookUp('3400');
    expect(await text('#customer-purchases-summary')).toBe('No purchase yet; no open deal.');
    expect(await page.locator('#customer-purchases').count()).toBe(0);
    expect(await text('#customer-scores')).toMatch(/^No purchase yet, so no churn risk, CLV or expected purchases\./);
    await lookUp('nope-1');
    expect(await text('#lookup-result')).toBe('no customer nope-1 in installation hubspot: not among the records its last pull found (or no sync has run yet)');
  }, 60_000);
});
