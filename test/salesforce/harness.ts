/**
 * An installation wired to a Salesforce sandbox over real HTTP: jsforce, the real connector, the real
 * engine and a real SQLite file. Tests drive it in-process (engine calls) or through the CLI.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createSalesforceSandbox, DEFAULT_ACCESS_TOKEN, seedSyntheticDataset, type SalesforceSandbox, type SalesforceSandboxOptions } from '../../sandboxes/salesforce/index.ts';
import { fieldApiNames, salesforceSettingsSchema } from '../../connectors/salesforce/settings.ts';
import type { Connector, FieldKey } from '../../connectors/contract/index.ts';
import { deepMerge, loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { connect, type Env } from '../../src/crm.ts';
import { createLogger } from '../../src/log.ts';
import { openStore, type SqliteStore } from '../../src/store/sqlite.ts';
import { engineCalls, type EngineCalls } from '../engineCalls.ts';
import { TEST_ENCRYPTION_KEY } from '../hubspot/harness.ts';

/** Fast retries and bulk polls; the sandbox's clock is real time. */
export const TEST_CONFIG = {
  crm: 'salesforce',
  sync: { searchLagSeconds: 1, retry: { maxAttempts: 15, baseDelayMs: 5, rateLimitDelayMs: 20, maxDelayMs: 200 } },
  salesforce: { bulkPollMs: 20 },
};

export interface SalesforceHarness extends EngineCalls {
  sandbox: SalesforceSandbox;
  url: string;
  dir: string;
  dbPath: string;
  configPath: string;
  config: Config;
  store: SqliteStore;
  env: Env;
  names: Record<FieldKey, string>;
  connector(): Promise<{ installationId: string; connector: Connector }>;
  /** Every contact's plugin fields as the sandbox holds them, by API name. */
  crmValues(): Map<string, Record<string, string | number | boolean | null>>;
  /** Moves the sandbox's clock (and so Salesforce's timestamps and its daily window) relative to real time. */
  setClockOffset(ms: number): void;
  close(): Promise<void>;
}

export async function createSalesforceHarness(o: { contacts: number; seed?: number; sandbox?: SalesforceSandboxOptions; config?: Record<string, unknown>; env?: Env }): Promise<SalesforceHarness> {
  let offset = 0;
  const sandbox = createSalesforceSandbox({ clock: () => Date.now() + offset, ...o.sandbox });
  seedSyntheticDataset(sandbox.data, { contacts: o.contacts, seed: o.seed ?? 7, today: new Date() });
  const url = await sandbox.listen();
  const dir = mkdtempSync(join(tmpdir(), 'lcs-salesforce-'));
  const dbPath = join(dir, 'state.db');
  const configPath = join(dir, 'config.yaml');
  const overrides = deepMerge(TEST_CONFIG, o.config ?? {}) as Record<string, unknown>;
  writeFileSync(configPath, stringify({ ...overrides, store: { ...(overrides.store as Record<string, unknown> | undefined), path: dbPath } }));
  const config = loadConfig({ file: configPath });
  const env: Env = { SALESFORCE_ACCESS_TOKEN: DEFAULT_ACCESS_TOKEN, SALESFORCE_INSTANCE_URL: url, ...o.env, SALESFORCE_LOGIN_URL: url, LIFECYCLE_SYNC_DB: dbPath };
  const store = openStore(dbPath, { encryptionKey: o.env?.ENCRYPTION_KEY ?? TEST_ENCRYPTION_KEY });
  const log = createLogger({ level: 'warn' });
  const names = fieldApiNames(salesforceSettingsSchema.parse(config.connectors.salesforce));
  const h: SalesforceHarness = {
    sandbox,
    url,
    dir,
    dbPath,
    configPath,
    config,
    store,
    env,
    names,
    connector: () => connect({ config, env: h.env, store, crm: 'salesforce', log }),
    ...engineCalls({ store, config, log, connector: () => h.connector() }),
    crmValues() {
      const out = new Map<string, Record<string, string | number | boolean | null>>();
      for (const id of sandbox.data.ids('Contact')) {
        const r = sandbox.data.get('Contact', id) ?? {};
        out.set(id, Object.fromEntries(Object.values(names).map((n) => [n, r[n] ?? null])));
      }
      return out;
    },
    setClockOffset(ms) {
      offset = ms;
    },
    async close() {
      await store.close();
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
