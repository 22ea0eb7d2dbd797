/**
 * A run's errors grouped by code with counts, and CSV exports of its errors and of a dry run's plan:
 * every row there, cells safe from spreadsheet formulas, and nothing of another installation's runs.
 */
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyRunStats } from '../../src/store/types.ts';
import { createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

let s: ServiceHarness;
let dryRunId = '';
const FAILED = 'run_20261202T020000_errs01';

const rows = (csv: string) => Papa.parse<string[]>(csv.trim(), { skipEmptyLines: true }).data;

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 30 } });
  const started = await s.api('/api/sync', { method: 'POST', body: { dryRun: true } });
  dryRunId = (started.body as { runId: string }).runId;
  expect((await s.waitForRun(dryRunId)).status).toBe('succeeded');
  // A sync whose writes failed: 7 records refused for one reason, 2 for another (one with a formula in its message).
  await s.h.store.createRun({ id: FAILED, installationId: 'hubspot', kind: 'sync', mode: 'full', status: 'running', asOf: '2026-12-02', startedAt: Date.now() - 60_000, stats: emptyRunStats(), rollbackOf: null, scoredAt: null });
  await s.h.store.addRunErrors([
    ...Array.from({ length: 7 }, (_, i) => ({ runId: FAILED, recordId: `c${i}`, phase: 'write' as const, code: 'VALIDATION_ERROR', message: `property lcs_ltv rejected for c${i}`, at: Date.now() })),
    { runId: FAILED, recordId: 'd1', phase: 'pull' as const, code: 'INVALID_VALUE', message: '=HYPERLINK("http://evil") is not a number', at: Date.now() },
    { runId: FAILED, recordId: 'd2', phase: 'pull' as const, code: 'INVALID_VALUE', message: 'amount "n/a" is not a number', at: Date.now() },
  ]);
  await s.h.store.updateRun(FAILED, { status: 'failed', message: 'writes failed', finishedAt: Date.now() });
}, 60_000);
afterAll(async () => {
  await s?.close();
});

describe('a run’s errors', () => {
  it('are grouped by code with counts, the most frequent first, each with an example', async () => {
    const r = await s.api(`/api/runs/${FAILED}`);
    expect(r.status).toBe(200);
    expect((r.body as { errorCounts: unknown }).errorCounts).toEqual([
      { phase: 'write', code: 'VALIDATION_ERROR', count: 7, example: 'property lcs_ltv rejected for c0' },
      { phase: 'pull', code: 'INVALID_VALUE', count: 2, example: '=HYPERLINK("http://evil") is not a number' },
    ]);
  });

  it('export as CSV, every one, with formula-looking cells made text', async () => {
    const r = await s.api(`/api/runs/${FAILED}/errors.csv`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="${FAILED}-errors.csv"`);
    const [header, ...data] = rows(String(r.body));
    expect(header).toEqual(['recordId', 'phase', 'code', 'message', 'at']);
    expect(data).toHaveLength(9);
    expect(data.find((d) => d[0] === 'd1')?.[3]).toBe('\'=HYPERLINK("http://evil") is not a number');
  });
});

describe('a dry run’s plan', () => {
  it('exports every planned change as CSV (the same count the run reports)', async () => {
    const run = (await s.h.store.getRun(dryRunId))!;
    const planned = Object.values(run.stats.changedFields).reduce((a, b) => a + (b ?? 0), 0);
    expect(planned).toBeGreaterThan(0);
    const r = await s.api(`/api/runs/${dryRunId}/plan.csv`);
    expect(r.status).toBe(200);
    const [header, ...data] = rows(String(r.body));
    expect(header).toEqual(['recordId', 'field', 'current', 'planned']);
    expect(data).toHaveLength(planned);
    expect(new Set(data.map((d) => d[0])).size).toBe(run.stats.changed);
  });

  it('is refused for a sync, and neither export reaches another installation’s run', async () => {
    expect((await s.api(`/api/runs/${FAILED}/plan.csv`)).status).toBe(409);
    const other = (await s.h.store.addInstallation({ crm: 'hubspot', name: 'Other', accountId: '777' })).installation.id;
    expect((await s.api(`/api/installations/${other}/runs/${FAILED}/errors.csv`)).status).toBe(404);
    expect((await s.api(`/api/installations/${other}/runs/${dryRunId}/plan.csv`)).status).toBe(404);
    expect((await s.api(`/api/installations/hubspot/runs/${dryRunId}/plan.csv`)).status).toBe(200);
  });
});
