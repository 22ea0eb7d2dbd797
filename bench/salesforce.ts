/**
 * Benchmark of the Salesforce sync against the sandbox: a first full sync of a large org over REST
 * (query pages and sObject Collections) and over Bulk API 2.0 (query and ingest jobs), then a nightly
 * incremental sync after a share of the customers made a new purchase. Reports requests used against
 * the minimum, wall time and the sync process's peak RSS: the REST/Bulk crossover in requests and time.
 * The state is in a SQLite file, or with `store: 'postgres'` in a database of its own on the given
 * PostgreSQL server (created for each org, dropped after).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ACCESS_TOKEN } from '../sandboxes/salesforce/index.ts';
import type { SalesforceSandboxCommand } from './salesforceSandbox.ts';
import { pages, sandboxProcess, syncOnce, type RunSummary } from './syncBench.ts';
import { freshDatabase } from './util.ts';

interface SandboxStats {
  requests: number;
  byKind: Record<string, number>;
  apiRequests: number;
}

export interface SalesforceBenchRun {
  label: string;
  summary: RunSummary;
  wallSeconds: number;
  peakRssMb: number;
  requests: number;
  minimum: number | null;
  byKind: Record<string, number>;
}

interface Org {
  url: string;
  ask: <T>(command: SalesforceSandboxCommand) => Promise<T>;
  /** The state database's URL (Postgres), else null: a SQLite file in the org's folder. */
  databaseUrl: string | null;
}

export interface StateStoreChoice {
  store: 'sqlite' | 'postgres';
  /** With 'postgres': a URL to the server's administrative database (its user may create databases). */
  serverUrl?: string;
}

async function measure(org: Org, dir: string, label: string, config: string, minimumOf: ((s: RunSummary) => number) | null): Promise<SalesforceBenchRun> {
  const configPath = join(dir, 'config.yaml');
  const db = join(dir, 'state.db');
  writeFileSync(configPath, `crm: salesforce\nstore:\n  path: ${db}\n${config}`);
  const env = { ...process.env, ...(org.databaseUrl ? { DATABASE_URL: org.databaseUrl } : {}), SALESFORCE_INSTANCE_URL: org.url, SALESFORCE_LOGIN_URL: org.url, SALESFORCE_ACCESS_TOKEN: DEFAULT_ACCESS_TOKEN, LIFECYCLE_SYNC_CONFIG: configPath, LIFECYCLE_SYNC_DB: db, LOG_LEVEL: 'warn' };
  await org.ask({ op: 'reset' });
  const run = await syncOnce(env);
  const stats = await org.ask<SandboxStats>({ op: 'stats' });
  const result: SalesforceBenchRun = { label, summary: run.summary, wallSeconds: run.wallSeconds, peakRssMb: run.peakRssMb, requests: stats.requests, minimum: minimumOf?.(run.summary) ?? null, byKind: stats.byKind };
  const s = run.summary;
  console.log(
    `  ${label}: ${s.status}, ${s.mode} pull of ${s.pulled.customers.toLocaleString('en-US')} contacts and ${s.pulled.deals.toLocaleString('en-US')} opportunities, ${s.written.toLocaleString('en-US')} written (${s.failed} failed); ` +
      `requests ${result.requests.toLocaleString('en-US')}${result.minimum === null ? '' : ` vs minimum ${result.minimum.toLocaleString('en-US')} (${(result.requests / result.minimum).toFixed(3)}×)`}; ` +
      `wall ${result.wallSeconds.toFixed(1)} s (phases ${JSON.stringify(s.phaseMs)} ms); peak RSS ${result.peakRssMb.toFixed(0)} MB; by kind ${JSON.stringify(stats.byKind)}`,
  );
  return result;
}

/** A freshly seeded org in its own process, and a state file of its own: every first sync starts from nothing. */
async function withOrg<T>(contacts: number, state: StateStoreChoice, fn: (org: Org, dir: string) => Promise<T>): Promise<T> {
  const { child, ask } = sandboxProcess<SalesforceSandboxCommand>('salesforceSandbox.ts');
  const dir = mkdtempSync(join(tmpdir(), 'lcs-bench-salesforce-'));
  const database = state.store === 'postgres' ? await freshDatabase(state.serverUrl ?? DEFAULT_SERVER) : null;
  try {
    const started = await ask<{ url: string; contacts: number; deals: number; seedSeconds: number }>({ op: 'start', contacts, dailyApiRequests: 100_000_000 });
    console.log(
      `Salesforce sandbox: ${started.contacts.toLocaleString('en-US')} contacts, ${started.deals.toLocaleString('en-US')} opportunities (seeded in ${started.seedSeconds.toFixed(1)} s); state in ${database ? 'PostgreSQL' : 'SQLite'}`,
    );
    return await fn({ url: started.url, ask, databaseUrl: database?.url ?? null }, dir);
  } finally {
    child.kill();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The machine's PostgreSQL service (trust authentication on loopback). */
export const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

const REST = 'salesforce:\n  bulkQueryThreshold: 100000000\n  bulkWriteThreshold: 100000000\n';
const BULK = 'salesforce:\n  bulkQueryThreshold: 0\n  bulkWriteThreshold: 0\n  bulkPollMs: 500\n';

export async function benchSalesforce(contacts: number, nightlyShare: number, state: StateStoreChoice = { store: 'sqlite' }, o: { bulk?: boolean } = {}): Promise<SalesforceBenchRun[]> {
  const runs: SalesforceBenchRun[] = [];
  // REST minimum: query pages of 2,000 rows — contacts, then opportunities with their contact-role rows
  // (child rows count towards a batch) — and one Collections update per 200 changes.
  const restMinimum = (s: RunSummary) => pages(s.pulled.customers, 2000) + pages(2 * s.pulled.deals, 2000) + pages(s.changed, 200);
  await withOrg(contacts, state, async (org, dir) => {
    runs.push(await measure(org, dir, 'first full sync, REST', REST, restMinimum));
    const change = await org.ask<{ changedContacts: number }>({ op: 'change', share: nightlyShare, seed: 7 });
    console.log(`  nightly changes: ${change.changedContacts} contacts with a new won opportunity`);
    // Nightly minimum: a page of changed contacts, of changed opportunities (with roles) and of changed
    // roles (at least one each), and one Collections update per 200 changes.
    runs.push(
      await measure(org, dir, `nightly sync (${(nightlyShare * 100).toFixed(0)} % changed), REST`, REST, (s) => Math.max(1, pages(s.pulled.customers, 2000)) + Math.max(1, pages(2 * s.pulled.deals, 2000)) + 1 + pages(s.changed, 200)),
    );
  });
  if (o.bulk === false) return runs;
  await withOrg(contacts, state, async (org, dir) => {
    runs.push(await measure(org, dir, 'first full sync, Bulk API 2.0', BULK, null));
  });
  return runs;
}
