/**
 * The history concerns of the Store against both implementations (as conformance.test.ts): each run's
 * stage per customer kept in pages, merged into the flow between any two runs, pruned to the newest runs;
 * and what a real run wrote per record, searchable and paged, with what became of each value.
 */
import { describe, expect, it } from 'vitest';
import type { FieldKey } from '../../connectors/contract/index.ts';
import { GONE, NEW, stageFlow, type Flow } from '../../src/service/stageFlow.ts';
import { StagePage } from '../../src/store/stagePages.ts';
import { emptyRunStats, type AuditEntry, type NewRun, type Store } from '../../src/store/types.ts';
import { STORE_KINDS, storePlaces } from '../stores.ts';

function run(id: string, o: Partial<NewRun> = {}): NewRun {
  return { id, installationId: 'i', kind: 'sync', mode: 'full', status: 'succeeded', asOf: '2026-01-01', startedAt: 1, stats: emptyRunStats(), rollbackOf: null, scoredAt: 5, ...o };
}

/** Saves the customers (in record order) as pages of `per`, the last one marked, as the plan phase does. */
async function saveStages(store: Store, runId: string, customers: [string, string][], per: number, o: { complete?: boolean; installationId?: string } = {}): Promise<void> {
  const sorted = [...customers].sort(([a], [b]) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  for (let at = 0; at === 0 || at < sorted.length; at += per) {
    const page = new StagePage();
    for (const [id, stage] of sorted.slice(at, at + per)) page.add(id, stage);
    const last = at + per >= sorted.length;
    await store.transaction((tx) => tx.saveStagePage(o.installationId ?? 'i', runId, page, last && o.complete !== false));
  }
}

/** The flow computed the plain way, from two maps. */
function expectedFlow(from: Map<string, string>, to: Map<string, string>): Map<string, number> {
  const out = new Map<string, number>();
  const add = (key: string) => out.set(key, (out.get(key) ?? 0) + 1);
  for (const [id, stage] of from) add(`${stage}>${to.get(id) ?? GONE}`);
  for (const [id, stage] of to) if (!from.has(id)) add(`${NEW}>${stage}`);
  return out;
}

const asMap = (flows: Flow[]) => new Map(flows.map((f) => [`${f.from}>${f.to}`, f.count]));

function audit(runId: string, recordId: string, field: FieldKey, state: AuditEntry['state'], next: string, previous: string | null = null): Omit<AuditEntry, 'id'> {
  return { runId, recordId, field, previous, next, state, at: 10 };
}

describe.each(STORE_KINDS)('the %s store', (kind) => {
  const place = storePlaces(kind);
  const withStore = async (fn: (store: Store) => Promise<void>): Promise<void> => {
    const store = await (await place()).open({});
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  };

  describe('stage records', () => {
    it('keeps each run’s stage per customer and merges two runs into the flow, new and gone customers counted', async () => {
      await withStore(async (store) => {
        await store.createRun(run('r1', { startedAt: 100 }));
        await store.createRun(run('r2', { startedAt: 200, kind: 'dry_run' }));
        await store.createRun(run('r3', { startedAt: 300, status: 'failed' }));
        const stages = ['purchase', 'retention', 'loyalty', 'at_risk', 'churned'];
        // Ids unlike each other in bytes and in a language's collation ('B' < 'a' in bytes), several pages.
        const one = new Map<string, string>();
        const two = new Map<string, string>();
        for (let i = 0; i < 3000; i++) {
          const id = `${i % 3 === 0 ? 'B' : 'a'}${String(i * 7919).padStart(7, '0')}`;
          if (i % 10 !== 0) one.set(id, stages[i % 5]);
          if (i % 13 !== 0) two.set(id, stages[(i * 3) % 5]);
        }
        await saveStages(store, 'r1', [...one], 250);
        await saveStages(store, 'r2', [...two], 400);
        // r3 failed before its last page: no complete record.
        await saveStages(store, 'r3', [...one].slice(0, 500), 250, { complete: false });
        expect((await store.stageRecordRuns('i', 10)).map((r) => [r.runId, r.kind, r.customers])).toEqual([
          ['r2', 'dry_run', two.size],
          ['r1', 'sync', one.size],
        ]);
        expect(await store.stageRecordRuns('other', 10)).toEqual([]);
        const flows = await stageFlow(store, 'r1', 'r2');
        expect(asMap(flows)).toEqual(expectedFlow(one, two));
        expect(flows.reduce((n, f) => n + (f.from === NEW ? 0 : f.count), 0)).toBe(one.size);
        expect(flows.reduce((n, f) => n + (f.to === GONE ? 0 : f.count), 0)).toBe(two.size);
        expect(flows.some((f) => f.from === NEW) && flows.some((f) => f.to === GONE)).toBe(true);
        // Either way round.
        expect(asMap(await stageFlow(store, 'r2', 'r1'))).toEqual(expectedFlow(two, one));
        // A page read back holds its customers in record order with their stages.
        const [first] = await store.stagePages('r1', null, 1);
        expect(first.recordIds).toHaveLength(250);
        expect(first.stages).toEqual(first.recordIds.map((id) => one.get(id)));
      });
    });

    it('marks the end of a run that scored no one, and a page saved again replaces itself', async () => {
      await withStore(async (store) => {
        await store.createRun(run('empty', { startedAt: 100 }));
        await store.createRun(run('full', { startedAt: 200 }));
        await saveStages(store, 'empty', [], 10);
        await saveStages(store, 'full', [['c1', 'purchase'], ['c2', 'loyalty']], 10);
        await saveStages(store, 'full', [['c1', 'retention'], ['c2', 'loyalty']], 10);
        expect((await store.stageRecordRuns('i', 10)).map((r) => [r.runId, r.customers])).toEqual([
          ['full', 2],
          ['empty', 0],
        ]);
        expect(asMap(await stageFlow(store, 'empty', 'full'))).toEqual(new Map([[`${NEW}>retention`, 1], [`${NEW}>loyalty`, 1]]));
      });
    });

    it('prunes all but the newest complete runs (and the run asking), and goes with its installation', async () => {
      await withStore(async (store) => {
        await store.upsertInstallation({ id: 'i', crm: 'hubspot', name: 'I' });
        for (const [n, id] of ['a', 'b', 'c', 'd', 'e'].entries()) await store.createRun(run(id, { startedAt: 100 * (n + 1) }));
        await store.createRun(run('x', { installationId: 'j', startedAt: 50 }));
        for (const id of ['a', 'c', 'd']) await saveStages(store, id, [['c1', 'purchase']], 10);
        // b never finished its record; e is the run pruning (still writing its pages).
        await saveStages(store, 'b', [['c1', 'purchase']], 10, { complete: false });
        await saveStages(store, 'e', [['c1', 'purchase']], 10, { complete: false });
        await saveStages(store, 'x', [['c1', 'purchase']], 10, { installationId: 'j' });
        expect((await store.pruneStageRecords('i', 2, 'e')).sort()).toEqual(['a', 'b']);
        expect((await store.stageRecordRuns('i', 10)).map((r) => r.runId)).toEqual(['d', 'c']);
        expect(await store.stagePages('a', null, 10)).toEqual([]);
        expect(await store.stagePages('e', null, 10)).toHaveLength(1);
        // Another installation's records are its own.
        expect((await store.stageRecordRuns('j', 10)).map((r) => r.runId)).toEqual(['x']);
        expect(await store.pruneStageRecords('i', 2, 'e')).toEqual([]);
        expect(await store.removeInstallation('i')).toBe(true);
        expect(await store.stagePages('d', null, 10)).toEqual([]);
        expect(await store.stageRecordRuns('j', 10)).toHaveLength(1);
      });
    });
  });

  describe('a run’s writes per record', () => {
    it('says what each value became (written, failed, rolled back, unconfirmed), searchable by id, name, e-mail or company, paged', async () => {
      await withStore(async (store) => {
        await store.createRun(run('s1', { startedAt: 100 }));
        await store.createRun(run('s0', { startedAt: 50 }));
        await store.createRun(run('rb', { kind: 'rollback', rollbackOf: 's1', startedAt: 200 }));
        await store.upsertCustomers('i', [
          { recordId: 'c1', modifiedAt: 1, signals: {}, crmValues: {}, display: { name: 'Ada Lovelace', email: 'ada@example.com', company: 'Analytical Ltd' } },
          { recordId: 'c2', modifiedAt: 1, signals: {}, crmValues: {}, display: { name: 'Grace "Amazing" Hopper', email: 'grace@navy.example' } },
          { recordId: 'c3', modifiedAt: 1, signals: {}, crmValues: {} },
          { recordId: 'c_%4', modifiedAt: 1, signals: {}, crmValues: {} },
        ]);
        await store.addAudit([
          audit('s1', 'c1', 'stage', 'applied', 'loyalty', 'purchase'),
          audit('s1', 'c1', 'churnRisk', 'applied', '12', '40'),
          audit('s1', 'c2', 'stage', 'failed', 'at_risk'),
          audit('s1', 'c3', 'stage', 'pending', 'churned'),
          audit('s1', 'c_%4', 'ltv', 'applied', '100'),
          audit('s0', 'c9', 'stage', 'applied', 'purchase'),
          // The rollback restored c1's stage; its churn risk stays as s1 wrote it.
          audit('rb', 'c1', 'stage', 'applied', 'purchase', 'loyalty'),
        ]);
        const all = await store.runWrites('s1', {}, { limit: 10 });
        expect(all.map((r) => r.recordId)).toEqual(['c1', 'c2', 'c3', 'c_%4']);
        expect(all[0]).toEqual({
          recordId: 'c1',
          display: { name: 'Ada Lovelace', email: 'ada@example.com', company: 'Analytical Ltd' },
          writes: [
            { field: 'stage', previous: 'purchase', next: 'loyalty', status: 'rolled_back', at: 10 },
            { field: 'churnRisk', previous: '40', next: '12', status: 'written', at: 10 },
          ],
        });
        expect(all.slice(1).map((r) => [r.recordId, r.writes.map((w) => w.status)])).toEqual([
          ['c2', ['failed']],
          ['c3', ['unconfirmed']],
          ['c_%4', ['written']],
        ]);
        expect(all[2].display).toBeUndefined();
        expect(await store.countRunWrites('s1', {})).toBe(4);
        // The rollback's own writes are written, not "rolled back".
        expect((await store.runWrites('rb', {}, { limit: 10 }))[0].writes[0].status).toBe('written');
        const found = async (search: string) => (await store.runWrites('s1', { search }, { limit: 10 })).map((r) => r.recordId);
        expect(await found('LOVELACE')).toEqual(['c1']);
        expect(await found('navy.example')).toEqual(['c2']);
        expect(await found('analytical')).toEqual(['c1']);
        // Characters JSON escapes are found in the names as they are.
        expect(await found('"amazing" hop')).toEqual(['c2']);
        // The names of the fields in the stored JSON are not what is searched.
        expect(await found('email')).toEqual([]);
        expect(await found('c3')).toEqual(['c3']);
        // % and _ are themselves, not wildcards.
        expect(await found('%')).toEqual(['c_%4']);
        expect(await found('c_')).toEqual(['c_%4']);
        expect(await found('  ')).toEqual(['c1', 'c2', 'c3', 'c_%4']);
        expect(await found('nobody')).toEqual([]);
        expect(await store.countRunWrites('s1', { search: 'example' })).toBe(2);
        // One field: the records that wrote it, with that field only.
        const stages = await store.runWrites('s1', { field: 'stage' }, { limit: 10 });
        expect(stages.map((r) => [r.recordId, r.writes.map((w) => w.field)])).toEqual([
          ['c1', ['stage']],
          ['c2', ['stage']],
          ['c3', ['stage']],
        ]);
        expect(await store.countRunWrites('s1', { field: 'ltv' })).toBe(1);
        // Paged by position (the page) or after a record (the CSV).
        expect((await store.runWrites('s1', {}, { offset: 2, limit: 1 })).map((r) => r.recordId)).toEqual(['c3']);
        expect((await store.runWrites('s1', {}, { after: 'c2', limit: 10 })).map((r) => r.recordId)).toEqual(['c3', 'c_%4']);
        expect(await store.runWrites('nothing', {}, { limit: 10 })).toEqual([]);
      });
    });
  });
});
