/**
 * History on the admin page, in real headless Chromium against the service in-process: after two syncs
 * with the data changed between them (new people, purchases by customers at risk) and a dry run, an admin
 * picks two runs in the Trends card and sees the flow the API computes; opens the second sync, sees what
 * it wrote record by record, searches one person by e-mail and downloads what the search found as CSV.
 * Screenshots are kept in test-artifacts/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';
import { ADMIN_TOKEN, createServiceHarness, type ServiceHarness } from '../server/serviceHarness.ts';
import { launchBrowser } from './browser.ts';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const NEWCOMER = { firstname: 'Wanda', lastname: 'Okonkwo-Leigh', email: 'wanda.ol@example.org' };

let s: ServiceHarness;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
const ids: Record<string, string> = {};

async function start(body: Record<string, unknown>): Promise<string> {
  const started = await s.api('/api/sync', { method: 'POST', body });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const runId = (started.body as { runId: string }).runId;
  expect((await s.waitForRun(runId)).status).toBe('succeeded');
  return runId;
}

/** The flow table's non-empty cells, "from>to" → count, as the page shows them. */
async function shownFlow(): Promise<Record<string, number>> {
  const cells = await page.locator('#flow-table tbody td[data-count]').evaluateAll((tds: unknown[]) =>
    tds.map((td) => {
      // A page element (the Node project has no DOM types).
      const cell = td as { getAttribute(name: string): string | null };
      return [cell.getAttribute('data-from'), cell.getAttribute('data-to'), Number(cell.getAttribute('data-count'))] as const;
    }),
  );
  return Object.fromEntries(cells.filter(([, , n]) => n > 0).map(([from, to, n]) => [`${from}>${to}`, n]));
}

async function apiFlow(from: string, to: string): Promise<Record<string, number>> {
  const body = (await s.api(`/api/history/flow?from=${from}&to=${to}`)).body as { flows: { from: string; to: string; count: number }[] };
  return Object.fromEntries(body.flows.map((f) => [`${f.from}>${f.to}`, f.count]));
}

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 40 } });
  ids.first = await start({});
  const data = s.h.sandbox.data;
  const atRisk = [...s.h.crmValues()].filter(([, v]) => v.lcs_stage === 'at_risk').map(([id]) => id).slice(0, 3);
  const today = new Date().toISOString().slice(0, 10);
  for (const id of atRisk) data.createDeal({ dealname: 'comeback', amount: '300', pipeline: 'default', dealstage: 'closedwon', closedate: `${today}T09:00:00Z` }, [id]);
  ids.newcomer = data.createContact(NEWCOMER);
  data.createContact({ firstname: 'Victor', lastname: 'Amsel', email: 'victor.a@example.org' });
  ids.second = await start({ full: true });
  ids.dry = await start({ dryRun: true });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe('history on the admin page', () => {
  it('shows the flow between the newest two runs, then between the two syncs picked, as the API counts it', async () => {
    await page.goto(s.url);
    await page.waitForSelector('#sign-in:not([hidden])');
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('#flow:not([hidden]) #flow-table tbody tr');
    // By default: the run before the newest, to the newest.
    expect(await page.inputValue('#flow-from')).toBe(ids.second);
    expect(await page.inputValue('#flow-to')).toBe(ids.dry);
    expect(await shownFlow()).toEqual(await apiFlow(ids.second, ids.dry));
    expect(await page.textContent('#flow-to option:checked')).toMatch(/^Dry run as of \d{4}-\d\d-\d\d · /);

    await page.selectOption('#flow-from', ids.first);
    await page.selectOption('#flow-to', ids.second);
    const expected = await apiFlow(ids.first, ids.second);
    await expect.poll(shownFlow).toEqual(expected);
    // Two newcomers, a "New" row; stages in words; each row's total is the people of that stage.
    expect(Object.entries(expected).filter(([k]) => k.startsWith('new>')).reduce((n, [, c]) => n + c, 0)).toBe(2);
    expect(await page.textContent('#flow-table tbody tr[data-from="new"] th')).toBe('New');
    expect(await page.textContent('#flow-table thead')).toMatch(/At risk/);
    const moved = Object.entries(expected).filter(([k]) => !k.startsWith('new>') && k.split('>')[0] !== k.split('>')[1]).reduce((n, [, c]) => n + c, 0);
    expect(moved).toBeGreaterThan(0);
    expect(await page.textContent('#flow-summary')).toMatch(new RegExp(`^${moved} of 40 people changed stage between .+; 2 new, 0 gone\\.$`));
    await page.locator('#trends').scrollIntoViewIfNeeded();
    await page.locator('#trends').screenshot({ path: join(ARTIFACTS, 'history-flow.png') });
  }, 60_000);

  it("opens a sync's detail: what it wrote, searched by e-mail, downloaded as CSV", async () => {
    const run = await s.h.store.getRun(ids.second);
    await page.click(`#runs-table tbody tr[data-run="${ids.second}"]`);
    await page.waitForSelector('#writes-table tbody tr[data-record]');
    expect(await page.textContent('#writes-count')).toBe(`Records 1–${Math.min(50, run?.stats.written ?? 0)} of ${run?.stats.written}`);
    await page.fill('#writes-search', 'WANDA.OL@');
    await page.press('#writes-search', 'Enter');
    await expect.poll(() => page.locator('#writes-table tbody tr[data-record]').count()).toBe(1);
    const row = page.locator('#writes-table tbody tr[data-record]');
    expect(await row.getAttribute('data-record')).toBe(ids.newcomer);
    expect(await row.textContent()).toContain('Wanda Okonkwo-Leigh · wanda.ol@example.org');
    // A newcomer's stage is written from nothing: "— → stage".
    expect(await row.locator('td:nth-child(2)').textContent()).toMatch(/^—→[A-Z][a-z ]+$/);
    expect(await row.locator('td:last-child').textContent()).toBe('written');
    expect(await page.textContent('#writes-count')).toBe('Records 1–1 of 1 matching “WANDA.OL@”');
    await page.locator('#run-writes').screenshot({ path: join(ARTIFACTS, 'history-run-writes.png') });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-writes')]);
    expect(download.suggestedFilename()).toBe(`${ids.second}-writes.csv`);
    const csv = readFileSync((await download.path()) ?? '', 'utf8').trim().split(/\r?\n/);
    expect(csv[0]).toBe('recordId,name,email,field,before,after,status');
    const api = (await s.api(`/api/runs/${ids.second}/writes?search=wanda.ol%40`)).body as { records: { writes: unknown[] }[] };
    expect(csv.length - 1).toBe(api.records[0].writes.length);
    expect(csv.slice(1).every((line) => line.startsWith(`${ids.newcomer},Wanda Okonkwo-Leigh,wanda.ol@example.org,`) && line.endsWith(',written'))).toBe(true);
  }, 60_000);
});
