/**
 * History per installation: the stage flow between two syncs with the data changed between them (new
 * contacts, first purchases), checked against what the second sync itself counted as stage moves; a
 * real run's writes per record, searchable, paged and as CSV, rolled-back values said so; older stage
 * records pruned; another installation's runs never reachable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

let s: ServiceHarness;
const ids: Record<string, string> = {};
let other = '';
const NEW_PEOPLE = [
  { firstname: 'Zelda', lastname: 'Quartermaine', email: 'zelda.q@example.org' },
  { firstname: 'Yuri', lastname: 'Ostrowski', email: 'yuri.o@example.org' },
  { firstname: 'Xenia', lastname: 'Nakamura', email: 'xenia.n@example.org' },
];
/** Customers at risk after the first sync who buy again before the second. */
let buyers: string[] = [];

interface FlowBody {
  from: { runId: string; asOf: string; kind: string; customers: number };
  to: { runId: string; asOf: string; kind: string; customers: number };
  flows: { from: string; to: string; count: number }[];
}
interface WritesBody {
  total: number;
  page: number;
  pageSize: number;
  records: { recordId: string; display?: { name?: string; email?: string }; writes: { field: string; previous: string | null; next: string | null; status: string }[] }[];
}

async function start(body: Record<string, unknown>): Promise<string> {
  const started = await s.api('/api/sync', { method: 'POST', body });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const runId = (started.body as { runId: string }).runId;
  expect((await s.waitForRun(runId)).status).toBe('succeeded');
  return runId;
}

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 40 }, config: { sync: { stageHistoryRuns: 2 } } });
  ids.first = await start({});
  // Between the syncs: three new people, and a purchase today by three customers at risk.
  const data = s.h.sandbox.data;
  buyers = [...s.h.crmValues()].filter(([, v]) => v.lcs_stage === 'at_risk').map(([id]) => id).slice(0, 3);
  expect(buyers).toHaveLength(3);
  for (const p of NEW_PEOPLE) data.createContact(p);
  const today = new Date().toISOString().slice(0, 10);
  for (const id of buyers) data.createDeal({ dealname: 'first order', amount: '250', pipeline: 'default', dealstage: 'closedwon', closedate: `${today}T09:00:00Z` }, [id]);
  ids.second = await start({ full: true });
  other = (await s.h.store.addInstallation({ crm: 'hubspot', name: 'Other portal', accountId: '999' })).installation.id;
}, 120_000);
afterAll(async () => {
  await s?.close();
});

describe('GET /api/history/flow', () => {
  it('lists the runs whose stage records are kept, newest first', async () => {
    const r = await s.api('/api/history/flow/runs');
    expect(r.status).toBe(200);
    const body = r.body as { keep: number; runs: { runId: string; kind: string; customers: number }[] };
    expect(body.keep).toBe(2);
    expect(body.runs.map((x) => [x.runId, x.kind, x.customers])).toEqual([
      [ids.second, 'sync', 43],
      [ids.first, 'sync', 40],
    ]);
  });

  it('counts every customer from a stage to a stage, new ones too; the moves are the ones the second sync wrote', async () => {
    const r = await s.api(`/api/history/flow?from=${ids.first}&to=${ids.second}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const body = r.body as FlowBody;
    expect(body.from).toMatchObject({ runId: ids.first, kind: 'sync', customers: 40 });
    expect(body.to).toMatchObject({ runId: ids.second, kind: 'sync', customers: 43 });
    const total = (pick: (f: FlowBody['flows'][number]) => boolean) => body.flows.filter(pick).reduce((n, f) => n + f.count, 0);
    expect(total((f) => f.from !== 'new')).toBe(40);
    expect(total((f) => f.from === 'new')).toBe(NEW_PEOPLE.length);
    expect(total((f) => f.to === 'gone')).toBe(0);
    // The second sync wrote a stage wherever it differed from the first's: its own count of moves.
    const run = (await s.h.store.getRun(ids.second))?.stats.stageTransitions ?? {};
    const moves = Object.fromEntries(body.flows.filter((f) => f.from !== f.to).map((f) => [`${f.from === 'new' ? 'none' : f.from}→${f.to}`, f.count]));
    expect(moves).toEqual(run);
    // The buyers among them (a full pull refits the model too, which may move others).
    expect(total((f) => f.from === 'at_risk' && f.to !== 'at_risk')).toBeGreaterThanOrEqual(buyers.length);
    // The counts into each stage are the second run's snapshot.
    const history = (await s.api('/api/history')).body as { runs: { runId: string; stages: Record<string, number> }[] };
    const snapshot = history.runs.find((x) => x.runId === ids.second)?.stages ?? {};
    for (const [stage, n] of Object.entries(snapshot)) expect(total((f) => f.to === stage), stage).toBe(n);
  });

  it('compares a run with itself (no one moves) and names what is wrong with a request', async () => {
    const same = (await s.api(`/api/history/flow?from=${ids.second}&to=${ids.second}`)).body as FlowBody;
    expect(same.flows.every((f) => f.from === f.to)).toBe(true);
    const bad = await s.api(`/api/history/flow?from=${ids.first}`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('query.to');
    const unknown = await s.api(`/api/history/flow?from=run_nope&to=${ids.second}`);
    expect(unknown.status).toBe(404);
    expect((unknown.body as { error: { message: string } }).error.message).toBe('no run run_nope for hubspot');
  });
});

describe('GET /api/runs/:id/writes', () => {
  it('gives each record the run wrote, with its values before and after, paged', async () => {
    const run = await s.h.store.getRun(ids.second);
    const first = (await s.api(`/api/runs/${ids.second}/writes?pageSize=2`)).body as WritesBody;
    expect(first.total).toBe(run?.stats.written);
    expect(first.records).toHaveLength(2);
    const second = (await s.api(`/api/runs/${ids.second}/writes?pageSize=2&page=2`)).body as WritesBody;
    expect(second.records[0].recordId > first.records[1].recordId).toBe(true);
    const all = (await s.api(`/api/runs/${ids.second}/writes?pageSize=500`)).body as WritesBody;
    expect(all.records).toHaveLength(first.total);
    for (const r of all.records) for (const w of r.writes) expect(w.status).toBe('written');
    // Every buyer's stage moved away from at risk, as the CRM now holds it.
    const crm = s.h.crmValues();
    for (const id of buyers) {
      const stage = all.records.find((r) => r.recordId === id)?.writes.find((w) => w.field === 'stage');
      expect(stage?.next, id).toBe(crm.get(id)?.lcs_stage);
      expect(stage?.previous).toBe('at_risk');
      expect(stage?.next).not.toBe('at_risk');
    }
  });

  it('finds a record by e-mail, name or id, and one field', async () => {
    const byEmail = (await s.api(`/api/runs/${ids.second}/writes?search=${encodeURIComponent('YURI.O@example')}`)).body as WritesBody;
    expect(byEmail.total).toBe(1);
    expect(byEmail.records[0].display).toMatchObject({ email: 'yuri.o@example.org' });
    const id = byEmail.records[0].recordId;
    expect(((await s.api(`/api/runs/${ids.second}/writes?search=Ostrowski`)).body as WritesBody).records.map((r) => r.recordId)).toEqual([id]);
    expect(((await s.api(`/api/runs/${ids.second}/writes?search=${id}`)).body as WritesBody).records.map((r) => r.recordId)).toContain(id);
    const stages = (await s.api(`/api/runs/${ids.second}/writes?field=stage&pageSize=500`)).body as WritesBody;
    expect(stages.records.every((r) => r.writes.every((w) => w.field === 'stage'))).toBe(true);
    const bad = await s.api(`/api/runs/${ids.second}/writes?field=colour&pageSize=0`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/query\.field.*query\.pageSize/);
  });

  it('downloads them as CSV, the search applied; a dry run has no writes', async () => {
    const csv = await s.api(`/api/runs/${ids.second}/writes.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="${ids.second}-writes.csv"`);
    const lines = String(csv.body).trim().split(/\r?\n/);
    expect(lines[0]).toBe('recordId,name,email,field,before,after,status');
    const all = (await s.api(`/api/runs/${ids.second}/writes?pageSize=500`)).body as WritesBody;
    expect(lines.length - 1).toBe(all.records.reduce((n, r) => n + r.writes.length, 0));
    const one = String((await s.api(`/api/runs/${ids.second}/writes.csv?search=zelda`)).body).trim().split(/\r?\n/);
    expect(one.length).toBeGreaterThan(1);
    expect(one.slice(1).every((l) => l.includes('Zelda Quartermaine') && l.includes('zelda.q@example.org'))).toBe(true);
    const dry = await start({ dryRun: true });
    ids.dry = dry;
    for (const path of [`/api/runs/${dry}/writes`, `/api/runs/${dry}/writes.csv`]) {
      const r = await s.api(path);
      expect(r.status, path).toBe(409);
      expect((r.body as { error: { code: string } }).error.code).toBe('NOT_A_REAL_RUN');
    }
  }, 60_000);

  it('says which values a rollback of the run restored', async () => {
    const started = await s.api(`/api/runs/${ids.second}/rollback`, { method: 'POST', body: {} });
    expect(started.status).toBe(202);
    const rollback = (started.body as { runId: string }).runId;
    expect((await s.waitForRun(rollback)).status).toBe('succeeded');
    const all = (await s.api(`/api/runs/${ids.second}/writes?pageSize=500`)).body as WritesBody;
    expect(all.records.length).toBeGreaterThan(0);
    for (const r of all.records) for (const w of r.writes) expect(w.status).toBe('rolled_back');
    const own = (await s.api(`/api/runs/${rollback}/writes?pageSize=500`)).body as WritesBody;
    expect(own.total).toBe(all.total);
    expect(own.records.flatMap((r) => r.writes.map((w) => w.status))).not.toContain('rolled_back');
    const flow = await s.api(`/api/history/flow?from=${rollback}&to=${ids.second}`);
    expect(flow.status).toBe(404);
    expect((flow.body as { error: { message: string } }).error.message).toMatch(/is a rollback: it scored no one/);
  }, 60_000);
});

describe('retention and isolation', () => {
  it('prunes the oldest run’s stage record past sync.stageHistoryRuns, and says so', async () => {
    // The dry run made three scored runs; two are kept.
    const kept = ((await s.api('/api/history/flow/runs')).body as { runs: { runId: string }[] }).runs.map((r) => r.runId);
    expect(kept).toEqual([ids.dry, ids.second]);
    const r = await s.api(`/api/history/flow?from=${ids.first}&to=${ids.second}`);
    expect(r.status).toBe(404);
    expect((r.body as { error: { message: string } }).error.message).toMatch(new RegExp(`^${ids.first} has no stage record: it was pruned \\(only the newest 2 scored runs keep theirs`));
    // The trend's counts stay.
    expect(((await s.api('/api/history')).body as { runs: { runId: string }[] }).runs.map((x) => x.runId)).toContain(ids.first);
  });

  it('never reaches another installation’s runs', async () => {
    const flow = await s.api(`/api/installations/${other}/history/flow?from=${ids.dry}&to=${ids.second}`);
    expect(flow.status).toBe(404);
    expect(JSON.stringify(flow.body)).not.toMatch(/flows|customers/);
    for (const path of [`/runs/${ids.second}/writes`, `/runs/${ids.second}/writes.csv`]) {
      const r = await s.api(`/api/installations/${other}${path}`);
      expect(r.status, path).toBe(404);
      expect(JSON.stringify(r.body)).not.toContain('records');
    }
    expect(((await s.api(`/api/installations/${other}/history/flow/runs`)).body as { runs: unknown[] }).runs).toEqual([]);
    expect((await s.api(`/api/installations/hubspot/history/flow?from=${ids.dry}&to=${ids.second}`)).status).toBe(200);
  });
});
