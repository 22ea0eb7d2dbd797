/**
 * Which store the configuration asks for: Postgres when DATABASE_URL names one (many installations,
 * workers on several machines), else the embedded SQLite file (LIFECYCLE_SYNC_DB, or the config's path).
 * Either is migrated on open.
 */
import type { Environment } from '../../connectors/contract/index.ts';
import { POSTGRES_SCHEMA_VERSION } from './postgres/migrations.ts';
import { migrateFile, openStore, SQLITE_SCHEMA_VERSION, type SqliteStoreOptions } from './sqlite.ts';
import type { Store } from './types.ts';

export interface StoreChoice {
  /** The SQLite file's path (config store.path), overridden by LIFECYCLE_SYNC_DB. */
  path: string;
  busyTimeoutMs: number;
}

/** The state store's address: the Postgres URL, or the SQLite file. */
export function storeLocation(choice: StoreChoice, env: Environment): { kind: 'postgres'; url: string } | { kind: 'sqlite'; path: string } {
  if (env.DATABASE_URL) return { kind: 'postgres', url: env.DATABASE_URL };
  return { kind: 'sqlite', path: env.LIFECYCLE_SYNC_DB || choice.path };
}

export async function openStateStore(choice: StoreChoice, env: Environment, options: Pick<SqliteStoreOptions, 'busyTimeoutMs' | 'clock'> = {}): Promise<Store> {
  const where = storeLocation(choice, env);
  const encryptionKey = env.ENCRYPTION_KEY || undefined;
  if (where.kind === 'postgres') {
    const { openPostgresStore } = await import('./postgres.ts');
    return openPostgresStore(where.url, { encryptionKey, clock: options.clock });
  }
  return openStore(where.path, { encryptionKey, busyTimeoutMs: options.busyTimeoutMs ?? choice.busyTimeoutMs, clock: options.clock });
}

export interface Migrated {
  kind: 'sqlite' | 'postgres';
  /** The file, or the database's URL without its password. */
  where: string;
  /** The schema version the database is at now (this program's newest). */
  schemaVersion: number;
  /** The versions applied now (none when it was up to date). */
  applied: number[];
}

/**
 * Applies the chosen store's migrations and disconnects (`lifecycle-sync migrate`): both stores also
 * migrate when opened, but a deployment may rather migrate once, explicitly, before starting its workers.
 */
export async function migrateStateStore(choice: StoreChoice, env: Environment): Promise<Migrated> {
  const where = storeLocation(choice, env);
  if (where.kind === 'postgres') {
    const { migratePostgres } = await import('./postgres.ts');
    const { parseDatabaseUrl } = await import('./postgresDb.ts');
    const applied = await migratePostgres(where.url);
    return { kind: 'postgres', where: parseDatabaseUrl(where.url).where, schemaVersion: POSTGRES_SCHEMA_VERSION, applied };
  }
  const applied = migrateFile(where.path, { busyTimeoutMs: choice.busyTimeoutMs });
  return { kind: 'sqlite', where: where.path, schemaVersion: SQLITE_SCHEMA_VERSION, applied };
}
