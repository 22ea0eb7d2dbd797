/** The SQLite store: schema, persistence, encryption at rest, locks, runs, audit, cursors. */
import type { PlannedChange } from '../../src/store/types.ts';
import { allAudit, allCustomers, allPlan } from '../storeReads.ts';
import { mkdtempSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { openStore } from '../../src/store/sqlite.ts';
import { emptyRunStats } from '../../src/store/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'lcs-store-'));
const KEY = 'a-very-long-test-passphrase-1234567890';
let n = 0;
const fresh = (options: { encryptionKey?: string; clock?: () => number } = { encryptionKey: KEY }) => {
  const path = join(dir, `s${n++}.db`);
  return { path, store: openStore(path, options) };
};

describe('SqliteStore', () => {
  it('creates its schema once, in WAL mode, and reopens the same file', async () => {
    const { path, store } = fresh();
    await store.upsertInstallation({ id: 'hubspot', crm: 'hubspot', name: 'Acme' });
    await store.close();
    const again = openStore(path, { encryptionKey: KEY });
    expect((await again.getInstallation('hubspot'))?.name).toBe('Acme');
    await again.close();
    const raw = new DatabaseSync(path);
    expect((raw.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    // Every migration applied exactly once, though the file was opened twice.
    expect(raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version })),
    );
    raw.close();
  });

  it('keeps credentials encrypted at rest and bound to their installation', async () => {
    const { path, store } = fresh();
    await store.upsertInstallation({ id: 'a', crm: 'hubspot', name: 'A' });
    await store.upsertInstallation({ id: 'b', crm: 'hubspot', name: 'B' });
    await store.saveCredentials('a', { kind: 'oauth', accessToken: 'secret-access-token-123', refreshToken: 'secret-refresh-token-456', expiresAt: 99 });
    expect(await store.loadCredentials('a')).toEqual({ kind: 'oauth', accessToken: 'secret-access-token-123', refreshToken: 'secret-refresh-token-456', expiresAt: 99 });
    await store.close();
    for (const file of [path, `${path}-wal`]) {
      let bytes: string;
      try {
        bytes = readFileSync(file).toString('latin1');
      } catch {
        continue; // no WAL file left after a clean close
      }
      expect(bytes).not.toContain('secret-access-token-123');
      expect(bytes).not.toContain('secret-refresh-token-456');
    }
    // A ciphertext moved to another installation does not decrypt.
    const raw = new DatabaseSync(path);
    raw.prepare("INSERT INTO credentials (installation_id, payload, updated_at) SELECT 'b', payload, 0 FROM credentials WHERE installation_id = 'a'").run();
    raw.close();
    const reopened = openStore(path, { encryptionKey: KEY });
    await expect(reopened.loadCredentials('b')).rejects.toThrow(/cannot be decrypted/);
    await reopened.close();
    const wrongKey = openStore(path, { encryptionKey: 'another-long-passphrase-0987654321' });
    await expect(wrongKey.loadCredentials('a')).rejects.toThrow(/cannot be decrypted: is ENCRYPTION_KEY the one/);
    await wrongKey.close();
    const noKey = openStore(path, {});
    await expect(noKey.loadCredentials('a')).rejects.toThrow(/ENCRYPTION_KEY is not set/);
    await noKey.close();
  });

  it('allows one lock holder; an expired lease or a dead holder on this machine is taken over', async () => {
    let now = 1_000;
    const { store } = fresh({ encryptionKey: KEY, clock: () => now });
    expect(await store.acquireLock('i', 'me:1', 10_000)).toEqual({ acquired: true });
    const busy = await store.acquireLock('i', `${hostname()}:${process.pid}:other`, 10_000);
    expect(busy).toMatchObject({ acquired: false, owner: 'me:1' });
    now += 10_001;
    expect(await store.acquireLock('i', 'you:2', 10_000)).toEqual({ acquired: true });
    expect(await store.renewLock('i', 'me:1', 10_000)).toBe(false);
    // A holder whose process is gone (a pid that cannot exist) on this host: taken over at once.
    expect(await store.acquireLock('j', `${hostname()}:999999999:x`, 60_000)).toEqual({ acquired: true });
    expect(await store.acquireLock('j', 'new:3', 60_000)).toEqual({ acquired: true });
    await store.releaseLock('j', 'new:3');
    expect(await store.acquireLock('j', 'fourth:4', 60_000)).toEqual({ acquired: true });
  });

  it('records runs; runs left running are marked interrupted', async () => {
    const { store } = fresh();
    const stats = emptyRunStats();
    await store.createRun({ id: 'r1', installationId: 'i', kind: 'sync', mode: null, status: 'running', asOf: '2026-01-01', startedAt: 1, stats, rollbackOf: null, scoredAt: 5 });
    await store.updateRun('r1', { mode: 'full', stats: { ...stats, written: 3 } });
    await store.createRun({ id: 'r2', installationId: 'i', kind: 'sync', mode: null, status: 'running', asOf: '2026-01-01', startedAt: 2, stats, rollbackOf: null, scoredAt: 5 });
    expect((await store.markRunsInterrupted('i', 'r2')).map((r) => r.id)).toEqual(['r1']);
    expect(await store.getRun('r1')).toMatchObject({ status: 'interrupted', mode: 'full', stats: { written: 3 } });
    expect((await store.listRuns('i', 10)).map((r) => r.id)).toEqual(['r2', 'r1']);
    await store.addRunErrors([{ runId: 'r2', recordId: '7', phase: 'write', code: 'X', message: 'bad', at: 3 }]);
    expect(await store.listRunErrors('r2')).toEqual([{ runId: 'r2', recordId: '7', phase: 'write', code: 'X', message: 'bad', at: 3 }]);
  });

  it('marks a run interrupted only when no live lease holds it, with what its audit says it wrote', async () => {
    let now = 10_000;
    const { store } = fresh({ encryptionKey: KEY, clock: () => now });
    const stats = emptyRunStats();
    const alive = `${hostname()}:${process.pid}:live`;
    expect(await store.acquireLock('i', alive, 60_000)).toEqual({ acquired: true });
    await store.createRun({ id: 'live', installationId: 'i', kind: 'sync', mode: 'full', status: 'running', asOf: '2026-01-01', startedAt: 1, stats, rollbackOf: null, scoredAt: 5, owner: alive });
    // A run whose process was killed: its lease is gone, and it never recorded its counts.
    await store.createRun({ id: 'killed', installationId: 'j', kind: 'sync', mode: 'full', status: 'running', asOf: '2026-01-01', startedAt: 1, stats, rollbackOf: null, scoredAt: 5, owner: `${hostname()}:999999999:dead` });
    const ids = await store.addAudit([
      { runId: 'killed', recordId: 'c1', field: 'stage', previous: null, next: 'loyalty', state: 'pending', at: 1 },
      { runId: 'killed', recordId: 'c1', field: 'ltv', previous: null, next: '10', state: 'pending', at: 1 },
      { runId: 'killed', recordId: 'c2', field: 'stage', previous: null, next: 'purchase', state: 'pending', at: 1 },
      { runId: 'killed', recordId: 'c3', field: 'stage', previous: null, next: 'purchase', state: 'pending', at: 1 },
    ]);
    await store.setAuditState(ids.slice(0, 3), 'applied');
    expect((await store.markRunsInterrupted(null)).map((r) => r.id)).toEqual(['killed']);
    const killed = await store.getRun('killed');
    expect(killed).toMatchObject({ status: 'interrupted', stats: { written: 2 } });
    expect(killed?.message).toMatch(/2 records written, 1 in flight when it stopped.*can be rolled back/);
    expect((await store.getRun('live'))?.status).toBe('running');
    // Once its lease expires, the live one is an orphan too.
    now += 60_001;
    expect((await store.markRunsInterrupted('i')).map((r) => r.id)).toEqual(['live']);
  });

  it('pages a plan by record with stage moves first, and by change, optionally of one field, in the store', async () => {
    const { store } = fresh();
    const records = [];
    for (let i = 0; i < 50; i++) {
      const changes: PlannedChange[] = [{ recordId: `c${i}`, field: 'churnRisk', previous: '1', next: '2' }];
      if (i % 10 === 3) changes.push({ recordId: `c${i}`, field: 'stage', previous: 'purchase', next: 'at_risk' });
      records.push({ key: { priority: i % 10 === 3 ? 1 : 2, seq: i }, recordId: `c${i}`, changes });
    }
    // Appended in batches, as the plan phase does.
    await store.addPlanned('r', records.slice(0, 20));
    await store.addPlanned('r', records.slice(20));
    const first = await store.planRecords('r', { offset: 0, limit: 5 });
    expect(first.map((r) => r.recordId)).toEqual(['c3', 'c13', 'c23', 'c33', 'c43']);
    expect(first[0].changes.map((c) => c.field)).toEqual(['churnRisk', 'stage']);
    expect((await store.planRecords('r', { offset: 5, limit: 2 })).map((r) => r.recordId)).toEqual(['c0', 'c1']);
    expect((await store.planRecords('r', { offset: 49, limit: 10 })).map((r) => r.recordId)).toEqual(['c49']);
    expect((await store.planChanges('r', { offset: 0, limit: 3, field: 'stage' })).map((c) => c.recordId)).toEqual(['c3', 'c13', 'c23']);
    const all = await allPlan(store, 'r');
    expect(all).toHaveLength(55);
    expect(await store.planChanges('r', { offset: 10, limit: 5 })).toEqual(all.slice(10, 15));
  });

  it('stores customers and deals, links deals to customers, and marks what a full pull did not see', async () => {
    const { store } = fresh();
    await store.upsertCustomers('i', [
      { recordId: 'c1', modifiedAt: 1, signals: { nps: 9 }, crmValues: { stage: 'loyalty' } },
      { recordId: 'c2', modifiedAt: 1, signals: {}, crmValues: {} },
    ], 'p1');
    await store.upsertDeals('i', [{ recordId: 'd1', customerIds: ['c1'], status: 'won', amount: 10, closeDay: 20_000, modifiedAt: 2 }], 'p1');
    expect((await store.dealsOf('i', 'c1')).map((d) => d.recordId)).toEqual(['d1']);
    await store.upsertCustomers('i', [{ recordId: 'c1', modifiedAt: 3, signals: { nps: 10 }, crmValues: { stage: 'loyalty' } }], 'p2');
    await store.upsertDeals('i', [{ recordId: 'd1', customerIds: ['c1'], status: 'won', amount: 12, closeDay: 20_000, modifiedAt: 3 }], 'p2');
    expect(await store.markUnseenDeleted('i', 'p2')).toEqual({ customers: 1, deals: 0 });
    expect((await allCustomers(store, 'i')).map((c) => c.recordId)).toEqual(['c1']);
    expect((await store.getCustomer('i', 'c2'))?.deleted).toBe(true);
    await store.setCrmValues('i', [{ recordId: 'c1', values: { churnRisk: '12' }, modifiedAt: 9 }]);
    expect(await store.getCustomer('i', 'c1')).toMatchObject({ modifiedAt: 9, signals: { nps: 10 }, crmValues: { stage: 'loyalty', churnRisk: '12' } });
  });

  it('audits writes as pending intents, then applied; pending ones of earlier runs become superseded', async () => {
    const { store } = fresh();
    const stats = emptyRunStats();
    await store.createRun({ id: 'r1', installationId: 'i', kind: 'sync', mode: 'full', status: 'running', asOf: '2026-01-01', startedAt: 1, stats, rollbackOf: null, scoredAt: 1 });
    await store.createRun({ id: 'r2', installationId: 'i', kind: 'sync', mode: 'full', status: 'running', asOf: '2026-01-01', startedAt: 2, stats, rollbackOf: null, scoredAt: 1 });
    const ids = await store.addAudit([
      { runId: 'r1', recordId: 'c1', field: 'stage', previous: null, next: 'loyalty', state: 'pending', at: 1 },
      { runId: 'r1', recordId: 'c1', field: 'ltv', previous: '5', next: '10', state: 'pending', at: 1 },
    ]);
    await store.setAuditState([ids[0]], 'applied');
    expect(await store.supersedePendingAudit('i', 'r2')).toBe(1);
    expect((await allAudit(store, 'r1')).map((a) => [a.field, a.state])).toEqual([
      ['stage', 'applied'],
      ['ltv', 'superseded'],
    ]);
    expect(await store.auditOfRecord('i', 'c1', 5)).toHaveLength(2);
  });

  it('keeps cursors, retries, request usage and model fits', async () => {
    const { store } = fresh();
    await store.setCursor('i', 'sync', { since: 5 });
    expect(await store.getCursor('i', 'sync')).toEqual({ since: 5 });
    await store.setCursor('i', 'sync', null);
    expect(await store.getCursor('i', 'sync')).toBeNull();
    await store.setRetries('i', [{ recordId: 'c1', reason: 'x' }]);
    await store.setRetries('i', [{ recordId: 'c1', reason: 'y' }]);
    expect(await store.listRetries('i')).toEqual([{ recordId: 'c1', reason: 'y', attempts: 2 }]);
    await store.clearRetries('i', ['c1']);
    expect(await store.listRetries('i')).toEqual([]);
    await store.addRequestUsage('i', '2026-01-01', 5);
    await store.addRequestUsage('i', '2026-01-01', 7);
    expect(await store.requestUsage('i', '2026-01-01')).toBe(12);
    await store.saveModelFit('i', 'r1', { name: 'pareto_nbd' });
    expect(await store.latestModelFit('i')).toMatchObject({ runId: 'r1', fit: { name: 'pareto_nbd' } });
  });

  it('says what is wrong with a bad ENCRYPTION_KEY', () => {
    expect(() => fresh({ encryptionKey: 'short' })).toThrow(/ENCRYPTION_KEY must be at least 16 characters/);
  });
});
