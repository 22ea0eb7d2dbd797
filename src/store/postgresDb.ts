/**
 * The Postgres connection, with the habits every query needs, like sqliteDb.ts: a pool from
 * DATABASE_URL, errors in one line that name the database (user, host, port and name; never the
 * password) and say what is wrong in words a person can act on, and transactions on one client whose
 * original error survives the rollback.
 *
 * BIGINT (epoch milliseconds, counts) is read as a JavaScript number, checked to be exact; JSON and JSONB
 * arrive parsed (readers validate them), BYTEA as a Buffer. JSON parameters are passed as text
 * (JSON.stringify): node-postgres would turn a JavaScript array into a Postgres array.
 */
import pg, { DatabaseError, TypeOverrides, type PoolClient } from 'pg';
import { LifecycleSyncError } from '../errors.ts';
import { rememberSecrets } from '../secrets.ts';

export type PgScalar = string | number | boolean | null;
/** A parameter: a scalar, bytes, or an array of scalars (for `unnest($1::text[])` and `= ANY($1)`). */
export type PgValue = PgScalar | Uint8Array | readonly PgScalar[];
export type PgRow = Record<string, unknown>;
export interface PgResult {
  rows: PgRow[];
  /** Rows inserted, updated, deleted or returned. */
  rowCount: number;
}

/** What runs a statement: the pool, or a transaction's client. */
export interface PgQueryable {
  query(sql: string, params?: readonly PgValue[]): Promise<PgResult>;
  /**
   * The rows as arrays of the SELECT's columns in order: for the pages a run reads by the million, where
   * node-postgres builds a row a third faster than as an object.
   */
  queryArrays(sql: string, params?: readonly PgValue[]): Promise<unknown[][]>;
}

/** The database a URL names, for messages: `postgres://user@host:port/name`, never the password. */
export interface PostgresTarget {
  /** The URL without its password and options. */
  where: string;
  password: string;
}

/** A `postgres://` or `postgresql://` URL, or a clear error that does not echo it (it may hold a password). */
export function parseDatabaseUrl(url: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LifecycleSyncError('STORE_FAILED', 'state database: DATABASE_URL is not a URL (expected postgres://user:password@host:port/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new LifecycleSyncError('STORE_FAILED', `state database: DATABASE_URL must start with postgres:// or postgresql://, not ${parsed.protocol}//`);
  }
  const user = decodeURIComponent(parsed.username);
  // A `host` parameter (a socket folder, or a host) overrides the URL's host, as libpq and node-postgres read it.
  const host = parsed.searchParams.get('host') ?? (decodeURIComponent(parsed.hostname) || 'localhost');
  const port = parsed.searchParams.get('port') ?? (parsed.port || '5432');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user;
  return { where: `postgres://${user ? `${user}@` : ''}${host}:${port}/${database}`, password: decodeURIComponent(parsed.password) };
}

const CANNOT_REACH = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'ENOENT']);

/** What went wrong, in words a person can act on, with the server's or the network's own text after it. */
function explain(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (error instanceof DatabaseError) {
    switch (code) {
      case '28P01':
      case '28000':
        return `wrong user name or password, or this user may not connect (${message})`;
      case '3D000':
        return `the database does not exist (${message})`;
      case '25006':
        return `it is read-only: a standby server, or default_transaction_read_only is on (${message})`;
      case '42501':
        return `permission denied (${message})`;
      case '53100':
        return `the server's disk is full (${message})`;
      case '53300':
        return `the server has no connection to spare (${message})`;
      case '57P01':
      case '57P02':
      case '57P03':
        return `the server is shutting down or starting up (${message})`;
      default:
        return message;
    }
  }
  if (code !== undefined && CANNOT_REACH.has(code)) return `the server cannot be reached (${message})`;
  if (/timeout|timed out/i.test(message)) return `the server cannot be reached: no answer in time (${message})`;
  if (/Connection terminated/i.test(message)) return `the server closed the connection (${message})`;
  if (/SASL|password must be/i.test(message)) return `the server asks for a password and DATABASE_URL has none (${message})`;
  return message;
}

export class PostgresFailure extends LifecycleSyncError {
  readonly where: string;
  constructor(target: PostgresTarget, error: unknown) {
    const text = explain(error);
    super('STORE_FAILED', `state database ${target.where}: ${target.password ? text.replaceAll(target.password, '***') : text}`, { cause: error });
    this.where = target.where;
  }
}

export interface PostgresDbOptions {
  /** Connections at most (the runs, the server and the schedule share them). */
  maxConnections?: number;
  /** How long connecting may take before the server counts as unreachable (ms). */
  connectTimeoutMs?: number;
}

/** node-postgres reads BIGINT as text (it can exceed 2^53); ours are milliseconds and counts, so numbers. */
function typeParsers(): TypeOverrides {
  const types = new TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, (text: string) => {
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw new Error(`a BIGINT beyond JavaScript's exact integers: ${text}`);
    return value;
  });
  return types;
}

function result(r: pg.QueryResult): PgResult {
  return { rows: r.rows as PgRow[], rowCount: r.rowCount ?? 0 };
}


export class PostgresDb implements PgQueryable {
  readonly where: string;
  private readonly target: PostgresTarget;
  private readonly pool: pg.Pool;

  constructor(url: string, options: PostgresDbOptions = {}) {
    this.target = parseDatabaseUrl(url);
    this.where = this.target.where;
    rememberSecrets(this.target.password);
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      application_name: 'lifecycle-sync',
      types: typeParsers(),
    });
    // An idle connection the server dropped (a restart, a failover) is discarded by the pool; the next
    // statement opens another, or fails with a clear error. Without a listener it would end the process.
    this.pool.on('error', () => undefined);
  }

  fail(error: unknown): never {
    if (error instanceof LifecycleSyncError) throw error;
    throw new PostgresFailure(this.target, error);
  }

  async query(sql: string, params: readonly PgValue[] = []): Promise<PgResult> {
    try {
      return result(await this.pool.query(sql, [...params]));
    } catch (error) {
      this.fail(error);
    }
  }

  async queryArrays(sql: string, params: readonly PgValue[] = []): Promise<unknown[][]> {
    try {
      return (await this.pool.query<unknown[]>({ text: sql, values: [...params], rowMode: 'array' })).rows;
    } catch (error) {
      this.fail(error);
    }
  }

  /** A statement runner on one client of the pool. */
  private on(client: PoolClient): PgQueryable {
    return {
      query: async (sql, params = []) => {
        try {
          return result(await client.query(sql, [...params]));
        } catch (error) {
          this.fail(error);
        }
      },
      queryArrays: async (sql, params = []) => {
        try {
          return (await client.query<unknown[]>({ text: sql, values: [...params], rowMode: 'array' })).rows;
        } catch (error) {
          this.fail(error);
        }
      },
    };
  }

  /**
   * Runs `fn` in one transaction on one client. If `fn` or COMMIT fails, the transaction is rolled back
   * and the original error is what the caller sees (the caller's own errors unchanged). A ROLLBACK that fails too (the connection broke)
   * only closes that connection instead of returning it to the pool.
   */
  async transaction<T>(fn: (tx: PgQueryable) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      this.fail(error);
    }
    const tx = this.on(client);
    let discard: Error | undefined;
    try {
      await tx.query('BEGIN');
      const value = await fn(tx);
      await tx.query('COMMIT');
      return value;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        discard = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      // The database's errors were explained by tx.query; anything else is the caller's own, as it was.
      throw error;
    } finally {
      client.release(discard);
    }
  }

  async close(): Promise<void> {
    try {
      await this.pool.end();
    } catch (error) {
      this.fail(error);
    }
  }
}
