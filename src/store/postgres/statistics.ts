/**
 * Fresh planner statistics before a large ordered read. A keyset page (`WHERE key > $after ORDER BY key
 * LIMIT n`) is only cheap when the planner walks the key's index and stops after n rows; with no or
 * stale statistics it believes "this installation's rows after the key" are a handful (the default
 * selectivity), reads them all and sorts them, on every page: a read of the whole table becomes
 * quadratic. A pull or a plan writes hundreds of thousands of rows just before they are read, sooner
 * than autovacuum's next look, so the first page of a read analyzes the tables that changed by more
 * than a tenth since their last ANALYZE (a sample: a fraction of a second even at millions of rows).
 * Writes that find rows by a non-unique key do the same (a page of deals finds its old links by deal id).
 * A user who does not own the tables gets a warning from the server, not an error, and autovacuum's
 * statistics.
 */
import type { PgQueryable } from '../postgresDb.ts';
import { text } from './rows.ts';

export type StoreTable = 'customers' | 'deals' | 'deal_customers' | 'audit' | 'planned_changes';

export async function analyzeIfStale(db: PgQueryable, tables: readonly StoreTable[]): Promise<void> {
  const stale = await db.query(
    `SELECT relname FROM pg_stat_user_tables
     WHERE relid = ANY($1::regclass[]) AND n_mod_since_analyze > 1000 AND n_mod_since_analyze > n_live_tup / 10`,
    [tables],
  );
  const names = new Set(stale.rows.map((row) => text(row, 'relname')));
  // Our own table names (constants), never text from the database.
  for (const table of tables) if (names.has(table)) await db.query(`ANALYZE ${table}`);
}
