/**
 * A contact deleted in the CRM (or deleted for privacy): everything stored about them goes, from every
 * table of both stores — found by searching every row of every table for their id and e-mail (stage
 * pages' deflated ids inflated first) — while the people beside them in the same pages keep theirs.
 */
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ScorePage } from '../../src/store/scorePages.ts';
import { StagePage } from '../../src/store/stagePages.ts';
import { emptyRunStats, type NewRun, type Store } from '../../src/store/types.ts';
import { STORE_KINDS, storePlaces, type StorePlace } from '../stores.ts';

const GONE = '7000000042';
const GONE_EMAIL = 'gone.person@example.org';
const KEPT = ['7000000041', '7000000043'];

function run(id: string, installationId: string): NewRun {
  return { id, installationId, kind: 'sync', mode: 'full', status: 'succeeded', asOf: '2026-01-01', startedAt: 1, stats: emptyRunStats(), rollbackOf: null, scoredAt: 5 };
}

/** Every value of every row of every table, as text (bytes also inflated, as stage pages keep ids). */
async function everything(place: StorePlace): Promise<string[]> {
  const tables = place.kind === 'sqlite'
    ? await place.query("SELECT name FROM sqlite_master WHERE type = 'table'")
    : await place.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()');
  const out: string[] = [];
  for (const { name } of tables) {
    for (const row of await place.query(`SELECT * FROM ${String(name)}`)) {
      for (const [column, value] of Object.entries(row)) {
        if (value instanceof Uint8Array) {
          out.push(`${String(name)}.${column}: ${Buffer.from(value).toString('latin1')}`);
          try {
            out.push(`${String(name)}.${column} (inflated): ${inflateRawSync(value).toString('utf8')}`);
          } catch {
            // Not deflated.
          }
        } else out.push(`${String(name)}.${column}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
      }
    }
  }
  return out;
}

async function storeEveryKind(store: Store, id: string): Promise<void> {
  const people = [...KEPT.slice(0, 1), GONE, ...KEPT.slice(1)];
  await store.upsertCustomers(id, people.map((p) => ({ recordId: p, modifiedAt: 1, signals: {}, crmValues: { stage: 'purchase' }, display: { name: `Person ${p}`, email: p === GONE ? GONE_EMAIL : `${p}@example.org`, company: undefined } })));
  await store.upsertDeals(id, [
    { recordId: 'd1', customerIds: [GONE, KEPT[0]], status: 'won', amount: 5, closeDay: 10, modifiedAt: 1 },
    { recordId: 'd2', customerIds: [GONE], status: 'won', amount: 7, closeDay: 11, modifiedAt: 1 },
  ]);
  await store.saveScores(id, { after: null, through: null }, ScorePage.of(people.map((p, i) => ({ recordId: p, scores: { asOf: '2026-01-01', values: { stage: 'purchase', ltv: String(10 + i) }, features: { x: i } } }))));
  await store.saveCustomerList(id, { after: null, through: null }, `run-${id}`, people.map((p) => ({ recordId: p, name: `Person ${p}`, email: p === GONE ? GONE_EMAIL : null, company: null, stage: 'purchase', churnRiskBand: 'low', valueTier: 'high', clv: 1, churnRisk: 0.1, ltv: 2, changed: true })));
  await store.createRun(run(`run-${id}`, id));
  await store.addAudit(people.map((p) => ({ runId: `run-${id}`, recordId: p, field: 'stage', previous: null, next: 'purchase', state: 'applied', at: 10 })));
  await store.addPlanned(`run-${id}`, people.map((p, seq) => ({ key: { priority: 2, seq }, recordId: p, changes: [{ recordId: p, field: 'stage', previous: null, next: 'purchase' }] })));
  await store.addRunErrors([{ runId: `run-${id}`, recordId: GONE, phase: 'write', code: 'CRM_REJECTED', message: `${GONE}: ${GONE_EMAIL} is invalid`, at: 1 }]);
  await store.setRetries(id, [{ recordId: GONE, reason: 'r' }, { recordId: KEPT[1], reason: 'r' }]);
  const stages = new StagePage();
  for (const p of people) stages.add(p, 'purchase');
  await store.transaction((tx) => tx.saveStagePage(id, `run-${id}`, stages, true));
  // A run whose only page held the person alone: its record of the run stays complete, empty.
  await store.createRun(run(`alone-${id}`, id));
  const alone = new StagePage();
  alone.add(GONE, 'at_risk');
  await store.transaction((tx) => tx.saveStagePage(id, `alone-${id}`, alone, true));
  await store.addWebhookWork(id, [{ object: 'contact', recordId: GONE, action: 'rescore', occurredAt: 1 }], 1);
}

describe.each(STORE_KINDS)('forgetting a person, on the %s store', (kind) => {
  const place = storePlaces(kind);

  it('leaves nothing of them in any table, and the others as they were', async () => {
    const p = await place();
    const store = await p.open({});
    try {
      const a = (await store.addInstallation({ crm: 'hubspot', name: 'A', accountId: '1' })).installation.id;
      const b = (await store.addInstallation({ crm: 'hubspot', name: 'B', accountId: '2' })).installation.id;
      await storeEveryKind(store, a);
      await storeEveryKind(store, b);
      const before = await everything(p);
      expect(before.filter((v) => v.includes(GONE)).length).toBeGreaterThan(10);
      expect(before.some((v) => v.startsWith('stage_pages.ids (inflated)') && v.includes(GONE))).toBe(true);

      await store.forgetCustomers(a, [GONE]);
      // Only installation b's copy is left: its rows all name b (or its runs).
      await store.removeInstallation(b);
      const after = (await everything(p)).filter((v) => v.includes(GONE) || v.includes(GONE_EMAIL));
      expect(after).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it.runIf(kind === 'sqlite')('leaves none of their bytes in the file (deleted rows are overwritten)', async () => {
    const p = await place();
    const store = await p.open({});
    const a = (await store.addInstallation({ crm: 'hubspot', name: 'A', accountId: '1' })).installation.id;
    try {
      await storeEveryKind(store, a);
      // Written through to the file, as a long-running service's would be.
      await p.query('PRAGMA wal_checkpoint(TRUNCATE)');
      expect(await p.holds(GONE_EMAIL)).toBe(true);
      await store.forgetCustomers(a, [GONE]);
    } finally {
      await store.close();
    }
    await p.query('PRAGMA wal_checkpoint(TRUNCATE)');
    expect(await p.holds(GONE_EMAIL)).toBe(false);
    expect(await p.holds(GONE)).toBe(false);
    expect(await p.holds(`${KEPT[0]}@example.org`)).toBe(true);
  });

  it('keeps the others: their customers, scores, deals, list rows, audit, stages, retries', async () => {
    const p = await place();
    const store = await p.open({});
    try {
      const a = (await store.addInstallation({ crm: 'hubspot', name: 'A', accountId: '1' })).installation.id;
      await storeEveryKind(store, a);
      await store.forgetCustomers(a, [GONE]);
      expect(await store.getCustomer(a, GONE)).toBeNull();
      for (const [i, kept] of KEPT.entries()) {
        const customer = await store.getCustomer(a, kept);
        expect(customer?.scores).toEqual({ asOf: '2026-01-01', values: { stage: 'purchase', ltv: String(10 + i * 2) }, features: { x: i * 2 } });
        expect(customer?.display?.email).toBe(`${kept}@example.org`);
      }
      expect((await store.dealsOf(a, KEPT[0])).map((d) => d.recordId)).toEqual(['d1']);
      expect((await store.customerList(a, { sort: 'clv', order: 'asc', offset: 0, limit: 10 })).rows.map((r) => r.recordId)).toEqual(KEPT);
      expect((await store.auditOfRecord(a, KEPT[0], 10)).length).toBe(1);
      expect(await store.listRetries(a)).toMatchObject([{ recordId: KEPT[1] }]);
      const pages = await store.stagePages(`run-${a}`, null, 10);
      expect(pages.flatMap((pg) => pg.recordIds)).toEqual(KEPT);
      // The run that held only them: still recorded as complete, with no one in it.
      expect((await store.stageRecordRuns(a, 10)).map((r) => r.runId).sort()).toEqual([`alone-${a}`, `run-${a}`].sort());
      expect((await store.stagePages(`alone-${a}`, null, 10)).flatMap((pg) => pg.recordIds)).toEqual([]);
      expect(await store.pendingWebhookWork(a, 10)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
