/**
 * Runs as jobs on Postgres (pg-boss): `sync --enqueue` answers with a run id at once, two `worker`
 * processes take the jobs of 20 installations (15 HubSpot portals and 5 Salesforce orgs, each a sandbox
 * with its own credentials), one run per installation at a time; a worker SIGKILLed in mid-run has its
 * job taken over by the other one, whose run continues the work and succeeds; each installation's own
 * schedule fires once per tick with two workers. The CLI and the workers are child processes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotSandbox, seedSyntheticDataset, type HubSpotSandbox } from '../../sandboxes/hubspot/index.ts';
import { createSalesforceSandbox, DEFAULT_ACCESS_TOKEN, seedSyntheticDataset as seedSalesforce, type SalesforceSandbox } from '../../sandboxes/salesforce/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import { RunQueue } from '../../src/jobs/runQueue.ts';
import { silentLogger } from '../../src/log.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';
import type { RunRecord, Store } from '../../src/store/types.ts';
import { startChild, type LongChild } from '../cliChild.ts';
import { runCli, type CliResult } from '../cli/run.ts';
import { TEST_CONFIG, TEST_ENCRYPTION_KEY } from '../hubspot/harness.ts';
import { freshDatabase, type FreshDatabase } from '../postgres.ts';
import { until as untilValue } from '../until.ts';

interface Portal {
  sandbox: HubSpotSandbox;
  url: string;
  token: string;
  id: string;
}

let dir: string;
let database: FreshDatabase;
let store: Store;
let base: Record<string, string>;
const portals: Portal[] = [];
const workers: LongChild[] = [];

/** The other 17 installations: CRM accounts that only need to be synced, each once. */
interface Account {
  crm: 'hubspot' | 'salesforce';
  url: string;
  close(): Promise<void>;
  /** Its contacts, and how many hold a stage written by the plugin. */
  contacts(): number;
  scored(): number;
  env: Record<string, string>;
  id: string;
}
const accounts: Account[] = [];

async function hubspotAccount(i: number): Promise<Account> {
  const p = await portal(`pat-na1-jobs-more-${String(i).padStart(2, '0')}-0000000000000`, 10 + i, 30, 100_000);
  const ids = () => p.sandbox.data.contactIds();
  return { crm: 'hubspot', url: p.url, close: () => p.sandbox.close(), contacts: () => ids().length, scored: () => scored(p), env: { HUBSPOT_ACCESS_TOKEN: p.token, HUBSPOT_BASE_URL: p.url }, id: '' };
}

async function salesforceAccount(i: number): Promise<Account> {
  let offset = -3_600_000;
  const sandbox: SalesforceSandbox = createSalesforceSandbox({ clock: () => Date.now() + offset });
  seedSalesforce(sandbox.data, { contacts: 30, seed: 40 + i });
  offset = 0;
  const url = await sandbox.listen();
  const ids = () => sandbox.data.ids('Contact');
  return {
    crm: 'salesforce',
    url,
    close: () => sandbox.close(),
    contacts: () => ids().length,
    scored: () => ids().filter((id) => sandbox.data.get('Contact', id)?.LCS_Stage__c).length,
    env: { SALESFORCE_ACCESS_TOKEN: DEFAULT_ACCESS_TOKEN, SALESFORCE_INSTANCE_URL: url, SALESFORCE_LOGIN_URL: url },
    id: '',
  };
}

/** No two runs of an installation overlap: each starts after the one before it ended (or, interrupted, last beat). */
function oneAtATime(runs: RunRecord[]): void {
  const ordered = [...runs].sort((x, y) => x.startedAt - y.startedAt);
  for (let i = 1; i < ordered.length; i++) {
    const before = ordered[i - 1];
    expect(ordered[i].startedAt, `${ordered[i].id} after ${before.id}`).toBeGreaterThanOrEqual(before.finishedAt ?? before.heartbeatAt);
  }
}

async function portal(token: string, seed: number, contacts: number, tenSecondly: number): Promise<Portal> {
  let offset = -3_600_000;
  // Each portal its own account: `installations add` keeps one installation per portal id.
  const sandbox = createHubSpotSandbox({ limits: { tenSecondly, searchPerSecond: 1000 }, clock: () => Date.now() + offset, privateAppTokens: [{ token }], portalId: 40_000_000 + seed });
  seedSyntheticDataset(sandbox.data, { contacts, seed, today: new Date() });
  offset = 0;
  return { sandbox, url: await sandbox.listen(), token, id: '' };
}

const scored = (p: Portal): number => p.sandbox.data.contactIds().filter((id) => p.sandbox.data.getContact(id)?.properties.lcs_stage).length;
const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { ...base, ...env });
const ok = (r: CliResult): CliResult => {
  expect(r.code, r.stderr).toBe(0);
  return r;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const until = <T>(what: string, check: () => Promise<T | null>, timeoutMs: number): Promise<T> => untilValue(what, check, timeoutMs, () => workers.map((w) => w.stderr().slice(-3000)).join('\n---\n'));

const runsOf = (p: Portal): Promise<RunRecord[]> => store.listRuns(p.id, 20);
const startWorker = () => startChild(['worker', '--concurrency', '2'], { ...base, LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, /worker ready/);

beforeAll(async () => {
  portals.push(
    await portal('pat-na1-jobs-a-000000000000000000', 1, 40, 100_000),
    await portal('pat-na1-jobs-b-111111111111111111', 2, 40, 100_000),
    // Slow (few requests per ten seconds): its run is still writing when a worker is killed.
    await portal('pat-na1-jobs-c-222222222222222222', 3, 1500, 12),
  );
  dir = mkdtempSync(join(tmpdir(), 'lcs-jobs-'));
  database = await freshDatabase();
  const configPath = join(dir, 'config.yaml');
  const config = {
    ...TEST_CONFIG,
    sync: { ...TEST_CONFIG.sync, lockTtlSeconds: 10 },
    jobs: { retryLimit: 3, retryDelaySeconds: 1, heartbeatSeconds: 20, superviseSeconds: 2, expireHours: 1, pollSeconds: 0.5 },
    schedule: { requireFirstRun: false },
  };
  writeFileSync(configPath, stringify(config));
  base = { LIFECYCLE_SYNC_CONFIG: configPath, DATABASE_URL: database.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, LIFECYCLE_SYNC_DB: join(dir, 'unused.db') };
  store = await openPostgresStore(database.url, { encryptionKey: TEST_ENCRYPTION_KEY });
  for (let i = 0; i < 12; i++) accounts.push(await hubspotAccount(i));
  for (let i = 0; i < 5; i++) accounts.push(await salesforceAccount(i));
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill('SIGKILL')));
  await store?.close();
  for (const p of portals) await p.sandbox.close();
  for (const a of accounts) await a.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('runs as jobs on Postgres', () => {
  it('refuses to work or queue without Postgres, saying what to set', async () => {
    const sqlite = { DATABASE_URL: '', LIFECYCLE_SYNC_DB: join(dir, 'state.db') };
    const worker = await cli(['worker'], sqlite);
    expect(worker.code).toBe(1);
    expect(worker.stderr).toMatch(/the worker takes jobs from Postgres: set DATABASE_URL/);
    const queued = await cli(['sync', '--crm', 'hubspot', '--enqueue'], { ...sqlite, HUBSPOT_ACCESS_TOKEN: portals[0].token, HUBSPOT_BASE_URL: portals[0].url });
    expect(queued.code).toBe(1);
    expect(queued.stderr).toMatch(/--enqueue puts the run on the job queue in Postgres: set DATABASE_URL/);
  });

  it('queues a run per installation at once; two workers run them all, one at a time per installation', async () => {
    for (const [i, p] of portals.entries()) {
      const added = ok(await cli(['installations', 'add', '--crm', 'hubspot', '--name', `Client ${i}`, '--json'], { HUBSPOT_ACCESS_TOKEN: p.token, HUBSPOT_BASE_URL: p.url }));
      p.id = (JSON.parse(added.stdout) as { id: string }).id;
    }
    // Queued before any worker runs: the jobs wait in Postgres.
    const queued = [];
    for (const p of portals) {
      const r = ok(await cli(['sync', '--installation', p.id, '--enqueue', '--json']));
      queued.push(JSON.parse(r.stdout) as { runId: string; jobId: string; installationId: string });
    }
    expect(queued.map((q) => q.installationId)).toEqual(portals.map((p) => p.id));
    expect(new Set(queued.map((q) => q.runId)).size).toBe(3);
    // A second run of an installation whose run is still queued is refused, naming it.
    const again = await cli(['sync', '--installation', portals[2].id, '--enqueue']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`installation ${portals[2].id} already has a run queued (${queued[2].runId})`);
    for (const p of portals) expect(await runsOf(p)).toEqual([]);

    // 17 more: added as `installations add` stores them (credentials of their own), queued the same way.
    const queue = await RunQueue.open({ url: database.url, settings: loadConfig({ file: base.LIFECYCLE_SYNC_CONFIG }).jobs, log: silentLogger(), role: 'client' });
    try {
      for (const [i, account] of accounts.entries()) {
        const { installation } = await store.addInstallation({ crm: account.crm, name: `Account ${i}`, accountId: null });
        await store.saveAccountEnv(installation.id, account.env);
        account.id = installation.id;
        await queue.enqueue(installation.id, { kind: 'sync', trigger: 'cli' });
      }
    } finally {
      await queue.close({ graceful: false });
    }

    workers.push(await startWorker(), await startWorker());
    const [a, b] = portals;
    for (const [i, p] of [a, b].entries()) {
      const run = await until(`the run of ${p.id}`, async () => (await runsOf(p)).find((r) => r.status === 'succeeded') ?? null, 60_000);
      expect(run.id).toBe(queued[i].runId);
      expect(scored(p)).toBe(p.sandbox.data.contactIds().length);
    }
    for (const account of accounts) {
      await until(`the run of ${account.crm} ${account.id}`, async () => (await store.listRuns(account.id, 5)).find((r) => r.status === 'succeeded') ?? null, 90_000);
      expect(account.scored(), `${account.crm} ${account.id}`).toBe(account.contacts());
      oneAtATime(await store.listRuns(account.id, 20));
    }
    // Both workers took some: the runs' leases name two processes.
    const owners = new Set<string>();
    for (const account of accounts) for (const r of await store.listRuns(account.id, 5)) if (r.owner) owners.add(r.owner.split(':')[1]);
    expect(owners.size).toBe(2);
  }, 180_000);

  it('a worker killed in mid-run: the other takes the job over and the run ends with every contact scored', async () => {
    const c = portals[2];
    const running = await until('the slow run writing', async () => {
      const run = (await runsOf(c)).find((r) => r.status === 'running');
      return run && c.sandbox.stats.byRoute['POST /crm/objects/2026-09/contacts/batch/update'] ? run : null;
    }, 150_000);
    const ownerPid = Number(running.owner?.split(':')[1]);
    const victim = workers.find((w) => w.pid === ownerPid);
    expect(victim, `the run's owner ${running.owner} is one of the workers`).toBeDefined();
    const writtenBeforeKill = scored(c);
    expect(writtenBeforeKill).toBeLessThan(c.sandbox.data.contactIds().length);
    await victim?.kill('SIGKILL');

    const resumed = await until('the run taken over', async () => (await runsOf(c)).find((r) => r.status === 'succeeded') ?? null, 120_000);
    expect(resumed.id).not.toBe(running.id);
    const history = await runsOf(c);
    expect(history.find((r) => r.id === running.id)?.status).toBe('interrupted');
    expect(scored(c)).toBe(c.sandbox.data.contactIds().length);
    // One run at a time: the takeover started after the killed run's last heartbeat.
    oneAtATime(history);
    // The survivor did it.
    const survivor = workers.find((w) => w !== victim);
    expect(survivor?.stderr()).toContain(resumed.id);
  }, 240_000);

  it('each installation\u2019s own schedule: with two workers, one run per installation per tick; a paused installation has none', async () => {
    // Two workers again: the survivor and a new one, each with its own scheduler.
    workers.push(await startWorker());
    const [a, b, c] = portals;
    const before = new Map(await Promise.all(portals.map(async (p) => [p.id, (await runsOf(p)).length] as const)));
    const setAt = Date.now();
    ok(await cli(['installations', 'set', a.id, 'schedule.cron', '0-59 * * * *']));
    ok(await cli(['installations', 'set', b.id, 'schedule.cron', '0-59 * * * *']));
    ok(await cli(['installations', 'set', c.id, 'schedule.cron', '0-59 * * * *']));
    ok(await cli(['installations', 'pause', c.id]));
    // The first tick after the workers saw the new settings: both installations get a run, started by one worker.
    const since = async (p: Portal) => {
      const all = await runsOf(p);
      return all.slice(0, all.length - (before.get(p.id) ?? 0));
    };
    const first = await until('a scheduled run of each', async () => {
      const runs = await Promise.all([a, b].map(since));
      return runs.every((r) => r.length > 0 && r.every((run) => run.status !== 'running')) ? runs : null;
    }, 100_000);
    const tick = Math.floor(Math.min(...first.flat().map((r) => r.startedAt)) / 60_000);
    // Let the same tick's other chances pass (the second worker's scheduler, its next cron passes).
    await sleep(Math.max(0, (tick + 1) * 60_000 - Date.now() - 1_000));
    // No more runs than ticks since the schedules were set (a tick missed while a loaded machine held
    // the cron pass back is caught up once, so runs are counted against ticks, not per clock minute),
    // and never two at once.
    // pg-boss sends an occurrence while it is less than a minute old, so the tick of the minute the
    // schedule was set in counts too.
    const ticks = Math.floor(Date.now() / 60_000) - Math.floor(setAt / 60_000) + 1;
    for (const p of [a, b]) {
      const runs = await since(p);
      expect(runs.length, `${p.id}: ${runs.length} runs in ${ticks} ticks (set at ${new Date(setAt).toISOString()}: ${runs.map((r) => `${r.id} ${new Date(r.startedAt).toISOString()}`).join(', ')})`).toBeLessThanOrEqual(ticks);
      expect(runs.every((r) => r.status === 'succeeded'), p.id).toBe(true);
      oneAtATime(runs);
    }
    expect((await runsOf(c)).length).toBe(before.get(c.id));
    for (const p of portals) ok(await cli(['installations', 'set', p.id, 'schedule.enabled', 'false']));
  }, 180_000);

  it('a run that keeps failing is retried with backoff, then listed by `jobs --failed` with its error; each installation sees only its own', async () => {
    // Credentials the portal refuses: every attempt fails.
    const { installation } = await store.addInstallation({ crm: 'hubspot', name: 'Wrong token', accountId: null });
    await store.saveAccountEnv(installation.id, { HUBSPOT_ACCESS_TOKEN: 'pat-na1-not-a-token-of-this-portal-000', HUBSPOT_BASE_URL: portals[0].url });
    const queued = JSON.parse(ok(await cli(['sync', '--installation', installation.id, '--enqueue', '--json'])).stdout) as { runId: string; jobId: string };
    interface Job {
      jobId: string;
      installationId: string;
      runId: string | null;
      state: string;
      attempts: number;
      error: string | null;
    }
    const failed = await until('the job failed for good', async () => {
      const jobs = JSON.parse(ok(await cli(['jobs', '--failed', '--json'])).stdout) as Job[];
      return jobs.find((j) => j.jobId === queued.jobId) ?? null;
    }, 90_000);
    // retryLimit 3: four attempts, each a run that failed.
    expect(failed).toMatchObject({ installationId: installation.id, runId: queued.runId, state: 'failed', attempts: 4 });
    expect(failed.error).toMatch(/failed/);
    expect(failed.error).not.toContain('pat-na1-not-a-token');
    const runs = await store.listRuns(installation.id, 10);
    expect(runs.map((r) => r.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    oneAtATime(runs);
    // Another installation's listing holds none of its jobs.
    const others = JSON.parse(ok(await cli(['jobs', '--installation', portals[0].id, '--json'])).stdout) as Job[];
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((j) => j.installationId === portals[0].id)).toBe(true);
  }, 150_000);
});
