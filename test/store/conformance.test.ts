/**
 * Every behaviour of the Store, once, against both implementations: SQLite on a temporary file and
 * Postgres on a schema of its own (in a database whose collation orders text unlike bytes). The same
 * tests, not two copies; what only one store has (SQLite's WAL and file faults, Postgres' connection
 * faults and migrations) is tested in its own file.
 */
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { FieldKey } from '../../connectors/contract/index.ts';
import { ScorePage } from '../../src/store/scorePages.ts';
import { emptyRunStats, type AuditEntry, type CustomerCore, type NewRun, type PlannedChange, type PlannedRecord, type PlanKey, type Store } from '../../src/store/types.ts';
import { allAudit, allCustomers, allDealLinks, allPlan } from '../storeReads.ts';
import { STORE_KINDS, storePlaces, type OpenOptions, type StorePlace } from '../stores.ts';

const KEY = 'a-very-long-test-passphrase-1234567890';
const DEAD = `${hostname()}:999999999:dead`;

function run(id: string, o: Partial<NewRun> = {}): NewRun {
  return { id, installationId: 'i', kind: 'sync', mode: 'full', status: 'running', asOf: '2026-01-01', startedAt: 1, stats: emptyRunStats(), rollbackOf: null, scoredAt: 5, ...o };
}

function audit(runId: string, recordId: string, field: FieldKey, state: AuditEntry['state'] = 'pending'): Omit<AuditEntry, 'id'> {
  return { runId, recordId, field, previous: null, next: `${recordId}-${field}`, state, at: 1 };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe.each(STORE_KINDS)('the %s store', (kind) => {
  const place = storePlaces(kind);
  /** A store on a new, empty database; closed by the test. */
  const fresh = async (options: OpenOptions = { encryptionKey: KEY }): Promise<{ where: StorePlace; store: Store }> => {
    const where = await place();
    return { where, store: await where.open(options) };
  };
  /** A store on a new database, used by the test's body, then closed. */
  const withStore = async (fn: (store: Store, where: StorePlace) => Promise<void>, options?: OpenOptions): Promise<void> => {
    const { where, store } = await fresh(options);
    try {
      await fn(store, where);
    } finally {
      await store.close();
    }
  };

  describe('schema', () => {
    it('is migrated once, and a store opened again on the same database finds what the first stored', async () => {
      const { where, store } = await fresh();
      await store.upsertInstallation({ id: 'hubspot', crm: 'hubspot', name: 'Acme' });
      await store.close();
      const again = await where.open({ encryptionKey: KEY });
      expect((await again.getInstallation('hubspot'))?.name).toBe('Acme');
      expect(again.kind).toBe(kind);
      await again.close();
      const versions = (await where.query('SELECT version FROM schema_migrations ORDER BY version')).map((r) => Number(r.version));
      expect(versions.length).toBeGreaterThan(0);
      expect(new Set(versions).size).toBe(versions.length);
    });
  });

  describe('installations and credentials', () => {
    it('upserts installations (created once, updated after) and lists them by id', async () => {
      let now = 100;
      await withStore(
        async (store) => {
          const fresh = { accountId: null, status: 'active', settings: {} };
          expect(await store.upsertInstallation({ id: 'b', crm: 'hubspot', name: 'B' })).toEqual({ id: 'b', crm: 'hubspot', name: 'B', ...fresh, createdAt: 100, updatedAt: 100 });
          now = 200;
          expect(await store.upsertInstallation({ id: 'b', crm: 'salesforce', name: 'B2' })).toEqual({ id: 'b', crm: 'salesforce', name: 'B2', ...fresh, createdAt: 100, updatedAt: 200 });
          await store.upsertInstallation({ id: 'a', crm: 'hubspot', name: 'A' });
          await store.upsertInstallation({ id: 'C', crm: 'hubspot', name: 'C' });
          expect((await store.listInstallations()).map((i) => i.id)).toEqual(['C', 'a', 'b']);
          expect(await store.getInstallation('none')).toBeNull();
        },
        { encryptionKey: KEY, clock: () => now },
      );
    });

    it('keeps credentials encrypted at rest and bound to their installation; a wrong key or no key is an error saying so', async () => {
      let now = 1;
      const { where, store } = await fresh({ encryptionKey: KEY, clock: () => now });
      await store.upsertInstallation({ id: 'a', crm: 'hubspot', name: 'A' });
      await store.upsertInstallation({ id: 'b', crm: 'hubspot', name: 'B' });
      const credentials = { kind: 'oauth' as const, accessToken: 'secret-access-token-123', refreshToken: 'secret-refresh-token-456', expiresAt: 99 };
      await store.saveCredentials('a', credentials);
      now = 2;
      await store.saveCredentials('b', { kind: 'access_token', accessToken: 'secret-b-789' });
      expect(await store.loadCredentials('a')).toEqual(credentials);
      expect(await store.loadCredentials('none')).toBeNull();
      expect(await store.installationsWithCredentials()).toEqual(['b', 'a']);
      await store.close();
      for (const secret of ['secret-access-token-123', 'secret-refresh-token-456', 'secret-b-789']) expect(await where.holds(secret), secret).toBe(false);
      // A ciphertext moved to another installation does not decrypt.
      await where.query("UPDATE credentials SET payload = (SELECT payload FROM credentials WHERE installation_id = 'a') WHERE installation_id = 'b'");
      const reopened = await where.open({ encryptionKey: KEY });
      await expect(reopened.loadCredentials('b')).rejects.toThrow(/stored credentials for b cannot be decrypted/);
      expect((await reopened.loadCredentials('a'))?.accessToken).toBe('secret-access-token-123');
      await reopened.close();
      const wrongKey = await where.open({ encryptionKey: 'another-long-passphrase-0987654321' });
      await expect(wrongKey.loadCredentials('a')).rejects.toThrow(/cannot be decrypted: is ENCRYPTION_KEY the one/);
      await wrongKey.close();
      const noKey = await where.open({});
      await expect(noKey.loadCredentials('a')).rejects.toThrow(/ENCRYPTION_KEY is not set/);
      await expect(noKey.saveCredentials('a', credentials)).rejects.toThrow(/ENCRYPTION_KEY is not set/);
      expect(await noKey.installationsWithCredentials()).toEqual(['b', 'a']);
      await noKey.close();
    });

    it('adds installations with generated ids, one per CRM account: a reinstall of the account finds it again', async () => {
      let now = 100;
      await withStore(
        async (store) => {
          const first = await store.addInstallation({ crm: 'hubspot', name: 'Acme', accountId: '12345' });
          expect(first.created).toBe(true);
          expect(first.installation).toMatchObject({ crm: 'hubspot', name: 'Acme', accountId: '12345', status: 'active', settings: {}, createdAt: 100, updatedAt: 100 });
          expect(first.installation.id).toMatch(/^in_[0-9a-f]{16}$/);
          // The same portal number on the other CRM, and installations without an account, are others.
          const other = await store.addInstallation({ crm: 'salesforce', name: 'Acme SF', accountId: '12345' });
          const anonymous = [await store.addInstallation({ crm: 'hubspot', name: 'X', accountId: null }), await store.addInstallation({ crm: 'hubspot', name: 'X', accountId: null })];
          expect(new Set([first, other, ...anonymous].map((a) => a.installation.id)).size).toBe(4);
          expect([other, ...anonymous].every((a) => a.created)).toBe(true);
          await store.updateInstallation(first.installation.id, { status: 'paused' });
          now = 200;
          const again = await store.addInstallation({ crm: 'hubspot', name: 'Acme Inc', accountId: '12345' });
          expect(again).toEqual({ created: false, installation: { ...first.installation, name: 'Acme Inc', status: 'active', updatedAt: 200 } });
          expect(await store.listInstallations()).toHaveLength(4);
        },
        { encryptionKey: KEY, clock: () => now },
      );
    });

    it('finds an installation by its CRM account; the environment\u2019s installation takes an account id when given one and keeps it when renamed', async () => {
      let now = 100;
      await withStore(
        async (store) => {
          const acme = (await store.addInstallation({ crm: 'hubspot', name: 'Acme', accountId: '12345' })).installation;
          await store.addInstallation({ crm: 'salesforce', name: 'Acme SF', accountId: '00D000000000001AAA' });
          expect(await store.installationOfAccount('hubspot', '12345')).toEqual(acme);
          expect(await store.installationOfAccount('salesforce', '12345')).toBeNull();
          expect(await store.installationOfAccount('hubspot', '99999')).toBeNull();
          expect(await store.upsertInstallation({ id: 'hubspot', crm: 'hubspot', name: 'HubSpot' })).toMatchObject({ id: 'hubspot', accountId: null });
          now = 200;
          expect(await store.upsertInstallation({ id: 'hubspot', crm: 'hubspot', name: 'HubSpot (portal 777)', accountId: '777' })).toMatchObject({ id: 'hubspot', accountId: '777', createdAt: 100, updatedAt: 200 });
          // Connecting renames it without an account id: the one it has stays.
          expect(await store.upsertInstallation({ id: 'hubspot', crm: 'hubspot', name: 'HubSpot (api.hubapi.com)' })).toMatchObject({ name: 'HubSpot (api.hubapi.com)', accountId: '777' });
          expect((await store.installationOfAccount('hubspot', '777'))?.id).toBe('hubspot');
          // The account is one installation's: the environment's cannot take an account another has.
          await expect(store.upsertInstallation({ id: 'hubspot', crm: 'hubspot', name: 'x', accountId: '12345' })).rejects.toThrow();
          expect((await store.getInstallation('hubspot'))?.accountId).toBe('777');
          // A removed installation's account is forgotten: it finds nothing.
          await store.removeInstallation(acme.id);
          expect(await store.installationOfAccount('hubspot', '12345')).toBeNull();
        },
        { encryptionKey: KEY, clock: () => now },
      );
    });

    it('changes an installation\u2019s name, status and settings, one at a time', async () => {
      await withStore(async (store) => {
        const { installation } = await store.addInstallation({ crm: 'salesforce', name: 'Org', accountId: '00D000000000001' });
        const settings = { schedule: { cron: '0 3 * * *', timezone: 'Europe/Berlin' }, classifier: { ltv: { periodDays: 180 } } };
        expect(await store.updateInstallation(installation.id, { settings })).toMatchObject({ name: 'Org', status: 'active', settings });
        expect(await store.updateInstallation(installation.id, { status: 'paused' })).toMatchObject({ name: 'Org', status: 'paused', settings });
        expect(await store.updateInstallation(installation.id, { name: 'Org 2' })).toMatchObject({ name: 'Org 2', status: 'paused', settings });
        expect(await store.getInstallation(installation.id)).toMatchObject({ name: 'Org 2', status: 'paused', settings, accountId: '00D000000000001' });
        expect(await store.updateInstallation('none', { status: 'active' })).toBeNull();
      });
    });

    it('removes an installation: its credentials and CRM data go, its runs stay without record ids or messages, the others keep everything', async () => {
      await withStore(async (store) => {
        const a = (await store.addInstallation({ crm: 'hubspot', name: 'Client A', accountId: '1' })).installation.id;
        const b = (await store.addInstallation({ crm: 'hubspot', name: 'Client B', accountId: '2' })).installation.id;
        for (const id of [a, b]) {
          await store.saveCredentials(id, { kind: 'access_token', accessToken: `token-of-${id}` });
          await store.upsertCustomers(id, [{ recordId: 'c1', modifiedAt: 1, signals: {}, crmValues: { stage: 'purchase' } }]);
          await store.upsertDeals(id, [{ recordId: 'd1', customerIds: ['c1'], status: 'won', amount: 5, closeDay: 10, modifiedAt: 1 }]);
          await store.saveScores(id, { after: null, through: null }, ScorePage.of([{ recordId: 'c1', scores: { asOf: '2026-01-01', values: { stage: 'purchase' }, features: {} } }]));
          await store.createRun(run(`run-${id}`, { installationId: id }));
          await store.addAudit([audit(`run-${id}`, 'c1', 'stage')]);
          await store.addPlanned(`run-${id}`, [{ key: { priority: 2, seq: 0 }, recordId: 'c1', changes: [{ recordId: 'c1', field: 'stage', previous: null, next: 'purchase' }] }]);
          await store.addRunErrors([{ runId: `run-${id}`, recordId: 'c1', phase: 'write', code: 'CRM_REJECTED', message: 'c1: jane@example.com is invalid', at: 1 }]);
          await store.setRetries(id, [{ recordId: 'c1', reason: 'r' }]);
          await store.setCursor(id, 'sync', { since: 1 });
        }
        expect(await store.removeInstallation(a)).toBe(true);
        expect(await store.removeInstallation('none')).toBe(false);
        expect(await store.getInstallation(a)).toMatchObject({ id: a, crm: 'hubspot', name: 'removed', accountId: null, status: 'uninstalled', settings: {} });
        expect(await store.loadCredentials(a)).toBeNull();
        expect(await allCustomers(store, a)).toEqual([]);
        expect(await allDealLinks(store, a)).toEqual([]);
        expect(await store.getCustomer(a, 'c1')).toBeNull();
        expect(await allAudit(store, `run-${a}`)).toEqual([]);
        expect(await allPlan(store, `run-${a}`)).toEqual([]);
        expect(await store.listRetries(a)).toEqual([]);
        expect(await store.getCursor(a, 'sync')).toBeNull();
        expect((await store.getRun(`run-${a}`))?.installationId).toBe(a);
        expect(await store.listRunErrors(`run-${a}`)).toMatchObject([{ recordId: null, code: 'CRM_REJECTED', message: 'removed with its installation' }]);
        // The other installation is untouched.
        expect(await store.loadCredentials(b)).toEqual({ kind: 'access_token', accessToken: `token-of-${b}` });
        expect((await allCustomers(store, b)).map((c) => c.recordId)).toEqual(['c1']);
        expect(await allDealLinks(store, b)).toHaveLength(1);
        expect((await store.getCustomer(b, 'c1'))?.scores).not.toBeNull();
        expect(await allAudit(store, `run-${b}`)).toHaveLength(1);
        expect(await allPlan(store, `run-${b}`)).toHaveLength(1);
        expect(await store.listRunErrors(`run-${b}`)).toMatchObject([{ recordId: 'c1', message: 'c1: jane@example.com is invalid' }]);
        expect(await store.listRetries(b)).toHaveLength(1);
        expect(await store.getCursor(b, 'sync')).toEqual({ since: 1 });
        // A reinstall of the removed account is a new installation.
        const back = await store.addInstallation({ crm: 'hubspot', name: 'Client A', accountId: '1' });
        expect(back.created).toBe(true);
        expect(back.installation.id).not.toBe(a);
      });
    });

    it('keeps each installation\u2019s settings change log apart, newest first, in pages; a removed installation\u2019s goes with it', async () => {
      await withStore(async (store) => {
        const a = (await store.addInstallation({ crm: 'hubspot', name: 'A', accountId: '1' })).installation.id;
        const b = (await store.addInstallation({ crm: 'hubspot', name: 'B', accountId: '2' })).installation.id;
        const change = (installationId: string, key: string, before: unknown, after: unknown, at: number) => ({ installationId, at, actor: 'admin', key, before, after });
        await store.addSettingChanges([change(a, 'classifier.rules.atRiskMaxPAlive', 0.5, 0.6, 10), change(a, 'classifier.ltv.acquisitionSpend', null, 1200.5, 10)]);
        await store.addSettingChanges([change(b, 'schedule.cron', '0 2 * * *', '30 4 * * 1-5', 11)]);
        await store.addSettingChanges([change(a, 'classifier.stages.churned.enabled', true, false, 12), change(a, 'status', 'active', 'paused', 12)]);
        await store.addSettingChanges([]);
        const first = await store.settingChanges(a, { offset: 0, limit: 3 });
        expect(first.total).toBe(4);
        expect(first.changes.map((c) => [c.key, c.before, c.after, c.at, c.actor])).toEqual([
          ['status', 'active', 'paused', 12, 'admin'],
          ['classifier.stages.churned.enabled', true, false, 12, 'admin'],
          ['classifier.ltv.acquisitionSpend', null, 1200.5, 10, 'admin'],
        ]);
        expect((await store.settingChanges(a, { offset: 3, limit: 3 })).changes.map((c) => c.key)).toEqual(['classifier.rules.atRiskMaxPAlive']);
        expect(await store.settingChanges(b, { offset: 0, limit: 10 })).toMatchObject({ total: 1, changes: [{ installationId: b, key: 'schedule.cron', before: '0 2 * * *', after: '30 4 * * 1-5' }] });
        await store.removeInstallation(a);
        expect(await store.settingChanges(a, { offset: 0, limit: 10 })).toEqual({ total: 0, changes: [] });
        expect((await store.settingChanges(b, { offset: 0, limit: 10 })).total).toBe(1);
      });
    });

    it('says what is wrong with a bad ENCRYPTION_KEY', async () => {
      const where = await place();
      await expect(where.open({ encryptionKey: 'short' })).rejects.toThrow(/ENCRYPTION_KEY must be at least 16 characters/);
    });
  });

  describe('the lease', () => {
    it('has one holder; it is taken over once expired, and the old holder can no longer renew it', async () => {
      let now = 1_000;
      await withStore(
        async (store) => {
          expect(await store.acquireLock('i', 'me:1', 10_000)).toEqual({ acquired: true });
          // The holder itself may take it again (extending it).
          now = 2_000;
          expect(await store.acquireLock('i', 'me:1', 10_000)).toEqual({ acquired: true });
          expect(await store.acquireLock('i', `${hostname()}:${process.pid}:other`, 10_000)).toEqual({ acquired: false, owner: 'me:1', expiresAt: 12_000 });
          expect(await store.renewLock('i', 'me:1', 10_000)).toBe(true);
          now = 12_000; // renewed at 2,000 for 10 s: still held at 11,999, free from 12,000
          expect(await store.acquireLock('i', 'you:2', 10_000)).toEqual({ acquired: true });
          expect(await store.renewLock('i', 'me:1', 10_000)).toBe(false);
          expect(await store.acquireLock('i', 'me:1', 10_000)).toEqual({ acquired: false, owner: 'you:2', expiresAt: 22_000 });
          // Another installation's lease is another lease.
          expect(await store.acquireLock('other', 'me:1', 10_000)).toEqual({ acquired: true });
        },
        { clock: () => now },
      );
    });

    it('is released by its holder only; a holder whose process is gone on this machine is taken over at once', async () => {
      await withStore(async (store) => {
        expect(await store.acquireLock('j', DEAD, 60_000)).toEqual({ acquired: true });
        expect(await store.acquireLock('j', 'new:3', 60_000)).toEqual({ acquired: true });
        await store.releaseLock('j', 'someone:else');
        expect(await store.acquireLock('j', 'fourth:4', 60_000)).toMatchObject({ acquired: false, owner: 'new:3' });
        await store.releaseLock('j', 'new:3');
        expect(await store.renewLock('j', 'new:3', 60_000)).toBe(false);
        expect(await store.acquireLock('j', 'fourth:4', 60_000)).toEqual({ acquired: true });
      });
    });

    it('many callers on several connections asking at once: exactly one wins, free or expired', async () => {
      let now = 5_000;
      const where = await place();
      const stores = await Promise.all([1, 2, 3, 4].map(() => where.open({ clock: () => now })));
      try {
        const race = async () => {
          const owners = Array.from({ length: 24 }, (_, i) => `racer:${i}`);
          const answers = await Promise.all(owners.map((owner, i) => stores[i % stores.length].acquireLock('i', owner, 1_000)));
          const winners = owners.filter((_, i) => answers[i].acquired);
          expect(winners).toHaveLength(1);
          for (const a of answers) if (!a.acquired) expect(a.owner).toBe(winners[0]);
          return winners[0];
        };
        const first = await race();
        expect(await stores[0].renewLock('i', first, 1_000)).toBe(true);
        now += 1_000; // the winner's lease has expired: the race is for the takeover
        const second = await race();
        expect(await stores[1].renewLock('i', second, 1_000)).toBe(true);
        if (second !== first) expect(await stores[2].renewLock('i', first, 1_000)).toBe(false);
      } finally {
        for (const s of stores) await s.close();
      }
    });
  });

  describe('runs', () => {
    it('records runs, newest first (ties in creation order), and their errors in insertion order', async () => {
      const now = 50;
      await withStore(
        async (store) => {
          const stats = emptyRunStats();
          expect(await store.createRun(run('r1', { mode: null, startedAt: 1, owner: 'me:1' }))).toEqual({ ...run('r1', { mode: null, startedAt: 1 }), finishedAt: null, heartbeatAt: 50, message: null, owner: 'me:1' });
          await store.updateRun('r1', { mode: 'full', stats: { ...stats, written: 3, changedFields: { stage: 2 }, phaseMs: { pull: 7 } }, heartbeatAt: 60 });
          await store.createRun(run('r2', { startedAt: 2 }));
          await store.createRun(run('r3', { startedAt: 2, kind: 'rollback', rollbackOf: 'r1', scoredAt: null }));
          await store.createRun(run('x', { installationId: 'other', startedAt: 9 }));
          await store.updateRun('r2', { status: 'succeeded', finishedAt: 70, message: 'done', scoredAt: 6 });
          await store.updateRun('r2', {});
          expect(await store.getRun('r1')).toMatchObject({ mode: 'full', heartbeatAt: 60, stats: { written: 3, changedFields: { stage: 2 }, phaseMs: { pull: 7 } } });
          expect(await store.getRun('r2')).toMatchObject({ status: 'succeeded', finishedAt: 70, message: 'done', scoredAt: 6 });
          expect(await store.getRun('r3')).toMatchObject({ kind: 'rollback', rollbackOf: 'r1', scoredAt: null, owner: null });
          expect(await store.getRun('none')).toBeNull();
          expect((await store.listRuns('i', 10)).map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
          expect((await store.listRuns('i', 2)).map((r) => r.id)).toEqual(['r3', 'r2']);
          const errors = ['7', null, '3', '10'].map((recordId, n) => ({ runId: 'r2', recordId, phase: 'write' as const, code: `E${n}`, message: `bad ${n}`, at: n }));
          await store.addRunErrors(errors.slice(0, 2));
          await store.addRunErrors(errors.slice(2));
          await store.addRunErrors([]);
          expect(await store.listRunErrors('r2')).toEqual(errors);
          expect(await store.listRunErrors('r2', 3)).toEqual(errors.slice(0, 3));
          // Grouped by phase and code, the most frequent first, each with its first message.
          await store.addRunErrors([{ runId: 'r2', recordId: '11', phase: 'write', code: 'E2', message: 'bad again', at: 9 }]);
          expect((await store.runErrorCounts('r2'))[0]).toEqual({ phase: 'write', code: 'E2', count: 2, example: 'bad 2' });
          expect((await store.runErrorCounts('r2')).map((c) => c.count)).toEqual([2, 1, 1, 1]);
          expect(await store.runErrorCounts('r1')).toEqual([]);
          expect(await store.listRunErrors('r1')).toEqual([]);
        },
        { encryptionKey: KEY, clock: () => now },
      );
    });

    it("answers each installation's newest run of a kind and status, with the quota the run recorded", async () => {
      await withStore(async (store) => {
        expect(await store.latestRuns({})).toEqual([]);
        for (const id of ['a', 'b', 'c']) await store.upsertInstallation({ id, crm: 'hubspot', name: id });
        // Runs of an installation the store does not list are not answered.
        await store.createRun(run('stray', { installationId: 'gone', startedAt: 99, status: 'succeeded' }));
        const quota = { limit: 250_000, remaining: 249_000 };
        await store.createRun(run('a-ok', { installationId: 'a', startedAt: 10, status: 'succeeded', stats: { ...emptyRunStats(), dailyQuota: quota } }));
        await store.createRun(run('a-dry', { installationId: 'a', startedAt: 20, kind: 'dry_run', status: 'succeeded' }));
        await store.createRun(run('a-bad', { installationId: 'a', startedAt: 30, status: 'failed' }));
        // Two runs started in the same millisecond: the later created is the newer.
        await store.createRun(run('b-1', { installationId: 'b', startedAt: 15, status: 'succeeded' }));
        await store.createRun(run('b-2', { installationId: 'b', startedAt: 15, status: 'succeeded' }));
        await store.createRun(run('c-run', { installationId: 'c', startedAt: 5, kind: 'rollback', status: 'running' }));
        const ids = async (filter: Parameters<Store['latestRuns']>[0]) => (await store.latestRuns(filter)).map((r) => r.id).sort();
        expect(await ids({})).toEqual(['a-bad', 'b-2', 'c-run']);
        expect(await ids({ kind: 'sync' })).toEqual(['a-bad', 'b-2']);
        expect(await ids({ kind: 'sync', status: 'succeeded' })).toEqual(['a-ok', 'b-2']);
        expect(await ids({ status: 'succeeded' })).toEqual(['a-dry', 'b-2']);
        expect(await ids({ kind: 'rollback', status: 'failed' })).toEqual([]);
        expect((await store.latestRuns({ kind: 'sync', status: 'succeeded' })).find((r) => r.id === 'a-ok')?.stats.dailyQuota).toEqual(quota);
      });
    });

    it('refuses audit, plans and errors of a run it does not hold, and stores none of them', async () => {
      await withStore(async (store) => {
        await store.createRun(run('known'));
        await expect(store.addAudit([audit('known', 'c1', 'stage'), audit('ghost', 'c1', 'ltv')])).rejects.toThrow(/no run ghost/);
        await expect(store.addPlanned('ghost', [{ key: { priority: 2, seq: 0 }, recordId: 'c1', changes: [{ recordId: 'c1', field: 'ltv', previous: null, next: '1' }] }])).rejects.toThrow(/no run ghost/);
        await expect(store.addRunErrors([{ runId: 'known', recordId: null, phase: 'pull', code: 'X', message: 'x', at: 1 }, { runId: 'ghost', recordId: null, phase: 'pull', code: 'X', message: 'x', at: 1 }])).rejects.toThrow(/no run ghost/);
        expect(await allAudit(store, 'known')).toEqual([]);
        expect(await allPlan(store, 'ghost')).toEqual([]);
        expect(await store.listRunErrors('known')).toEqual([]);
      });
    });

    it('masks stored CRM credentials and token shapes in run messages and run errors, in what it stores', async () => {
      const { where, store: writer } = await fresh();
      await writer.upsertInstallation({ id: 'i', crm: 'hubspot', name: 'I' });
      const access = `stored-access-token-${kind}-7c1e9a0b2d4f`;
      const refresh = `stored-refresh-token-${kind}-3b5d7f9a1c2e`;
      await writer.saveCredentials('i', { kind: 'oauth', accessToken: access, refreshToken: refresh, expiresAt: 1 });
      await writer.close();
      // Another process: it learns the credentials when it loads them.
      const store = await where.open({ encryptionKey: KEY });
      expect((await store.loadCredentials('i'))?.accessToken).toBe(access);
      await store.createRun(run('r1', { mode: null, scoredAt: null }));
      await store.updateRun('r1', { status: 'failed', message: `the CRM said: token ${access} is invalid (Authorization: Bearer ${refresh})` });
      await store.addRunErrors([{ runId: 'r1', recordId: 'c1', phase: 'write', code: 'ERROR', message: `rejected ${refresh}; key pat-na1-0000-1111-2222`, at: 2 }]);
      expect((await store.getRun('r1'))?.message).toBe('the CRM said: token [redacted] is invalid (Authorization: [redacted])');
      expect((await store.listRunErrors('r1'))[0].message).toBe('rejected [redacted]; key [redacted-token]');
      await store.close();
      for (const secret of [access, refresh]) expect(await where.holds(secret), secret).toBe(false);
    });

    it('marks a run interrupted only when no live lease holds it, with what its audit says it wrote', async () => {
      let now = 10_000;
      await withStore(
        async (store) => {
          const alive = `${hostname()}:${process.pid}:live`;
          expect(await store.acquireLock('i', alive, 60_000)).toEqual({ acquired: true });
          await store.createRun(run('live', { owner: alive }));
          // A run whose process was killed: its lease is gone, and it never recorded its counts.
          await store.createRun(run('killed', { installationId: 'j', owner: DEAD, stats: { ...emptyRunStats(), requests: 4 } }));
          await store.updateRun('killed', { heartbeatAt: 9_000 });
          const ids = await store.addAudit([audit('killed', 'c1', 'stage'), audit('killed', 'c1', 'ltv'), audit('killed', 'c2', 'stage'), audit('killed', 'c3', 'stage'), audit('killed', 'c4', 'stage')]);
          await store.setAuditState(ids.slice(0, 3), 'applied');
          await store.setAuditState([ids[4]], 'failed');
          await store.addPlanned('killed', [{ key: { priority: 2, seq: 0 }, recordId: 'c9', changes: [{ recordId: 'c9', field: 'ltv', previous: null, next: '1' }] }]);
          // Not running: never touched.
          await store.createRun(run('done', { installationId: 'j', status: 'succeeded', owner: DEAD }));
          const marked = await store.markRunsInterrupted(null);
          expect(marked.map((r) => r.id)).toEqual(['killed']);
          expect(marked[0]).toMatchObject({ status: 'interrupted', finishedAt: 9_000, stats: { written: 2, failed: 1, requests: 4 } });
          const killed = await store.getRun('killed');
          expect(killed).toMatchObject({ status: 'interrupted', finishedAt: 9_000, stats: { written: 2, failed: 1, requests: 4 } });
          expect(killed?.message).toBe('the process running it stopped before it finished (2 records written, 1 failed, 1 in flight when it stopped); the next run continues its work; it can be rolled back');
          // Its plan was only its work list.
          expect(await allPlan(store, 'killed')).toEqual([]);
          expect((await store.getRun('live'))?.status).toBe('running');
          expect((await store.getRun('done'))?.status).toBe('succeeded');
          expect(await store.markRunsInterrupted('i', 'live')).toEqual([]);
          // Once its lease expires, the live one is an orphan too (unless it is the caller's own run).
          now += 60_001;
          expect(await store.markRunsInterrupted('i', 'live')).toEqual([]);
          expect((await store.markRunsInterrupted('i')).map((r) => r.id)).toEqual(['live']);
          expect((await store.getRun('live'))?.message).toBe('the process running it stopped before it finished (0 records written); the next run continues its work');
        },
        { clock: () => now },
      );
    });

    it('keeps the plan of an interrupted dry run, for the admin', async () => {
      await withStore(async (store) => {
        await store.createRun(run('dry', { kind: 'dry_run', owner: DEAD }));
        await store.addPlanned('dry', [{ key: { priority: 1, seq: 0 }, recordId: 'c1', changes: [{ recordId: 'c1', field: 'stage', previous: null, next: 'loyalty' }] }]);
        expect((await store.markRunsInterrupted('i')).map((r) => r.id)).toEqual(['dry']);
        expect(await allPlan(store, 'dry')).toHaveLength(1);
      });
    });

    it('abandons a running run: interrupted with its audit counts and the reason, its lease released', async () => {
      await withStore(async (store) => {
        expect(await store.acquireLock('i', 'holder:1', 60_000)).toEqual({ acquired: true });
        await store.createRun(run('stuck', { owner: 'holder:1' }));
        await store.setAuditState(await store.addAudit([audit('stuck', 'c1', 'stage')]), 'applied');
        const abandoned = await store.abandonRun('stuck', 'abandoned by an admin');
        expect(abandoned).toMatchObject({ id: 'stuck', status: 'interrupted', stats: { written: 1 } });
        expect(abandoned?.message).toBe('abandoned by an admin (1 records written); the next run continues its work; it can be rolled back');
        expect(await store.getRun('stuck')).toMatchObject({ status: 'interrupted', message: abandoned?.message });
        expect(await store.renewLock('i', 'holder:1', 60_000)).toBe(false);
        expect(await store.acquireLock('i', 'next:2', 60_000)).toEqual({ acquired: true });
        expect(await store.abandonRun('stuck', 'again')).toBeNull();
        expect(await store.abandonRun('none', 'again')).toBeNull();
      });
    });
  });

  describe('CRM data', () => {
    it('keeps who a customer is as the last pull showed it (replaced, or gone when the CRM shows nothing)', async () => {
      await withStore(async (store) => {
        await store.upsertCustomers('i', [
          { recordId: 'c1', modifiedAt: 1, signals: {}, crmValues: {}, display: { name: 'Ada Lovelace', email: 'ada@example.com', company: 'Analytical Ltd' } },
          { recordId: 'c2', modifiedAt: 1, signals: {}, crmValues: {} },
        ]);
        expect((await store.getCustomer('i', 'c1'))?.display).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com', company: 'Analytical Ltd' });
        expect((await store.getCustomer('i', 'c2'))?.display).toBeUndefined();
        await store.upsertCustomers('i', [{ recordId: 'c1', modifiedAt: 2, signals: {}, crmValues: {}, display: { name: 'Ada King' } }]);
        expect((await store.getCustomer('i', 'c1'))?.display).toEqual({ name: 'Ada King' });
        await store.upsertCustomers('i', [{ recordId: 'c1', modifiedAt: 3, signals: {}, crmValues: {} }]);
        expect((await store.getCustomer('i', 'c1'))?.display).toBeUndefined();
      });
    });

    it('stores customers and deals, links deals to customers, and marks what a full pull did not see', async () => {
      await withStore(async (store) => {
        await store.upsertCustomers('i', [
          { recordId: 'c1', modifiedAt: 1, signals: { nps: 9 }, crmValues: { stage: 'loyalty' } },
          { recordId: 'c2', modifiedAt: 1, signals: {}, crmValues: {} },
          { recordId: 'c3', modifiedAt: 1, signals: {}, crmValues: {} },
        ], 'p1');
        await store.upsertDeals('i', [
          { recordId: 'd1', customerIds: ['c1'], status: 'won', amount: 10.25, closeDay: 20_000, modifiedAt: 2, createdDay: 19_990 },
          { recordId: 'd2', customerIds: ['c1', 'c2'], status: 'open', amount: null, closeDay: null, modifiedAt: 2, createdDay: null },
          { recordId: 'd0', customerIds: ['c1'], status: 'lost', amount: 3, closeDay: 19_000, modifiedAt: 2 },
        ], 'p1');
        // A deal's created day is kept as given; a connector that gives none stores it as unknown.
        expect(await store.dealsOf('i', 'c1')).toEqual([
          { recordId: 'd2', customerIds: ['c1', 'c2'], status: 'open', amount: null, closeDay: null, modifiedAt: 2, createdDay: null },
          { recordId: 'd0', customerIds: ['c1'], status: 'lost', amount: 3, closeDay: 19_000, modifiedAt: 2, createdDay: null },
          { recordId: 'd1', customerIds: ['c1'], status: 'won', amount: 10.25, closeDay: 20_000, modifiedAt: 2, createdDay: 19_990 },
        ]);
        // The second full pull sees c1 (changed), d1 (now also c3's) and d2 (no longer c1's); not c2, c3 or d0.
        await store.upsertCustomers('i', [{ recordId: 'c1', modifiedAt: 3, signals: { nps: 10 }, crmValues: { stage: 'loyalty' } }], 'p2');
        await store.upsertDeals('i', [
          { recordId: 'd1', customerIds: ['c1', 'c3'], status: 'won', amount: 12, closeDay: 20_000, modifiedAt: 3 },
          { recordId: 'd2', customerIds: ['c2'], status: 'open', amount: null, closeDay: null, modifiedAt: 3 },
        ], 'p2');
        expect((await store.dealsOf('i', 'c1')).map((d) => d.recordId)).toEqual(['d0', 'd1']);
        expect((await store.dealsOf('i', 'c3')).map((d) => d.recordId)).toEqual(['d1']);
        // Whom a deal's change concerns: its customers now (d2 is no longer c1's), none for an unknown deal or another installation.
        expect(await store.customersOfDeals('i', ['d1', 'd2', 'unknown'])).toEqual(['c1', 'c2', 'c3']);
        expect(await store.customersOfDeals('other', ['d1'])).toEqual([]);
        expect(await store.customersOfDeals('i', [])).toEqual([]);
        // An incremental page (no pull id) does not count as seen by the full pull, nor unsee.
        await store.upsertCustomers('i', [{ recordId: 'c3', modifiedAt: 4, signals: {}, crmValues: {} }]);
        expect(await store.markUnseenDeleted('i', 'p2')).toEqual({ customers: 2, deals: 1 });
        expect(await store.markUnseenDeleted('i', 'p2')).toEqual({ customers: 0, deals: 0 });
        // A deleted deal still names whom it was linked to (its change concerns them).
        expect(await store.customersOfDeals('i', ['d0'])).toEqual(['c1']);
        expect((await allCustomers(store, 'i')).map((c) => c.recordId)).toEqual(['c1']);
        expect(await store.countCustomers('i')).toBe(1);
        expect(await store.getCustomer('i', 'c2')).toEqual({ recordId: 'c2', modifiedAt: 1, signals: {}, crmValues: {}, deleted: true, scores: null });
        expect((await store.dealsOf('i', 'c1')).map((d) => d.recordId)).toEqual(['d1']);
        // Seen again: no longer deleted.
        await store.upsertCustomers('i', [{ recordId: 'c2', modifiedAt: 5, signals: {}, crmValues: {} }], 'p3');
        expect(await store.getCustomer('i', 'c2')).toMatchObject({ deleted: false, modifiedAt: 5 });
        await store.markCustomersDeleted('i', ['c1', 'c2', 'none']);
        expect(await store.countCustomers('i')).toBe(0);
        expect(await store.getCustomer('i', 'none')).toBeNull();
        expect(await store.countCustomers('other')).toBe(0);
      });
    });

    it('a record twice in one page: the last one stands', async () => {
      await withStore(async (store) => {
        await store.upsertCustomers('i', [
          { recordId: 'c1', modifiedAt: 1, signals: { nps: 1 }, crmValues: {} },
          { recordId: 'c1', modifiedAt: 2, signals: { nps: 2 }, crmValues: {} },
        ]);
        await store.upsertDeals('i', [
          { recordId: 'd1', customerIds: ['c1', 'c2'], status: 'won', amount: 1, closeDay: 1, modifiedAt: 1 },
          { recordId: 'd1', customerIds: ['c2', 'c2'], status: 'won', amount: 2, closeDay: 1, modifiedAt: 2 },
        ]);
        expect(await store.getCustomer('i', 'c1')).toMatchObject({ modifiedAt: 2, signals: { nps: 2 } });
        expect(await store.dealsOf('i', 'c1')).toEqual([]);
        expect(await store.dealsOf('i', 'c2')).toMatchObject([{ recordId: 'd1', amount: 2 }]);
      });
    });

    it('merges the values the CRM now holds, and keeps the last scores', async () => {
      await withStore(async (store) => {
        await store.upsertCustomers('i', [
          { recordId: 'c1', modifiedAt: 1, signals: { nps: 10 }, crmValues: { stage: 'loyalty', ltv: '5' } },
          { recordId: 'c2', modifiedAt: 1, signals: {}, crmValues: {} },
        ]);
        await store.setCrmValues('i', [
          { recordId: 'c1', values: { churnRisk: '12', ltv: null }, modifiedAt: 9 },
          { recordId: 'c2', values: { stage: 'purchase' }, modifiedAt: null },
          { recordId: 'c1', values: { churnRisk: '13' }, modifiedAt: null },
          { recordId: 'gone', values: { stage: 'purchase' }, modifiedAt: 3 },
        ]);
        expect(await store.getCustomer('i', 'c1')).toMatchObject({ modifiedAt: 9, signals: { nps: 10 }, crmValues: { stage: 'loyalty', ltv: null, churnRisk: '13' } });
        expect(await store.getCustomer('i', 'c2')).toMatchObject({ modifiedAt: 1, crmValues: { stage: 'purchase' } });
        expect(await store.getCustomer('i', 'gone')).toBeNull();
        const scores = { asOf: '2026-01-01', values: { stage: 'loyalty' as const }, features: { x: 3, pAlive: 0.25, reason: 'r' } };
        await store.saveScores('i', { after: null, through: null }, ScorePage.of([{ recordId: 'c1', scores: { ...scores, asOf: '2025-12-31' } }, { recordId: 'c1', scores }, { recordId: 'gone', scores }]));
        expect((await store.getCustomer('i', 'c1'))?.scores).toEqual(scores);
        expect((await store.getCustomer('i', 'c2'))?.scores).toBeNull();
        await store.setCrmValues('i', []);
        await store.saveScores('i', { after: null, through: null }, ScorePage.of([]));
        expect((await store.getCustomer('i', 'c1'))?.scores).toBeNull();
        await store.upsertCustomers('i', []);
        await store.upsertDeals('i', []);
        await store.markCustomersDeleted('i', []);
      });
    });

    it('stores scores a span at a time: a later run with other page boundaries replaces them all, and nothing of another installation', async () => {
      await withStore(async (store) => {
        const scored = (asOf: string) => ({ asOf, values: { stage: 'loyalty' as const }, features: { pAlive: 0.5 } });
        // Record ids in byte order (the é sorts after every ASCII letter), as a run reads them.
        const ids = ['a1', 'a2', 'b1', 'b2', 'c1', 'z', 'é'];
        await store.upsertCustomers('i', ids.map((recordId) => ({ recordId, modifiedAt: 1, signals: {}, crmValues: {} })));
        await store.upsertCustomers('other', [{ recordId: 'b1', modifiedAt: 1, signals: {}, crmValues: {} }]);
        await store.saveScores('other', { after: null, through: null }, ScorePage.of([{ recordId: 'b1', scores: scored('other') }]));
        // Run 1: pages of two.
        const spans = (run: string, list: string[], size: number) => {
          const out: { span: { after: string | null; through: string | null }; scores: { recordId: string; scores: ReturnType<typeof scored> }[] }[] = [];
          for (let i = 0; i < list.length; i += size) {
            const rows = list.slice(i, i + size);
            out.push({ span: { after: i === 0 ? null : list[i - 1], through: i + size >= list.length ? null : rows[rows.length - 1] }, scores: rows.map((recordId) => ({ recordId, scores: scored(run) })) });
          }
          return out;
        };
        for (const page of spans('run1', ids, 2)) await store.saveScores('i', page.span, ScorePage.of(page.scores));
        for (const id of ids) expect((await store.getCustomer('i', id))?.scores?.asOf, id).toBe('run1');
        // Run 2: b2 is gone, b15 is new, and pages of three: every boundary moves.
        await store.upsertCustomers('i', [{ recordId: 'b15', modifiedAt: 1, signals: {}, crmValues: {} }]);
        const run2 = ['a1', 'a2', 'b1', 'b15', 'c1', 'z', 'é'];
        for (const page of spans('run2', run2, 3)) await store.saveScores('i', page.span, ScorePage.of(page.scores));
        for (const id of run2) expect((await store.getCustomer('i', id))?.scores?.asOf, id).toBe('run2');
        expect((await store.getCustomer('i', 'b2'))?.scores).toBeNull();
        // Run 3 stops after its first page (a crash): what it saved is new, the rest as run 2 left it.
        await store.saveScores('i', { after: null, through: 'b1' }, ScorePage.of(['a1', 'a2', 'b1'].map((recordId) => ({ recordId, scores: scored('run3') }))));
        expect((await store.getCustomer('i', 'b1'))?.scores?.asOf).toBe('run3');
        expect((await store.getCustomer('i', 'c1'))?.scores?.asOf).toBe('run2');
        // A last page that reaches to the end drops what lay beyond it.
        await store.saveScores('i', { after: 'b1', through: null }, ScorePage.of([{ recordId: 'b15', scores: scored('run3') }]));
        expect((await store.getCustomer('i', 'b15'))?.scores?.asOf).toBe('run3');
        expect((await store.getCustomer('i', 'z'))?.scores).toBeNull();
        expect((await store.getCustomer('other', 'b1'))?.scores?.asOf).toBe('other');
      });
    });

    it('patches a few customers\u2019 scores into the pages that reach them, a page of its own for one no page reaches; a run\u2019s span replaces those', async () => {
      await withStore(async (store) => {
        const scored = (asOf: string) => ({ asOf, values: { stage: 'loyalty' as const }, features: { pAlive: 0.5 } });
        const ids = ['a1', 'a2', 'b1', 'c1', 'é'];
        await store.upsertCustomers('i', ids.map((recordId) => ({ recordId, modifiedAt: 1, signals: {}, crmValues: {} })));
        await store.saveScores('i', { after: null, through: 'b1' }, ScorePage.of(['a1', 'a2', 'b1'].map((recordId) => ({ recordId, scores: scored('run') }))));
        await store.saveScores('i', { after: 'b1', through: null }, ScorePage.of(['c1', 'é'].map((recordId) => ({ recordId, scores: scored('run') }))));
        // a2 inside the first page, é at the end of the second, b2 (new) between the pages.
        await store.upsertCustomers('i', [{ recordId: 'b2', modifiedAt: 2, signals: {}, crmValues: {} }]);
        await store.patchScores('i', ['a2', 'é', 'b2'].map((recordId) => ({ recordId, scores: scored('rescore') })));
        const asOf = async (id: string) => (await store.getCustomer('i', id))?.scores?.asOf;
        expect(await Promise.all(['a1', 'a2', 'b1', 'b2', 'c1', 'é'].map(asOf))).toEqual(['run', 'rescore', 'run', 'rescore', 'run', 'rescore']);
        // The next run's pages replace every page they overlap, the one-customer page too.
        await store.saveScores('i', { after: null, through: null }, ScorePage.of(['a1', 'a2', 'b1', 'b2', 'c1', 'é'].map((recordId) => ({ recordId, scores: scored('next') }))));
        expect(await Promise.all(['a1', 'a2', 'b1', 'b2', 'c1', 'é'].map(asOf))).toEqual(['next', 'next', 'next', 'next', 'next', 'next']);
      });
    });

    it('updates a few customers\u2019 list rows, leaving the run that last changed each as it was', async () => {
      await withStore(async (store) => {
        const entry = (recordId: string, stage: string, changed: boolean) => ({ recordId, name: null, email: null, company: null, stage, churnRiskBand: null, valueTier: null, clv: null, churnRisk: null, ltv: 0, changed });
        await store.saveCustomerList('i', { after: null, through: null }, 'run1', [entry('a', 'awareness', true), entry('b', 'consideration', false)]);
        await store.updateCustomerListRows('i', [entry('b', 'purchase', true), entry('c', 'purchase', true)]);
        const page = await store.customerList('i', { sort: 'ltv', order: 'desc', offset: 0, limit: 10 });
        const rows = new Map(page.rows.map((r) => [r.recordId, r]));
        expect(page.total).toBe(3);
        expect(rows.get('a')).toMatchObject({ stage: 'awareness', changedInLastRun: true });
        expect(rows.get('b')).toMatchObject({ stage: 'purchase', changedInLastRun: false });
        expect(rows.get('c')).toMatchObject({ stage: 'purchase', changedInLastRun: false });
      });
    });

    it('pages customers by record id in byte order across keyset boundaries, skipping deleted ones', async () => {
      await withStore(async (store) => {
        const ids = ['a', 'B', 'c', '_x', 'Z10', 'z2', '10', '9', 'é', 'E', 'b-1', 'b_1', 'b1', 'ab', 'A'];
        await store.upsertCustomers('i', ids.map((recordId, n) => ({ recordId, modifiedAt: n, signals: {}, crmValues: {} })));
        await store.upsertCustomers('other', [{ recordId: 'a0', modifiedAt: 1, signals: {}, crmValues: {} }]);
        await store.markCustomersDeleted('i', ['c', 'Z10']);
        const expected = ids.filter((id) => id !== 'c' && id !== 'Z10').sort();
        const seen: string[] = [];
        let after: string | null = null;
        for (;;) {
          const page = await store.customerPage('i', after, 4);
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(4);
          seen.push(...page.map((c) => c.recordId));
          after = page[page.length - 1].recordId;
        }
        expect(seen).toEqual(expected);
        expect(await store.customerPage('i', 'b', 2)).toMatchObject([{ recordId: 'b-1' }, { recordId: 'b1' }]);
        expect(await store.customerPage('i', expected[expected.length - 1], 4)).toEqual([]);
        expect(await store.countCustomers('i')).toBe(expected.length);
      });
    });

    it('pages one part of each customer (signals, or CRM values) in the same order as whole customers', async () => {
      await withStore(async (store) => {
        const ids = ['b', 'a', 'é', 'B', 'c1', 'c0'];
        await store.upsertCustomers('i', ids.map((recordId, n) => ({ recordId, modifiedAt: n, signals: { nps: n, advocate: n % 2 === 0 }, crmValues: { stage: 'purchase', ltv: String(n) } })));
        await store.markCustomersDeleted('i', ['c1']);
        const whole: CustomerCore[] = [];
        const signals: unknown[] = [];
        const values: unknown[] = [];
        for (let after: string | null = null; ; ) {
          const page = await store.customerPage('i', after, 2);
          const s = await store.customerSignalsPage('i', after, 2);
          const v = await store.customerValuesPage('i', after, 2);
          if (page.length === 0) {
            expect([s, v]).toEqual([[], []]);
            break;
          }
          whole.push(...page);
          signals.push(...s);
          values.push(...v);
          after = page[page.length - 1].recordId;
        }
        expect(whole.map((c) => c.recordId)).toEqual(['B', 'a', 'b', 'c0', 'é']);
        expect(signals).toEqual(whole.map((c) => ({ recordId: c.recordId, signals: c.signals })));
        expect(values).toEqual(whole.map((c) => ({ recordId: c.recordId, crmValues: c.crmValues })));
      });
    });

    it("keeps a customer's created day and lead source with its other signals, through every read", async () => {
      await withStore(async (store) => {
        const signals = { lastEngagementDay: 20_100, nps: 9, createdDay: 19_800, leadSource: 'REFERRALS' };
        await store.upsertCustomers('i', [
          { recordId: 'c1', modifiedAt: 1, signals, crmValues: {} },
          // A created date the CRM had unreadable is stored as unknown, the lead source absent.
          { recordId: 'c2', modifiedAt: 1, signals: { createdDay: null }, crmValues: {} },
        ]);
        expect((await store.getCustomer('i', 'c1'))?.signals).toEqual(signals);
        expect((await store.customerPage('i', null, 10)).map((c) => c.signals)).toEqual([signals, { createdDay: null }]);
        expect(await store.customerSignalsPage('i', null, 10)).toEqual([{ recordId: 'c1', signals }, { recordId: 'c2', signals: { createdDay: null } }]);
        // A later pull's values replace them.
        await store.upsertCustomers('i', [{ recordId: 'c1', modifiedAt: 2, signals: { createdDay: 19_801, leadSource: 'Partner Referral' }, crmValues: {} }]);
        expect((await store.getCustomer('i', 'c1'))?.signals).toEqual({ createdDay: 19_801, leadSource: 'Partner Referral' });
        expect(await store.getCustomer('other', 'c1')).toBeNull();
      });
    });

    it('pages deal links by (customer, deal) with their deal as last stored, without deleted deals', async () => {
      await withStore(async (store) => {
        await store.upsertDeals('i', [
          { recordId: 'd2', customerIds: ['c1', 'c2'], status: 'won', amount: 5, closeDay: 10, modifiedAt: 1, createdDay: 2 },
          { recordId: 'd1', customerIds: ['c2'], status: 'open', amount: null, closeDay: null, modifiedAt: 1, createdDay: 3 },
          { recordId: 'D3', customerIds: ['c1', 'C0'], status: 'lost', amount: 1.5, closeDay: 11, modifiedAt: 1 },
          { recordId: 'd4', customerIds: ['c1'], status: 'won', amount: 2, closeDay: 12, modifiedAt: 1, createdDay: 4 },
        ], 'p1');
        await store.upsertDeals('i', [{ recordId: 'd4', customerIds: ['c1'], status: 'won', amount: 2, closeDay: 12, modifiedAt: 1, createdDay: 4 }]);
        // d2 changes (and keeps its customers), d1 is won now, d4 is not in the second full pull.
        await store.upsertDeals('i', [{ recordId: 'd2', customerIds: ['c1', 'c2'], status: 'won', amount: 6, closeDay: 13, modifiedAt: 2, createdDay: 2 }, { recordId: 'd1', customerIds: ['c2'], status: 'won', amount: 7, closeDay: 14, modifiedAt: 2, createdDay: 3 }, { recordId: 'D3', customerIds: ['c1', 'C0'], status: 'lost', amount: 1.5, closeDay: 11, modifiedAt: 1 }], 'p2');
        expect(await store.markUnseenDeleted('i', 'p2')).toEqual({ customers: 0, deals: 1 });
        const allLinks = () => allDealLinks(store, 'i', 2);
        // Links carry their deal's created day too (the plan phase reads deals' ages from them).
        expect(await allLinks()).toEqual([
          { customerId: 'C0', dealId: 'D3', status: 'lost', amount: 1.5, closeDay: 11, createdDay: null },
          { customerId: 'c1', dealId: 'D3', status: 'lost', amount: 1.5, closeDay: 11, createdDay: null },
          { customerId: 'c1', dealId: 'd2', status: 'won', amount: 6, closeDay: 13, createdDay: 2 },
          { customerId: 'c2', dealId: 'd1', status: 'won', amount: 7, closeDay: 14, createdDay: 3 },
          { customerId: 'c2', dealId: 'd2', status: 'won', amount: 6, closeDay: 13, createdDay: 2 },
        ]);
        // A deleted deal seen again is back, with its new customer only (and its created day as now given).
        await store.upsertDeals('i', [{ recordId: 'd4', customerIds: ['c2', 'c2'], status: 'won', amount: 3, closeDay: 15, modifiedAt: 3, createdDay: 5 }]);
        expect((await allLinks()).filter((l) => l.dealId === 'd4')).toEqual([{ customerId: 'c2', dealId: 'd4', status: 'won', amount: 3, closeDay: 15, createdDay: 5 }]);
        expect(await store.dealLinkPage('other', null, 10)).toEqual([]);
      });
    });
  });

  describe('audit, plans and retries', () => {
    it('audits writes as pending intents, then applied; pending ones of earlier runs become superseded', async () => {
      await withStore(async (store) => {
        await store.createRun(run('r1'));
        await store.createRun(run('r2', { startedAt: 2 }));
        await store.createRun(run('o1', { installationId: 'other' }));
        const ids = await store.addAudit([audit('r1', 'c1', 'stage'), audit('r1', 'c1', 'ltv')]);
        const otherIds = await store.addAudit([audit('o1', 'c1', 'stage')]);
        expect(ids).toHaveLength(2);
        expect(ids[0]).toBeLessThan(ids[1]);
        expect(await store.addAudit([])).toEqual([]);
        await store.setAuditState([ids[0]], 'applied');
        await store.setAuditState([], 'failed');
        const mine = await store.addAudit([audit('r2', 'c1', 'churnRisk')]);
        expect(await store.supersedePendingAudit('i', 'r2')).toBe(1);
        expect((await allAudit(store, 'r1')).map((a) => [a.id, a.field, a.state])).toEqual([
          [ids[0], 'stage', 'applied'],
          [ids[1], 'ltv', 'superseded'],
        ]);
        expect((await allAudit(store, 'o1')).map((a) => [a.id, a.state])).toEqual([[otherIds[0], 'pending']]);
        expect((await store.auditOfRecord('i', 'c1', 5)).map((a) => a.id)).toEqual([mine[0], ids[1], ids[0]]);
        expect((await store.auditOfRecord('i', 'c1', 1)).map((a) => a.id)).toEqual([mine[0]]);
        expect(await store.auditOfRecord('i', 'c1', 5)).toContainEqual({ id: ids[0], runId: 'r1', recordId: 'c1', field: 'stage', previous: null, next: 'c1-stage', state: 'applied', at: 1 });
      });
    });

    it('pages a run\u2019s audit by (record, id) across records, and counts records per state', async () => {
      await withStore(async (store) => {
        await store.createRun(run('r'));
        await store.createRun(run('s'));
        const entries = [audit('r', 'b', 'stage'), audit('r', 'a', 'stage'), audit('s', 'a', 'ltv'), audit('r', 'B', 'ltv'), audit('r', 'a', 'ltv'), audit('r', 'b', 'churnRisk'), audit('r', 'a', 'churnRisk')];
        const ids = await store.addAudit(entries);
        await store.setAuditState([ids[1], ids[4]], 'applied');
        await store.setAuditState([ids[0]], 'failed');
        const pages: string[][] = [];
        let after: { recordId: string; id: number } | null = null;
        for (;;) {
          const page = await store.auditPage('r', after, 2);
          if (page.length === 0) break;
          pages.push(page.map((e) => `${e.recordId}.${e.field}`));
          const last = page[page.length - 1];
          after = { recordId: last.recordId, id: last.id };
        }
        expect(pages).toEqual([['B.ltv', 'a.stage'], ['a.ltv', 'a.churnRisk'], ['b.stage', 'b.churnRisk']]);
        // a: applied twice, pending once; b: failed and pending; B: pending.
        expect(await store.auditCounts('r')).toEqual({ applied: 1, failed: 1, pending: 3 });
        expect(await store.auditCounts('none')).toEqual({});
      });
    });

    it('pages a plan by record with retries first, then stage moves, and by change, optionally of one field', async () => {
      await withStore(async (store) => {
        await store.createRun(run('r', { kind: 'dry_run' }));
        await store.createRun(run('other'));
        const records: PlannedRecord[] = [];
        for (let i = 0; i < 50; i++) {
          const changes: PlannedChange[] = [{ recordId: `c${i}`, field: 'churnRisk', previous: '1', next: '2' }];
          if (i % 10 === 3) changes.push({ recordId: `c${i}`, field: 'stage', previous: 'purchase', next: 'at_risk' });
          const priority = i === 17 || i === 44 ? 0 : i % 10 === 3 ? 1 : 2;
          records.push({ key: { priority, seq: i }, recordId: `c${i}`, changes });
        }
        // Appended in batches, as the plan phase does.
        await store.addPlanned('r', records.slice(0, 20));
        await store.addPlanned('r', records.slice(20));
        await store.addPlanned('r', []);
        await store.addPlanned('other', records.slice(0, 3));
        const order = ['c17', 'c44', 'c3', 'c13', 'c23', 'c33', 'c43', ...records.filter((r) => r.key.priority === 2).map((r) => r.recordId)];
        const first = await store.planRecords('r', { offset: 0, limit: 5 });
        expect(first.map((r) => r.recordId)).toEqual(order.slice(0, 5));
        expect(first[0]).toEqual({ key: { priority: 0, seq: 17 }, recordId: 'c17', changes: [{ recordId: 'c17', field: 'churnRisk', previous: '1', next: '2' }] });
        expect(first[2].changes.map((c) => c.field)).toEqual(['churnRisk', 'stage']);
        expect((await store.planRecords('r', { offset: 7, limit: 2 })).map((r) => r.recordId)).toEqual(['c0', 'c1']);
        expect((await store.planRecords('r', { offset: 49, limit: 10 })).map((r) => r.recordId)).toEqual([order[49]]);
        expect(await store.planRecords('r', { offset: 50, limit: 10 })).toEqual([]);
        // The write phase's keyset: whole records, in order, never one cut in two.
        const walked: string[] = [];
        let after: PlanKey | null = null;
        for (;;) {
          const page = await store.plannedAfter('r', after, 3);
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(3);
          walked.push(...page.map((r) => r.recordId));
          for (const r of page) expect(r.changes).toHaveLength(Number(r.recordId.slice(1)) % 10 === 3 ? 2 : 1);
          after = page[page.length - 1].key;
        }
        expect(walked).toEqual(order);
        expect((await store.planChanges('r', { offset: 0, limit: 3, field: 'stage' })).map((c) => c.recordId)).toEqual(['c3', 'c13', 'c23']);
        expect((await store.planChanges('r', { offset: 4, limit: 3, field: 'stage' })).map((c) => c.recordId)).toEqual(['c43']);
        const all = await allPlan(store, 'r');
        expect(all).toHaveLength(55);
        expect(all.slice(0, 4).map((c) => `${c.recordId}.${c.field}`)).toEqual(['c17.churnRisk', 'c44.churnRisk', 'c3.churnRisk', 'c3.stage']);
        expect(await store.planChanges('r', { offset: 10, limit: 5 })).toEqual(all.slice(10, 15));
        await store.deletePlan('r');
        expect(await allPlan(store, 'r')).toEqual([]);
        expect(await store.plannedAfter('r', null, 10)).toEqual([]);
        expect(await allPlan(store, 'other')).toHaveLength(3);
      });
    });

    it('keeps a retry queue per record: attempts counted, the last reason kept', async () => {
      await withStore(async (store) => {
        await store.setRetries('i', [{ recordId: 'c1', reason: 'x' }, { recordId: 'B', reason: 'b' }]);
        await store.setRetries('i', [{ recordId: 'c1', reason: 'y' }, { recordId: 'a', reason: 'first' }, { recordId: 'a', reason: 'second' }]);
        await store.setRetries('other', [{ recordId: 'c1', reason: 'o' }]);
        await store.setRetries('i', []);
        expect(await store.listRetries('i')).toEqual([
          { recordId: 'B', reason: 'b', attempts: 1 },
          { recordId: 'a', reason: 'second', attempts: 2 },
          { recordId: 'c1', reason: 'y', attempts: 2 },
        ]);
        await store.clearRetries('i', ['c1', 'a', 'none']);
        await store.clearRetries('i', []);
        expect(await store.listRetries('i')).toEqual([{ recordId: 'B', reason: 'b', attempts: 1 }]);
        expect(await store.listRetries('other')).toEqual([{ recordId: 'c1', reason: 'o', attempts: 1 }]);
      });
    });
  });

  describe('state', () => {
    it('keeps cursors, request usage per day and the latest model fit', async () => {
      let now = 7;
      await withStore(
        async (store) => {
          expect(await store.getCursor('i', 'sync')).toBeNull();
          await store.setCursor('i', 'sync', { since: 5, nested: { list: [1, 'two'] } });
          await store.setCursor('i', 'sync', { since: 6 });
          await store.setCursor('other', 'sync', { since: 1 });
          expect(await store.getCursor('i', 'sync')).toEqual({ since: 6 });
          await store.setCursor('i', 'sync', null);
          expect(await store.getCursor('i', 'sync')).toBeNull();
          expect(await store.getCursor('other', 'sync')).toEqual({ since: 1 });
          await store.addRequestUsage('i', '2026-01-01', 5);
          await store.addRequestUsage('i', '2026-01-01', 7);
          await store.addRequestUsage('i', '2026-01-01', 0);
          await store.addRequestUsage('i', '2026-01-02', 1);
          expect(await store.requestUsage('i', '2026-01-01')).toBe(12);
          expect(await store.requestUsage('i', '2026-01-03')).toBe(0);
          expect(await store.latestModelFit('i')).toBeNull();
          await store.saveModelFit('i', 'r1', { name: 'pareto_nbd', params: [0.5, 1e-9, 3] });
          now = 8;
          await store.saveModelFit('i', 'r2', { name: 'bg_nbd' });
          await store.saveModelFit('other', 'o', { name: 'x' });
          expect(await store.latestModelFit('i')).toEqual({ runId: 'r2', at: 8, fit: { name: 'bg_nbd' } });
          // Every run's fit, newest first, of this installation only (the page's trends).
          expect((await store.modelFits('i', 10)).map((f) => f.runId)).toEqual(['r2', 'r1']);
          expect(await store.modelFits('i', 1)).toEqual([{ runId: 'r2', at: 8, fit: { name: 'bg_nbd' } }]);
          expect(await store.modelFits('nobody', 10)).toEqual([]);
        },
        { clock: () => now },
      );
    });

    it('lets one caller claim an alert, across connections (two processes), per installation and key', async () => {
      const { where, store } = await fresh();
      const other = await where.open({ encryptionKey: KEY });
      try {
        const claims = await Promise.all([store.claimAlert('i', 'no_success:r1'), other.claimAlert('i', 'no_success:r1')]);
        expect(claims.sort()).toEqual([false, true]);
        expect(await store.claimAlert('i', 'no_success:r1')).toBe(false);
        expect(await other.claimAlert('i', 'no_success:r2')).toBe(true);
        expect(await store.claimAlert('other', 'no_success:r1')).toBe(true);
      } finally {
        await other.close();
        await store.close();
      }
    });
  });

  describe('explicit transactions', () => {
    it('commit every write made through the transaction together, and return its value', async () => {
      await withStore(async (store) => {
        const value = await store.transaction(async (tx) => {
          await tx.upsertCustomers('i', [{ recordId: 'c1', modifiedAt: 1, signals: {}, crmValues: {} }]);
          await tx.setCursor('i', 'pull', { page: 2 });
          // A transaction reads its own writes, and one opened inside it is part of it.
          expect(await tx.countCustomers('i')).toBe(1);
          await tx.transaction((inner) => inner.setRetries('i', [{ recordId: 'c1', reason: 'r' }]));
          return 'done';
        });
        expect(value).toBe('done');
        expect(await store.countCustomers('i')).toBe(1);
        expect(await store.getCursor('i', 'pull')).toEqual({ page: 2 });
        expect(await store.listRetries('i')).toHaveLength(1);
      });
    });

    it('a throw inside rolls back every write made through it; the error is the caller\u2019s own', async () => {
      await withStore(async (store) => {
        await store.createRun(run('r'));
        const thrown = new Error('the page could not be checkpointed');
        const caught = await rejection(
          store.transaction(async (tx) => {
            await tx.upsertCustomers('i', [{ recordId: 'c1', modifiedAt: 1, signals: {}, crmValues: {} }]);
            await tx.upsertDeals('i', [{ recordId: 'd1', customerIds: ['c1'], status: 'won', amount: 1, closeDay: 1, modifiedAt: 1 }]);
            await tx.setCursor('i', 'pull', { page: 2 });
            await tx.addAudit([audit('r', 'c1', 'stage')]);
            await tx.addPlanned('r', [{ key: { priority: 2, seq: 0 }, recordId: 'c1', changes: [{ recordId: 'c1', field: 'ltv', previous: null, next: '1' }] }]);
            await tx.addRunErrors([{ runId: 'r', recordId: null, phase: 'pull', code: 'X', message: 'x', at: 1 }]);
            await tx.updateRun('r', { status: 'failed' });
            await tx.setRetries('i', [{ recordId: 'c1', reason: 'r' }]);
            await tx.transaction((inner) => inner.addRequestUsage('i', '2026-01-01', 3));
            throw thrown;
          }),
        );
        expect(caught).toBe(thrown);
        expect(await store.getCustomer('i', 'c1')).toBeNull();
        expect(await store.dealLinkPage('i', null, 10)).toEqual([]);
        expect(await store.getCursor('i', 'pull')).toBeNull();
        expect(await allAudit(store, 'r')).toEqual([]);
        expect(await allPlan(store, 'r')).toEqual([]);
        expect(await store.listRunErrors('r')).toEqual([]);
        expect((await store.getRun('r'))?.status).toBe('running');
        expect(await store.listRetries('i')).toEqual([]);
        expect(await store.requestUsage('i', '2026-01-01')).toBe(0);
        // The store is usable afterwards.
        await store.transaction((tx) => tx.setCursor('i', 'pull', { page: 3 }));
        expect(await store.getCursor('i', 'pull')).toEqual({ page: 3 });
      });
    });

    it('a store error inside rolls the transaction back with that error', async () => {
      await withStore(async (store) => {
        await expect(
          store.transaction(async (tx) => {
            await tx.setCursor('i', 'pull', { page: 1 });
            await tx.addAudit([audit('ghost', 'c1', 'stage')]);
          }),
        ).rejects.toThrow(/no run ghost/);
        expect(await store.getCursor('i', 'pull')).toBeNull();
      });
    });

    it('writes made outside a transaction while it is open are not blocked forever, and not rolled back with it', async () => {
      await withStore(async (store) => {
        let opened: () => void = () => {};
        const isOpen = new Promise<void>((resolve) => (opened = resolve));
        let finish: () => void = () => {};
        const mayFinish = new Promise<void>((resolve) => (finish = resolve));
        const transaction = store.transaction(async (tx) => {
          await tx.setCursor('i', 'inside', { n: 1 });
          opened();
          await mayFinish;
          throw new Error('rolled back');
        });
        await isOpen;
        const outside = store.addRequestUsage('i', '2026-01-01', 4);
        finish();
        await expect(transaction).rejects.toThrow('rolled back');
        await outside;
        expect(await store.requestUsage('i', '2026-01-01')).toBe(4);
        expect(await store.getCursor('i', 'inside')).toBeNull();
      });
    });
  });
});
