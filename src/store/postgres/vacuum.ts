/**
 * Space a run replaced, reclaimed where the server does not do it itself. A nightly run replaces every
 * score page and its plan, a first sync rewrites every customer once more after writing to the CRM, and
 * each write turns a pending audit entry into an applied one: dead rows that autovacuum reclaims on a
 * default server. A server running without it (some do; this project's CI machine does) keeps them, so
 * the tables only grow and every read walks past them: a nightly run of a million contacts planned a
 * third slower right after its first sync than after a vacuum, and finding the pending audit among 11
 * million dead entries took 2.7 s. So after a run, where autovacuum is off (for the server, or for the
 * table), the store vacuums its tables that have more than a fifth of their rows dead, as autovacuum's
 * default threshold would. A user who does not own the tables gets a warning from the server, not an error.
 */
import type { PgQueryable } from '../postgresDb.ts';
import { text } from './rows.ts';

/** The store's tables that runs fill and replace. */
const TABLES = ['customers', 'deals', 'deal_customers', 'score_pages', 'customer_list', 'customer_list_runs', 'open_deals', 'planned_changes', 'audit', 'runs', 'run_errors', 'retry_queue', 'locks', 'cursors', 'request_usage'];

/** Vacuums (and analyzes) the tables autovacuum would have; the tables vacuumed. */
export async function vacuumWhereAutovacuumIsOff(db: PgQueryable): Promise<string[]> {
  const due = await db.query(
    `SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
     WHERE s.relid = ANY($1::regclass[]) AND s.n_dead_tup >= 1000 AND s.n_dead_tup > s.n_live_tup / 5
       AND (current_setting('autovacuum') = 'off' OR 'autovacuum_enabled=false' = ANY(COALESCE(c.reloptions, '{}')))
     ORDER BY s.relname`,
    [TABLES],
  );
  const names = new Set(due.rows.map((row) => text(row, 'relname')));
  const tables = TABLES.filter((table) => names.has(table));
  // Our own table names, never text from the database; VACUUM runs outside a transaction (on the pool).
  for (const table of tables) await db.query(`VACUUM (ANALYZE) ${table}`);
  return tables;
}
