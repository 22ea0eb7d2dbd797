/**
 * Applies the Postgres store's migrations: at start and by `lifecycle-sync migrate`. Everything happens
 * in one transaction holding an advisory lock, so two processes starting at once (two replicas, the
 * service and a CLI) apply each version once: the second waits, then finds it applied. Postgres DDL is
 * transactional, so a failed version leaves nothing behind. A database that is read-only, or whose schema
 * is newer than this program's, is refused before anything is written.
 */
import { LifecycleSyncError } from '../../errors.ts';
import type { PostgresDb } from '../postgresDb.ts';
import { POSTGRES_MIGRATIONS, type PostgresMigration } from './migrations.ts';

/** The advisory lock's key (any fixed number; "LSMG"), the same in every process and version. */
const MIGRATION_LOCK_KEY = 0x4c534d47;

export interface MigrateOptions {
  migrations?: readonly PostgresMigration[];
  now?: () => number;
}

/** Brings the database to the newest schema version; returns the versions it applied. */
export async function migrate(db: PostgresDb, options: MigrateOptions = {}): Promise<number[]> {
  const migrations = options.migrations ?? POSTGRES_MIGRATIONS;
  const now = options.now ?? Date.now;
  const newest = Math.max(...migrations.map((m) => m.version));
  return db.transaction(async (tx) => {
    const mode = await tx.query("SELECT pg_is_in_recovery() AS standby, current_setting('transaction_read_only') AS read_only");
    const row = mode.rows[0];
    if (row?.standby === true) {
      throw new LifecycleSyncError('STORE_FAILED', `state database ${db.where}: it is read-only (a standby server); point DATABASE_URL at the primary`);
    }
    if (row?.read_only === 'on') {
      throw new LifecycleSyncError('STORE_FAILED', `state database ${db.where}: it is read-only (default_transaction_read_only is on for this database or user)`);
    }
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const applied = new Set((await tx.query('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
    const ahead = Math.max(...applied);
    if (ahead > newest) {
      throw new LifecycleSyncError(
        'STORE_FAILED',
        `state database ${db.where}: its schema version ${ahead} is newer than this program's (${newest}); upgrade Lifecycle Sync or use another database`,
      );
    }
    const done: number[] = [];
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      await tx.query(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [m.version, now()]);
      done.push(m.version);
    }
    return done;
  });
}
