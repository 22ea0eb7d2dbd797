/**
 * One SQLite connection with the habits every query needs: prepared statements cached, errors that name
 * the file (a user with several state files must know which one failed), transactions whose original
 * error survives the rollback (SQLite rolls a transaction back by itself on some errors, such as a full
 * disk, and a second ROLLBACK would replace "database or disk is full" with "no transaction is active").
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { LifecycleSyncError } from '../errors.ts';

export type Row = Record<string, SQLInputValue>;

/** What went wrong, in words a person can act on, with SQLite's own text kept after it. */
function explain(message: string): string {
  if (/database is locked|SQLITE_BUSY/i.test(message)) return `it is locked by another process (${message})`;
  if (/disk is full|SQLITE_FULL/i.test(message)) return `the disk is full (${message})`;
  if (/readonly|read-only/i.test(message)) return `it is read-only (${message})`;
  if (/not a database|malformed|corrupt/i.test(message)) return `it is damaged or not a Lifecycle Sync state file (${message})`;
  return message;
}

export class StoreFailure extends LifecycleSyncError {
  readonly path: string;
  constructor(path: string, error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    super('STORE_FAILED', `state database ${path}: ${explain(message)}`, { cause: error });
    this.path = path;
  }
}

export interface SqliteDbOptions {
  /** How long a statement waits for another connection's write lock before failing (ms). */
  busyTimeoutMs: number;
}

export class SqliteDb {
  readonly path: string;
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();

  constructor(path: string, options: SqliteDbOptions) {
    this.path = path;
    try {
      this.db = new DatabaseSync(path, { timeout: options.busyTimeoutMs });
    } catch (error) {
      throw new StoreFailure(path, error);
    }
  }

  private fail(error: unknown): never {
    if (error instanceof LifecycleSyncError) throw error;
    throw new StoreFailure(this.path, error);
  }

  private stmt(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** A statement bound to its SQL, for loops (the prepared statement is cached). */
  prepared(sql: string) {
    return {
      run: (...params: SQLInputValue[]) => this.run(sql, ...params),
      get: (...params: SQLInputValue[]) => this.get(sql, ...params),
      all: (...params: SQLInputValue[]) => this.all(sql, ...params),
    };
  }

  exec(sql: string): void {
    try {
      this.db.exec(sql);
    } catch (error) {
      this.fail(error);
    }
  }

  run(sql: string, ...params: SQLInputValue[]): { changes: number; lastInsertRowid: number } {
    try {
      const result = this.stmt(sql).run(...params);
      return { changes: Number(result.changes), lastInsertRowid: Number(result.lastInsertRowid) };
    } catch (error) {
      this.fail(error);
    }
  }

  get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    try {
      return this.stmt(sql).get(...params);
    } catch (error) {
      this.fail(error);
    }
  }

  all(sql: string, ...params: SQLInputValue[]): Row[] {
    try {
      return this.stmt(sql).all(...params);
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * Runs `fn` in one write transaction (BEGIN IMMEDIATE: the write lock is taken at once, so a busy
   * database fails here rather than halfway). If `fn` or COMMIT fails, the transaction is rolled back
   * when SQLite has not already done so, and the original error is what the caller sees. Inside an open
   * transaction (an explicit one of the store's) it is a savepoint: it stands or falls with the outer one.
   */
  transaction<T>(fn: () => T): T {
    if (this.db.isTransaction) return this.savepoint(fn);
    this.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.exec('COMMIT');
      return result;
    } catch (error) {
      this.rollbackQuietly();
      this.fail(error);
    }
  }

  private savepoint<T>(fn: () => T): T {
    this.exec('SAVEPOINT nested');
    try {
      const result = fn();
      this.exec('RELEASE nested');
      return result;
    } catch (error) {
      try {
        this.db.exec('ROLLBACK TO nested');
        this.db.exec('RELEASE nested');
      } catch {
        // the outer transaction's own rollback follows
      }
      this.fail(error);
    }
  }

  private rollbackQuietly(): void {
    if (!this.db.isTransaction) return;
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // The original error matters; a failed rollback leaves SQLite to roll back on close.
    }
  }

  /** Resolves when no explicit transaction is open (store calls outside it wait, so none lands inside it). */
  idle(): Promise<void> {
    return this.gate;
  }

  private gate: Promise<void> = Promise.resolve();

  /**
   * An explicit transaction spanning awaits: `fn`'s statements (made through the store it is given) stand
   * or fall together, and every other call on this connection waits until it ends.
   */
  async transactionAsync<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.gate;
    let open: () => void = () => {};
    this.gate = new Promise<void>((resolve) => (open = resolve));
    await previous;
    try {
      this.exec('BEGIN IMMEDIATE');
      let result: T;
      try {
        result = await fn();
      } catch (error) {
        // The store's own errors already name the file; anything else is the caller's, as it was.
        this.rollbackQuietly();
        throw error;
      }
      try {
        this.exec('COMMIT');
      } catch (error) {
        this.rollbackQuietly();
        throw error;
      }
      return result;
    } finally {
      open();
    }
  }

  close(): void {
    try {
      this.db.close();
    } catch (error) {
      this.fail(error);
    }
  }
}
