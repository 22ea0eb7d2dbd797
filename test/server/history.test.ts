/**
 * GET /api/history: each run's snapshot of the base (customers per stage, band and tier, totals), oldest
 * first; syncs told from dry runs; per installation like every other route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

let s: ServiceHarness;
const runIds: string[] = [];

interface Snapshot {
  runId: string;
  kind: string;
  asOf: string;
  customers: number;
  stages: Record<string, number>;
  churnRiskBands: { low: number; medium: number; high: number };
  valueTiers: { top: number; middle: number; bottom: number };
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 40 } });
  for (const body of [{ dryRun: true }, {}, {}]) {
    const started = await s.api('/api/sync', { method: 'POST', body });
    const runId = (started.body as { runId: string }).runId;
    expect((await s.waitForRun(runId)).status).toBe('succeeded');
    runIds.push(runId);
  }
}, 120_000);
afterAll(async () => {
  await s?.close();
});

describe('/api/history', () => {
  it('gives one snapshot per run, oldest first, whose counts add up to the base', async () => {
    const r = await s.api('/api/history');
    expect(r.status).toBe(200);
    const runs = (r.body as { runs: Snapshot[] }).runs;
    expect(runs.map((x) => x.runId)).toEqual(runIds);
    expect(runs.map((x) => x.kind)).toEqual(['dry_run', 'sync', 'sync']);
    const people = s.h.sandbox.data.contactIds().length;
    for (const x of runs) {
      expect(x.customers).toBe(people);
      expect(sum(x.stages)).toBe(people);
      expect(x.asOf).toMatch(/^\d{4}-\d\d-\d\d$/);
    }
    // The latest snapshot is what the overview shows.
    const overview = (await s.api('/api/overview')).body as { summary: { stages: Record<string, number>; churnRiskBands: Record<string, number> } };
    expect(runs.at(-1)?.stages).toEqual(overview.summary.stages);
    expect(runs.at(-1)?.churnRiskBands).toEqual(overview.summary.churnRiskBands);
  });

  it('keeps only syncs when asked, and the latest N', async () => {
    expect(((await s.api('/api/history?kind=sync')).body as { runs: Snapshot[] }).runs.map((x) => x.runId)).toEqual(runIds.slice(1));
    expect(((await s.api('/api/history?limit=1')).body as { runs: Snapshot[] }).runs.map((x) => x.runId)).toEqual(runIds.slice(2));
    const bad = await s.api('/api/history?limit=0');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('query.limit');
  });

  it('is per installation: another installation has its own (empty) history', async () => {
    const other = (await s.h.store.addInstallation({ crm: 'hubspot', name: 'Other portal', accountId: '999' })).installation.id;
    expect(((await s.api(`/api/installations/${other}/history`)).body as { runs: unknown[] }).runs).toEqual([]);
    expect(((await s.api('/api/installations/hubspot/history')).body as { runs: Snapshot[] }).runs).toHaveLength(3);
  });
});
