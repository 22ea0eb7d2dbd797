/**
 * Benchmark of the light watch (src/sync/watch.ts) on both sandboxes, in-process over real HTTP: after a
 * first full sync of a base, idle cycles (nothing changed) — requests each, by route, and wall time —
 * and the requests per hour that makes at the default interval (60 s); then one deal closed won: the
 * cycle's requests and how long it took to write the contact.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createHubSpotSandbox, DEFAULT_PRIVATE_APP_TOKEN, seedSyntheticDataset as seedHubSpot } from '../sandboxes/hubspot/index.ts';
import { createSalesforceSandbox, DEFAULT_ACCESS_TOKEN, seedSyntheticDataset as seedSalesforce } from '../sandboxes/salesforce/index.ts';
import { loadConfig } from '../src/config/load.ts';
import { connect, type Env } from '../src/crm.ts';
import { silentLogger } from '../src/log.ts';
import { openStore } from '../src/store/sqlite.ts';
import { runSync } from '../src/sync/engine.ts';
import { watchCycle, type WatchCycle } from '../src/sync/watch.ts';
import { median } from './util.ts';

const DEFAULT_INTERVAL_SECONDS = 60;
const DAY_MS = 86_400_000;

interface Crm {
  name: 'hubspot' | 'salesforce';
  url: string;
  env: Env;
  stats(): { requests: number; byRoute: Record<string, number> };
  reset(): void;
  /** A new prospect with one open deal (before the first sync); returns a function that closes it won. */
  prospect(): () => void;
  close(): Promise<void>;
}

async function hubspot(contacts: number): Promise<Crm> {
  let offset = -DAY_MS;
  // Professional limits: 190 requests per 10 s, search 5 per second.
  const sandbox = createHubSpotSandbox({ limits: { tenSecondly: 190, daily: 650_000, searchPerSecond: 5 }, clock: () => Date.now() + offset });
  seedHubSpot(sandbox.data, { contacts, seed: 2026, today: new Date(Date.now() - DAY_MS) });
  offset = 0;
  const url = await sandbox.listen();
  return {
    name: 'hubspot',
    url,
    env: { HUBSPOT_BASE_URL: url, HUBSPOT_ACCESS_TOKEN: DEFAULT_PRIVATE_APP_TOKEN },
    stats: () => ({ requests: sandbox.stats.requests, byRoute: { ...sandbox.stats.byRoute } }),
    reset: () => sandbox.stats.reset(),
    prospect() {
      const contactId = sandbox.data.createContact({ email: 'bench.prospect@example.com', firstname: 'Bench' });
      const dealId = sandbox.data.createDeal({ dealname: 'Bench opportunity', amount: '500.00', pipeline: 'default', dealstage: 'qualifiedtobuy', closedate: new Date(Date.now() + 30 * DAY_MS).toISOString() }, [contactId]);
      return () => sandbox.data.updateDeal(dealId, { dealstage: 'closedwon', closedate: new Date().toISOString() });
    },
    close: () => sandbox.close(),
  };
}

async function salesforce(contacts: number): Promise<Crm> {
  // Seeded a day in the past, as the HubSpot one: the first sync runs on a day-old account.
  let offset = -DAY_MS;
  const sandbox = createSalesforceSandbox({ limits: { dailyApiRequests: 1_000_000 }, clock: () => Date.now() + offset });
  seedSalesforce(sandbox.data, { contacts, seed: 2026, today: new Date(Date.now() - DAY_MS) });
  offset = 0;
  const url = await sandbox.listen();
  return {
    name: 'salesforce',
    url,
    env: { SALESFORCE_ACCESS_TOKEN: DEFAULT_ACCESS_TOKEN, SALESFORCE_INSTANCE_URL: url, SALESFORCE_LOGIN_URL: url },
    stats: () => ({ requests: sandbox.stats.requests, byRoute: { ...sandbox.stats.byRoute } }),
    reset: () => sandbox.stats.reset(),
    prospect() {
      const accountId = sandbox.data.createAccount({ Name: 'Bench Ltd' });
      const contactId = sandbox.data.createContact({ LastName: 'Bench', Email: 'bench@example.com', AccountId: accountId });
      const oppId = sandbox.data.createOpportunity({ Name: 'Bench opportunity', Amount: 500, StageName: 'Prospecting', CloseDate: new Date(Date.now() + 30 * DAY_MS).toISOString().slice(0, 10), AccountId: accountId }, [contactId]);
      return () => sandbox.data.update('Opportunity', oppId, { StageName: 'Closed Won', CloseDate: new Date().toISOString().slice(0, 10) });
    },
    close: () => sandbox.close(),
  };
}

export interface WatchBench {
  crm: string;
  contacts: number;
  idleRequests: number[];
  idleByRoute: Record<string, number>;
  idleMs: number;
  perHour: number;
  closedDeal: { requests: number; ms: number; written: number };
}

async function benchOne(crm: Crm, contacts: number, idleCycles: number): Promise<WatchBench> {
  const dir = mkdtempSync(join(tmpdir(), `lcs-bench-watch-${crm.name}-`));
  const store = openStore(join(dir, 'state.db'));
  try {
    const configPath = join(dir, 'config.yaml');
    writeFileSync(configPath, stringify({ crm: crm.name, store: { path: join(dir, 'state.db') } }));
    const config = loadConfig({ file: configPath });
    const log = silentLogger();
    const close = crm.prospect();
    const { installationId, connector } = await connect({ config, env: crm.env, store, crm: crm.name, log });
    const first = await runSync({ store, connector, installationId, classifier: config.classifier, sync: config.sync, log });
    if (first.status !== 'succeeded') throw new Error(`the first sync ${first.status}: ${first.message ?? ''}`);
    const cycle = () => watchCycle({ store, connector, installationId, classifier: config.classifier, sync: config.sync, log });
    await cycle(); // the first cycle looks back to the run's pull
    const idle: { requests: number; ms: number; cycle: WatchCycle }[] = [];
    let byRoute: Record<string, number> = {};
    for (let i = 0; i < idleCycles; i++) {
      crm.reset();
      const started = performance.now();
      const c = await cycle();
      idle.push({ requests: crm.stats().requests, ms: performance.now() - started, cycle: c });
      byRoute = crm.stats().byRoute;
    }
    close();
    crm.reset();
    const started = performance.now();
    const changed = await cycle();
    const ms = performance.now() - started;
    const written = changed.rescore?.status === 'done' ? changed.rescore.summary.written : 0;
    const requests = idle.map((c) => c.requests);
    if (process.env.BENCH_WATCH_DEBUG) for (const c of idle) console.log(JSON.stringify({ status: c.cycle.status, pulled: c.cycle.pulled, touched: c.cycle.touched, requests: c.requests, rescore: c.cycle.rescore?.status, message: c.cycle.message }));
    const result: WatchBench = {
      crm: crm.name,
      contacts,
      idleRequests: requests,
      idleByRoute: byRoute,
      idleMs: median(idle.map((c) => c.ms)),
      perHour: median(requests) * (3600 / DEFAULT_INTERVAL_SECONDS),
      closedDeal: { requests: crm.stats().requests, ms, written },
    };
    console.log(
      `  ${crm.name}, ${contacts.toLocaleString('en-US')} contacts: idle cycle ${median(requests)} requests (${JSON.stringify(byRoute)}), ${result.idleMs.toFixed(0)} ms; ` +
        `${result.perHour} requests an hour at ${DEFAULT_INTERVAL_SECONDS} s; a deal closed won: ${result.closedDeal.requests} requests, ${ms.toFixed(0)} ms, ${written} written (${idle.every((c) => c.cycle.status === 'idle') ? 'idle cycles all idle' : 'some idle cycle did something'})`,
    );
    return result;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchWatch(contacts: number, idleCycles = 5): Promise<WatchBench[]> {
  console.log(`Watch: idle cycles and a closed deal, after a full sync of ${contacts.toLocaleString('en-US')} contacts`);
  const out: WatchBench[] = [];
  for (const make of [hubspot, salesforce]) {
    const crm = await make(contacts);
    try {
      out.push(await benchOne(crm, contacts, idleCycles));
    } finally {
      await crm.close();
    }
  }
  return out;
}
