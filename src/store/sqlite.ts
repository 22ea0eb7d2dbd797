/**
 * The embedded store: one SQLite file through Node's built-in `node:sqlite`, in WAL mode (readers do
 * not block the writer), with versioned migrations. The store is its concerns (sqlite/*.ts), each over
 * the same connection.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LifecycleSyncError } from '../errors.ts';
import { CredentialCipher } from './crypto.ts';
import { MIGRATIONS } from './migrations.ts';
import { SqliteAudit } from './sqlite/audit.ts';
import { SqliteCrmData } from './sqlite/crmData.ts';
import { SqliteCustomerList } from './sqlite/customerList.ts';
import { SqliteHistory } from './sqlite/history.ts';
import { SqliteInstallations } from './sqlite/installations.ts';
import { SqliteOpenDeals } from './sqlite/openDeals.ts';
import { num } from './sqlite/rows.ts';
import { SqliteRuns } from './sqlite/runs.ts';
import { SqliteState } from './sqlite/state.ts';
import { SqliteSettingsLog } from './sqlite/settingsLog.ts';
import { SqliteProspects } from './sqlite/prospects.ts';
import { SqliteWebhooks } from './sqlite/webhooks.ts';
import { SqliteDb } from './sqliteDb.ts';
import { promised, type Synchronous } from './sqlite/promised.ts';
import type { AuditStore, CrmDataStore, CustomerListStore, HistoryStore, InstallationStore, OpenDealStore, RunStore, ProspectStore, SettingsLogStore, StateStore, Store, WebhookStore } from './types.ts';

type Concerns = WebhookStore & InstallationStore & RunStore & CrmDataStore & CustomerListStore & OpenDealStore & AuditStore & StateStore & HistoryStore & SettingsLogStore & ProspectStore;

export interface SqliteStoreOptions {
  /** Secret for credentials at rest (ENCRYPTION_KEY); without it credentials cannot be saved or read. */
  encryptionKey?: string;
  clock?: () => number;
  /**
   * How long a write waits for another connection's lock (ms). The server's event loop must never wait
   * long (it answers /healthz), so the service opens its connection with a short timeout; runs, on their
   * own thread, wait longer.
   */
  busyTimeoutMs?: number;
}

export type SqliteStore = Store & {
  /** The file this store keeps its state in. */
  readonly path: string;
};

/** Brings the file to the newest schema version; returns the versions it applied. */
function migrate(db: SqliteDb, now: () => number): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = new Set(db.all('SELECT version FROM schema_migrations').map((r) => num(r, 'version')));
  const newest = Math.max(...MIGRATIONS.map((m) => m.version));
  const ahead = [...applied].filter((v) => v > newest);
  if (ahead.length > 0) {
    throw new LifecycleSyncError('STORE_FAILED', `state database ${db.path}: its schema version ${Math.max(...ahead)} is newer than this program's (${newest}); upgrade Lifecycle Sync or use another file`);
  }
  const done: number[] = [];
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', m.version, now());
    });
    done.push(m.version);
  }
  return done;
}

/** The newest schema version this program knows. */
export const SQLITE_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** The key derivation's salt, made once per file. */
function salt(db: SqliteDb): Buffer {
  const row = db.get("SELECT value FROM meta WHERE key = 'credential_salt'");
  if (row && row.value instanceof Uint8Array) return Buffer.from(row.value);
  const fresh = randomBytes(16);
  db.run("INSERT OR IGNORE INTO meta (key, value) VALUES ('credential_salt', ?)", fresh);
  return fresh;
}

/** Opens the file (creating its folder) in WAL mode and migrates it. */
function openMigrated(path: string, options: SqliteStoreOptions): { db: SqliteDb; applied: number[] } {
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new LifecycleSyncError('STORE_FAILED', `state database ${path}: cannot create its folder (${(error as Error).message})`);
    }
  }
  const db = new SqliteDb(path, { busyTimeoutMs: options.busyTimeoutMs ?? 5000 });
  try {
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    return { db, applied: migrate(db, options.clock ?? Date.now) };
  } catch (error) {
    db.close();
    throw error;
  }
}

/** `lifecycle-sync migrate`: brings the file to the newest schema (creating it) and closes it; the versions applied. */
export function migrateFile(path: string, options: SqliteStoreOptions = {}): number[] {
  const { db, applied } = openMigrated(path, options);
  db.close();
  return applied;
}

/** Opens (creating and migrating as needed) the state file; `:memory:` for a store that lives with the process. */
export function openStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const { db } = openMigrated(path, options);
  const now = options.clock ?? Date.now;
  try {
    const cipher = options.encryptionKey ? new CredentialCipher(options.encryptionKey, salt(db)) : null;
    // The same concerns over the same connection, outside and inside an explicit transaction: outside, a
    // call waits while a transaction is open; inside, it is part of it.
    const sync: Synchronous<Concerns> = {
      ...new SqliteInstallations(db, cipher, now),
      ...new SqliteRuns(db, now),
      ...new SqliteCrmData(db),
      ...new SqliteCustomerList(db),
      ...new SqliteOpenDeals(db),
      ...new SqliteAudit(db),
      ...new SqliteState(db, now),
      ...new SqliteHistory(db),
      ...new SqliteSettingsLog(db),
      ...new SqliteWebhooks(db),
      ...new SqliteProspects(db),
    };
    const outside = promised<Concerns>(sync, () => db.idle());
    const inside = promised<Concerns>(sync, () => Promise.resolve());
    const base = { kind: 'sqlite', where: db.path, path: db.path };
    // SQLite reuses the pages of deleted rows: nothing to reclaim after a run.
    const reclaimSpace = () => Promise.resolve([]);
    const tx: Store = { ...inside, ...base, transaction: (fn) => fn(tx), reclaimSpace, close: () => Promise.resolve() };
    return {
      ...outside,
      ...base,
      transaction: (fn) => db.transactionAsync(() => fn(tx)),
      reclaimSpace,
      close: async () => {
        await db.idle();
        db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
