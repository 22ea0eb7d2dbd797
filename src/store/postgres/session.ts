/**
 * What the Postgres concerns run their statements on: the pool (each statement on whatever connection is
 * free) or one explicit transaction's client. `atomic` groups a method's own statements: a transaction of
 * their own on the pool, or simply part of the explicit transaction already open (where a failure aborts
 * the whole of it, which is what its caller asked for).
 */
import type { PgQueryable, PostgresDb } from '../postgresDb.ts';

export interface PgSession extends PgQueryable {
  atomic<T>(fn: (q: PgQueryable) => Promise<T>): Promise<T>;
}

export function poolSession(db: PostgresDb): PgSession {
  return { query: (sql, params) => db.query(sql, params), queryArrays: (sql, params) => db.queryArrays(sql, params), atomic: (fn) => db.transaction(fn) };
}

export function transactionSession(tx: PgQueryable): PgSession {
  return { query: (sql, params) => tx.query(sql, params), queryArrays: (sql, params) => tx.queryArrays(sql, params), atomic: (fn) => fn(tx) };
}
