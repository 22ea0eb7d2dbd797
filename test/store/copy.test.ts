/**
 * `lifecycle-sync store copy --to postgres://…`: an admin who outgrows the SQLite file moves an
 * installation's whole state to Postgres and carries on there — same history, same credentials, and the
 * next run incremental (nothing rewritten to the CRM).
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCli } from '../cliChild.ts';
import { createHarness, TEST_ENCRYPTION_KEY, type Harness } from '../hubspot/harness.ts';
import { asAdmin, freshDatabase, type FreshDatabase } from '../postgres.ts';
import { allAudit, allCustomers, allDealLinks, allPlan } from '../storeReads.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';
import type { Store } from '../../src/store/types.ts';

let h: Harness | undefined;
let db: FreshDatabase | undefined;
afterEach(async () => {
  await h?.close();
  await db?.drop();
  h = undefined;
  db = undefined;
});

/** Everything a user can read of an installation through the store, audit ids aside (each database numbers its own). */
async function everything(store: Store, id: string) {
  const runs = await store.listRuns(id, 100);
  const perRun = await Promise.all(
    runs.map(async (r) => ({
      id: r.id,
      errors: await store.listRunErrors(r.id),
      audit: (await allAudit(store, r.id)).map(({ id: _id, ...rest }) => rest),
      auditCounts: await store.auditCounts(r.id),
      plan: await allPlan(store, r.id),
      stages: await store.stagePages(r.id, null, 1000),
      writes: await store.runWrites(r.id, {}, { limit: 100_000 }),
    })),
  );
  return {
    installations: await store.listInstallations(),
    credentials: await store.loadCredentials(id),
    accountEnv: await store.loadAccountEnv(id),
    runs,
    perRun,
    customers: await allCustomers(store, id),
    // Each customer whole, with the scores of the last run (stored a page at a time).
    scored: await Promise.all((await allCustomers(store, id)).map((c) => store.getCustomer(id, c.recordId))),
    count: await store.countCustomers(id),
    dealLinks: await allDealLinks(store, id),
    retries: await store.listRetries(id),
    fit: await store.latestModelFit(id),
    cursors: [await store.getCursor(id, 'sync'), await store.getCursor(id, 'pull')],
    usage: await store.requestUsage(id, new Date().toISOString().slice(0, 10)),
    stageRuns: await store.stageRecordRuns(id, 100),
    // Ids are each database's own; the order and the entries are what moves.
    settingChanges: (await store.settingChanges(id, { offset: 0, limit: 100 })).changes.map(({ id: _id, ...rest }) => rest),
    openDeals: await store.openDeals(id, { sort: 'amount', order: 'desc', offset: 0, limit: 1000 }),
    pipeline: await store.openDealPipeline(id),
    // The conversion model's engagement readings, kept over syncs.
    engagementReadings: await store.engagementReadingsPage(id, null, 1_000_000),
  };
}

describe('store copy: SQLite to Postgres', () => {
  it('copies runs, errors, audit, plans, retries, fits, cursors, CRM data and credentials; the next sync there writes nothing; a second copy is refused', async () => {
    h = await createHarness({ dataset: { contacts: 150 } });
    const harness = h;
    // History worth keeping: a dry run's plan, a sync where some writes fail (an admin drops a stage
    // option between the pull and the writes: those records wait in the retry queue), stored OAuth tokens.
    const dry = await h.sync({ dryRun: true });
    expect(dry.changed).toBeGreaterThan(0);
    let dropped = false;
    const sync = await h.sync({
      onProgress: (p) => {
        if (p.phase !== 'classify' || dropped) return;
        dropped = true;
        const stage = harness.sandbox.data.getProperty('contacts', 'lcs_stage');
        void fetch(`${harness.url}/crm/v3/properties/contacts/lcs_stage`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${harness.env.HUBSPOT_ACCESS_TOKEN ?? ''}`, 'content-type': 'application/json' },
          body: JSON.stringify({ options: (stage?.options ?? []).filter((o) => o.value !== 'loyalty').map((o, i) => ({ ...o, displayOrder: i, hidden: false })) }),
        });
      },
    });
    expect(sync.failed).toBeGreaterThan(0);
    const retried = await h.store.listRetries('hubspot');
    expect(retried.length).toBe(sync.failed);
    const retry = await h.sync();
    expect(retry).toMatchObject({ status: 'succeeded', failed: 0 });
    await h.store.saveCredentials('hubspot', { kind: 'oauth', accessToken: 'at-copied-secret', refreshToken: 'rt-copied-secret', expiresAt: 1_900_000_000_000, extra: { hubId: '42' } });
    // An installation's own settings and account variables travel too.
    await h.store.updateInstallation('hubspot', { settings: { schedule: { timezone: 'Europe/Berlin' } } });
    await h.store.addSettingChanges([
      { installationId: 'hubspot', at: 1, actor: 'cli', key: 'schedule.timezone', before: 'UTC', after: 'Europe/Berlin' },
      { installationId: 'hubspot', at: 2, actor: 'admin', key: 'classifier.ltv.acquisitionSpend', before: null, after: 1500 },
    ]);
    await h.store.saveAccountEnv('hubspot', { HUBSPOT_BASE_URL: h.url, HUBSPOT_ACCESS_TOKEN: 'pat-copied-secret-token' });
    // The open-deal pipeline of the last sync (deal scoring's) moves with it.
    await h.store.replaceOpenDeals('hubspot', retry.runId, [
      { dealId: 'd1', name: 'Acme renewal', stage: 'Contract Sent', amount: 12000, meddicScore: 100, winProbability: 83, biggestGap: null, nextAction: 'Close it', basis: 'fitted', scoredAt: 1_800_000_000_000 },
      { dealId: 'd2', name: null, stage: null, amount: null, meddicScore: 17, winProbability: 9, biggestGap: 'champion', nextAction: 'Find a champion', basis: 'fitted', scoredAt: 1_800_000_000_000 },
    ]);
    // A failed write left an error and the retry queue for the next run: make one more, kept queued.
    await h.store.setRetries('hubspot', [{ recordId: retried[0].recordId, reason: 'INVALID_OPTION' }]);
    // An older reading of a customer's last engagement, as an earlier sync kept it.
    await h.store.addEngagementReadings('hubspot', [{ recordId: retried[0].recordId, seenDay: 20_000, lastEngagementDay: 19_990 }]);
    const before = await everything(h.store, 'hubspot');
    expect(before.engagementReadings).toContainEqual({ recordId: retried[0].recordId, seenDay: 20_000, lastEngagementDay: 19_990 });
    // The runs' stage records move too (the flow between runs).
    expect(before.stageRuns.length).toBeGreaterThan(0);
    expect(before.perRun.some((r) => r.errors.length > 0)).toBe(true);
    expect(before.perRun.find((r) => r.id === dry.runId)?.plan.length).toBeGreaterThan(0);
    expect(before.scored.every((c) => c?.scores?.values.stage !== undefined)).toBe(true);
    expect(before.openDeals.total).toBe(2);

    db = await freshDatabase();
    const env = { ...h.env, LIFECYCLE_SYNC_CONFIG: h.configPath, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, LOG_LEVEL: 'warn' };
    const copy = await spawnCli(['store', 'copy', '--to', db.url, '--json'], env, h.dir);
    expect(copy.code, copy.stderr).toBe(0);
    const report = JSON.parse(copy.stdout) as { installations: { id: string; rows: Record<string, number>; credentials: boolean }[] };
    expect(report.installations).toEqual([expect.objectContaining({ id: 'hubspot', credentials: true })]);
    expect(report.installations[0].rows).toMatchObject({ runs: 3, customers: before.count, retry_queue: 1, score_pages: Math.ceil(before.count / 2000), settings_changes: 2 });
    expect(before.settingChanges).toHaveLength(2);

    const target = await openPostgresStore(db.url, { encryptionKey: TEST_ENCRYPTION_KEY });
    try {
      expect(await everything(target, 'hubspot')).toEqual(before);
    } finally {
      await target.close();
    }
    // Credentials are encrypted there too: no token in the clear.
    const payloads = await asAdmin((c) => c.query<{ payload: Buffer }>('SELECT payload FROM credentials'), db.name);
    expect(payloads.rows).toHaveLength(1);
    expect(payloads.rows[0].payload.toString('latin1')).not.toMatch(/copied-secret/);
    const accountEnv = await asAdmin((c) => c.query<{ payload: Buffer }>('SELECT payload FROM account_env'), db.name);
    expect(accountEnv.rows).toHaveLength(1);
    expect(accountEnv.rows[0].payload.toString('latin1')).not.toMatch(/copied-secret/);

    // Carry on in Postgres: the stored CRM data and cursor make the next run incremental, writing nothing
    // but the one queued retry (whose value is already in the CRM).
    h.sandbox.stats.reset();
    const next = await spawnCli(['sync', '--json'], { ...env, DATABASE_URL: db.url }, h.dir);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ status: 'succeeded', mode: 'incremental', written: 0, failed: 0 });
    expect(h.sandbox.stats.byRoute['POST /crm/objects/2026-09/contacts/batch/update']).toBeUndefined();

    // Copying again would duplicate history: refused, one line, nothing changed there.
    const again = await spawnCli(['store', 'copy', '--to', db.url], env, h.dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds an installation hubspot: nothing was copied/);
    expect(again.stderr).not.toMatch(/copied-secret|test-encryption-key/);
    const runsThere = await asAdmin((c) => c.query<{ n: string }>('SELECT count(*) AS n FROM runs'), db.name);
    expect(Number(runsThere.rows[0].n)).toBe(4);
  });

  it('refuses a --to that is not a Postgres URL, and a --from file that does not exist, without creating it', async () => {
    const bad = await spawnCli(['store', 'copy', '--to', 'mysql://x/y'], { LIFECYCLE_SYNC_CONFIG: '' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--to must be a postgres:\/\/ or postgresql:\/\/ URL/);
    const missing = `/tmp/lcs-no-such-${process.pid}.db`;
    const none = await spawnCli(['store', 'copy', '--from', missing, '--to', 'postgres://127.0.0.1:1/x'], { LIFECYCLE_SYNC_CONFIG: '' });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(new RegExp(`no SQLite state file at ${missing}`));
    expect(existsSync(missing)).toBe(false);
  });
});
