/**
 * An installation wired to a HubSpot sandbox over real HTTP: the official SDK, the real connector, the
 * real engine and a real store (a SQLite file, or with `store: 'postgres'` a database of its own on the
 * tests' PostgreSQL, named by DATABASE_URL). Tests drive it in-process (engine calls) or through the CLI.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createHubSpotSandbox, DEFAULT_PRIVATE_APP_TOKEN, seedDemoDataset, seedSyntheticDataset, type HubSpotSandbox, type HubSpotSandboxOptions } from '../../sandboxes/hubspot/index.ts';
import type { Connector, FieldKey } from '../../connectors/contract/index.ts';
import { deepMerge, loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { connect, type Env } from '../../src/crm.ts';
import { createLogger } from '../../src/log.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { openStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/types.ts';
import { freshDatabase } from '../postgres.ts';
import { engineCalls, type EngineCalls } from '../engineCalls.ts';
import { hubspotSectionSchema, propertyNames } from '../../connectors/hubspot/settings.ts';

/** Fast retries and no search-lag look-back: the sandbox's index has no lag unless a test asks. */
export const TEST_CONFIG = {
  sync: {
    searchLagSeconds: 1,
    retry: { maxAttempts: 15, baseDelayMs: 5, rateLimitDelayMs: 20, maxDelayMs: 200 },
  },
  hubspot: { searchPerSecond: 50 },
};

/** The store's key in tests (credentials are always stored encrypted). */
export const TEST_ENCRYPTION_KEY = 'test-encryption-key-with-enough-entropy-0123456789';

export interface HarnessOptions {
  /** 'demo' (CDNOW + prospects) or a synthetic base of this many contacts. */
  dataset: 'demo' | { contacts: number; seed?: number };
  /** Seed companies as the customers, each with one contact, every deal associated with both (sandboxes/hubspot/seed.ts). */
  b2b?: boolean;
  sandbox?: HubSpotSandboxOptions;
  config?: Record<string, unknown>;
  env?: Env;
  /** The state store: the SQLite file (dbPath) unless 'postgres'. */
  store?: 'sqlite' | 'postgres';
}

export interface Harness extends EngineCalls {
  sandbox: HubSpotSandbox;
  url: string;
  dir: string;
  /** The SQLite file (unused with a Postgres store: DATABASE_URL in env names that). */
  dbPath: string;
  configPath: string;
  config: Config;
  store: Store;
  /** The process environment the installation sees (tests may swap credentials). */
  env: Env;
  names: Record<FieldKey, string>;
  /** A fresh connector (as a new process would have). */
  connector(): Promise<{ installationId: string; connector: Connector }>;
  /** Every contact's plugin properties as the sandbox holds them (every company's with 'companies'). */
  crmValues(object?: 'contacts' | 'companies'): Map<string, Record<string, string | null>>;
  /** Moves the sandbox's clock (and so HubSpot's timestamps) relative to real time. */
  setClockOffset(ms: number): void;
  close(): Promise<void>;
}

export async function createHarness(o: HarnessOptions): Promise<Harness> {
  let offset = -3_600_000; // seeded an hour ago, so the first pull's look-back does not include it
  const clock = () => Date.now() + offset;
  const sandbox = createHubSpotSandbox({ limits: { tenSecondly: 100_000, searchPerSecond: 1000 }, clock, ...o.sandbox });
  const b2b = o.b2b ?? false;
  if (o.dataset === 'demo') seedDemoDataset(sandbox.data, { today: new Date(), b2b });
  else seedSyntheticDataset(sandbox.data, { contacts: o.dataset.contacts, seed: o.dataset.seed ?? 7, today: new Date(), b2b });
  offset = 0;
  const url = await sandbox.listen();
  const dir = mkdtempSync(join(tmpdir(), 'lcs-hubspot-'));
  const dbPath = join(dir, 'state.db');
  const overrides = deepMerge(TEST_CONFIG, o.config ?? {}) as Record<string, unknown>;
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, stringify({ ...overrides, store: { ...(overrides.store as Record<string, unknown> | undefined), path: dbPath } }));
  const config = loadConfig({ file: configPath });
  const database = o.store === 'postgres' ? await freshDatabase() : null;
  const env: Env = { HUBSPOT_ACCESS_TOKEN: DEFAULT_PRIVATE_APP_TOKEN, ...o.env, HUBSPOT_BASE_URL: url, LIFECYCLE_SYNC_DB: dbPath, ...(database ? { DATABASE_URL: database.url } : {}) };
  const encryptionKey = o.env?.ENCRYPTION_KEY ?? TEST_ENCRYPTION_KEY;
  const store = database ? await openPostgresStore(database.url, { encryptionKey }) : openStore(dbPath, { encryptionKey });
  const log = createLogger({ level: 'warn' });
  const names = propertyNames(hubspotSectionSchema.parse(config.connectors.hubspot));
  const harness: Harness = {
    sandbox,
    url,
    dir,
    dbPath,
    configPath,
    config,
    store,
    env,
    names,
    connector: () => connect({ config, env: harness.env, store, crm: 'hubspot', log }),
    ...engineCalls({ store, config, log, connector: () => harness.connector() }),
    crmValues(object = 'contacts') {
      const out = new Map<string, Record<string, string | null>>();
      const companies = object === 'companies';
      for (const id of companies ? sandbox.data.companyIds() : sandbox.data.contactIds()) {
        const props = (companies ? sandbox.data.getCompany(id) : sandbox.data.getContact(id))?.properties ?? {};
        out.set(id, Object.fromEntries(Object.values(names).map((n) => [n, props[n] ?? null])));
      }
      return out;
    },
    setClockOffset(ms) {
      offset = ms;
    },
    async close() {
      await store.close();
      await database?.drop();
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
