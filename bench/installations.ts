/**
 * Many installations on Postgres with `worker` processes: N HubSpot portals (sandboxes in a process of
 * their own) as installations of one database, a first sync of each queued at once, and W workers taking
 * the jobs. Measured: the wall time to the last installation's finish, the spread of the small
 * installations' finishes, each worker's peak RSS; and the same with one large installation queued
 * first among them, to show that it holds one worker slot while the small ones go on (fairness).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config/load.ts';
import { RunQueue } from '../src/jobs/runQueue.ts';
import { silentLogger } from '../src/log.ts';
import { openPostgresStore } from '../src/store/postgres.ts';
import type { Portal, PortalsCommand } from './portalsSandbox.ts';
import { sandboxProcess } from './syncBench.ts';
import { freshDatabase, median, peakRssOf, ROOT } from './util.ts';

const KEY = 'bench-encryption-key-with-enough-entropy-0123456789';

export interface InstallationsBenchOptions {
  serverUrl: string;
  installations: number;
  contacts: number;
  /** Contacts of one more installation, queued first (0: none). */
  large: number;
  workers: number;
  concurrency: number;
}

interface Worker {
  child: ChildProcess;
  peakKb: Promise<number>;
}

function startWorker(env: NodeJS.ProcessEnv, concurrency: number): Promise<Worker> {
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'worker', '--concurrency', String(concurrency)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const peakKb = peakRssOf(child);
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('worker ready')) resolve({ child, peakKb });
      // Keep only the tail: a worker logs every run.
      if (stderr.length > 100_000) stderr = stderr.slice(-10_000);
    });
    child.on('exit', (code) => reject(new Error(`a worker exited with ${code}: ${stderr.slice(-2000)}`)));
  });
}

interface Finished {
  installationId: string;
  status: string;
  startedAt: number;
  finishedAt: number;
}

async function scenario(o: InstallationsBenchOptions, label: string, sizes: number[], largeFirst: boolean): Promise<void> {
  const { child: portalsChild, ask } = sandboxProcess<PortalsCommand>('portalsSandbox.ts');
  const database = await freshDatabase(o.serverUrl);
  const dir = mkdtempSync(join(tmpdir(), 'lcs-bench-installations-'));
  const workers: Worker[] = [];
  try {
    const { portals, seedSeconds } = await ask<{ portals: Portal[]; seedSeconds: number }>({ op: 'start', sizes });
    const configPath = join(dir, 'config.yaml');
    writeFileSync(configPath, 'jobs:\n  pollSeconds: 0.5\n');
    const env = { ...process.env, DATABASE_URL: database.url, ENCRYPTION_KEY: KEY, LIFECYCLE_SYNC_CONFIG: configPath, LOG_LEVEL: 'info', LOG_FORMAT: 'json' };
    const store = await openPostgresStore(database.url, { encryptionKey: KEY });
    const ids: string[] = [];
    try {
      for (const [i, p] of portals.entries()) {
        const { installation } = await store.addInstallation({ crm: 'hubspot', name: `Portal ${i}`, accountId: String(10_000 + i) });
        await store.saveAccountEnv(installation.id, { HUBSPOT_ACCESS_TOKEN: p.token, HUBSPOT_BASE_URL: p.url });
        ids.push(installation.id);
      }
    } finally {
      await store.close();
    }
    for (let i = 0; i < o.workers; i++) workers.push(await startWorker(env, o.concurrency));
    const queue = await RunQueue.open({ url: database.url, settings: loadConfig({ file: configPath }).jobs, log: silentLogger(), role: 'client' });
    const t0 = Date.now();
    try {
      // In portal order: the large one (when there is one) is the first job taken.
      for (const id of ids) await queue.enqueue(id, { kind: 'sync', trigger: 'cli' });
    } finally {
      await queue.close({ graceful: false });
    }
    const finished = await waitForRuns(database.url, ids.length);
    const wall = (Math.max(...finished.map((f) => f.finishedAt)) - t0) / 1000;
    const large = largeFirst ? finished.find((f) => f.installationId === ids[0]) : undefined;
    const small = finished.filter((f) => f !== large);
    const lastSmall = (Math.max(...small.map((f) => f.finishedAt)) - t0) / 1000;
    const durations = small.map((f) => (f.finishedAt - f.startedAt) / 1000);
    const failed = finished.filter((f) => f.status !== 'succeeded').length;
    for (const w of workers) w.child.kill('SIGTERM');
    const peaks = await Promise.all(workers.map((w) => w.peakKb));
    console.log(
      `  ${label}: ${ids.length} installations (${sizes.reduce((a, b) => a + b, 0).toLocaleString('en-US')} contacts; portals seeded in ${seedSeconds.toFixed(1)} s) on ${o.workers} workers × ${o.concurrency}: ` +
        `last finish ${wall.toFixed(1)} s after queueing; the ${small.length} of ${o.contacts.toLocaleString('en-US')} contacts: last ${lastSmall.toFixed(1)} s, run median ${median(durations).toFixed(2)} s (max ${Math.max(...durations).toFixed(2)} s)` +
        `${large ? `; the one of ${o.large.toLocaleString('en-US')}: started ${((large.startedAt - t0) / 1000).toFixed(1)} s, finished ${((large.finishedAt - t0) / 1000).toFixed(1)} s` : ''}; ` +
        `failed ${failed}; peak RSS per worker ${peaks.map((kb) => `${(kb / 1024).toFixed(0)} MB`).join(', ')}`,
    );
  } finally {
    for (const w of workers) w.child.kill('SIGKILL');
    portalsChild.kill();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every installation's run, once each has ended (polled from the runs table). */
async function waitForRuns(url: string, count: number): Promise<Finished[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (;;) {
      const { rows } = await client.query<{ installation_id: string; status: string; started_at: string; finished_at: string | null }>(
        "SELECT installation_id, status, started_at, finished_at FROM runs WHERE status <> 'running'",
      );
      if (rows.length >= count) {
        return rows.map((r) => ({ installationId: r.installation_id, status: r.status, startedAt: Number(r.started_at), finishedAt: Number(r.finished_at ?? r.started_at) }));
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await client.end();
  }
}

export async function benchInstallations(o: InstallationsBenchOptions): Promise<void> {
  console.log(`Many installations on PostgreSQL (${o.workers} workers × --concurrency ${o.concurrency})`);
  await scenario(o, 'small ones only', Array.from({ length: o.installations }, () => o.contacts), false);
  if (o.large > 0) await scenario(o, 'with a large one queued first', [o.large, ...Array.from({ length: o.installations }, () => o.contacts)], true);
}
