/**
 * Both stores behind one test interface, so a suite runs the same tests against each: a "place" is an
 * empty database (a SQLite file in a temporary folder; a Postgres schema of its own in a database of the
 * test file's), where stores are opened, raw statements run, and the stored bytes searched.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll } from 'vitest';
import { openPostgresStore } from '../src/store/postgres.ts';
import { openStore } from '../src/store/sqlite.ts';
import type { Store } from '../src/store/types.ts';
import { freshDatabase, freshSchema, withClient, type FreshDatabase } from './postgres.ts';

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres'];

export interface OpenOptions {
  encryptionKey?: string;
  clock?: () => number;
}

export interface StorePlace {
  kind: StoreKind;
  /** Opens a store on it, as a process would (migrating it). */
  open(options?: OpenOptions): Promise<Store>;
  /** Runs a raw statement (SQL both dialects accept) and returns its rows. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Whether the text (or, for bytes, its hex) is anywhere in what the database stores. */
  holds(text: string): Promise<boolean>;
  /** What names it to the CLI: LIFECYCLE_SYNC_DB or DATABASE_URL. */
  env: Record<string, string>;
}

function sqlitePlace(path: string): StorePlace {
  return {
    kind: 'sqlite',
    open: (options = {}) => Promise.resolve().then(() => openStore(path, options)),
    query: (sql) =>
      Promise.resolve().then(() => {
        const raw = new DatabaseSync(path);
        try {
          return raw.prepare(sql).all();
        } finally {
          raw.close();
        }
      }),
    holds: (text) =>
      Promise.resolve([path, `${path}-wal`].some((file) => existsSync(file) && readFileSync(file).toString('latin1').includes(text))),
    env: { LIFECYCLE_SYNC_DB: path },
  };
}

async function postgresPlace(database: FreshDatabase): Promise<StorePlace> {
  const schema = await freshSchema(database);
  return {
    kind: 'postgres',
    open: (options = {}) => openPostgresStore(schema.url, options),
    query: (sql) => withClient(schema.url, async (c) => (await c.query(sql)).rows as Record<string, unknown>[]),
    holds: (text) =>
      withClient(schema.url, async (c) => {
        const tables = await c.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema.name]);
        const hex = Buffer.from(text).toString('hex');
        for (const { table_name } of tables.rows) {
          const found = await c.query(`SELECT 1 FROM ${c.escapeIdentifier(table_name)} t WHERE strpos(t::text, $1) > 0 OR strpos(t::text, $2) > 0 LIMIT 1`, [text, hex]);
          if (found.rowCount) return true;
        }
        return false;
      }),
    env: { DATABASE_URL: schema.url },
  };
}

/** A SQLite file in a temporary folder of its own, removed by `remove`. */
export function temporarySqlitePlace(): StorePlace & { remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lcs-store-'));
  return { ...sqlitePlace(join(dir, 'state.db')), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A test file's (or a describe block's) source of empty places of one kind, removed after its tests. On
 * Postgres they share a database with an ICU collation in which 'a' sorts before 'B', unlike bytes.
 */
export function storePlaces(kind: StoreKind): () => Promise<StorePlace> {
  let dir: string | null = null;
  let database: Promise<FreshDatabase> | null = null;
  let n = 0;
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (database) await (await database).drop();
  });
  return async () => {
    if (kind === 'sqlite') {
      dir ??= mkdtempSync(join(tmpdir(), 'lcs-store-'));
      return sqlitePlace(join(dir, `state${n++}.db`));
    }
    database ??= freshDatabase({ icuLocale: 'en-US' });
    return postgresPlace(await database);
  };
}
