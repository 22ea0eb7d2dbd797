/**
 * Which store the configuration asks for: Postgres when DATABASE_URL names one (many installations,
 * workers on several machines), else the embedded SQLite file (LIFECYCLE_SYNC_DB, or the config's path).
 * Either is migrated on open.
 */
import type { Environment } from '../../connectors/contract/index.ts';
import { openStore, type SqliteStoreOptions } from './sqlite.ts';
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
