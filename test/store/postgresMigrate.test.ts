/**
 * The Postgres schema and its migrations: the SQLite store's tables and columns, applied once even by two
 * processes starting together, a newer schema refused before anything is written, a failed version
 * leaving nothing behind, and the column types read back as the store needs them.
 */
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LifecycleSyncError } from '../../src/errors.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { migrate } from '../../src/store/postgres/migrate.ts';
import { POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION } from '../../src/store/postgres/migrations.ts';
import { scoresInPage } from '../../src/store/scorePages.ts';

const ALL = POSTGRES_MIGRATIONS.map((m) => m.version);
const NEXT = POSTGRES_SCHEMA_VERSION + 1;
import { PostgresDb } from '../../src/store/postgresDb.ts';
import { freshDatabase, type FreshDatabase } from '../postgres.ts';

const databases: FreshDatabase[] = [];
const connections: PostgresDb[] = [];

/** A new, empty database and a connection to it. */
async function empty(): Promise<PostgresDb> {
  const fresh = await freshDatabase();
  databases.push(fresh);
  return connect(fresh.url);
}
function connect(url: string): PostgresDb {
  const db = new PostgresDb(url);
  connections.push(db);
  return db;
}

async function tables(db: PostgresDb): Promise<string[]> {
  const r = await db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename");
  return r.rows.map((row) => String(row.tablename));
}

afterAll(async () => {
  for (const db of connections) await db.close();
  for (const d of databases) await d.drop();
});

describe('the Postgres schema', () => {
  let db: PostgresDb;
  let applied: number[];
  beforeAll(async () => {
    db = await empty();
    applied = await migrate(db);
  });

  it('has every table and column of the SQLite store', async () => {
    expect(applied).toEqual(ALL);
    const lite = new DatabaseSync(':memory:');
    for (const m of MIGRATIONS) lite.exec(m.sql);
    const liteTables = lite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all().map((r) => String(r.name));
    expect(await tables(db)).toEqual([...liteTables, 'schema_migrations'].sort());
    for (const table of liteTables) {
      const liteColumns = lite.prepare('SELECT name FROM pragma_table_info(?)').all(table).map((r) => String(r.name));
      const pgColumns = (await db.query('SELECT column_name FROM information_schema.columns WHERE table_name = $1', [table])).rows.map((r) => String(r.column_name));
      expect(pgColumns, table).toEqual(expect.arrayContaining(liteColumns));
    }
    lite.close();
  });

  it('keys or indexes every table of an installation\'s data by installation_id first', async () => {
    const r = await db.query(
      `SELECT t.relname AS table_name, array_agg(a.attname::text ORDER BY a.attname) FILTER (WHERE k.ord = 1) AS leading
       FROM pg_index i
       JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
       GROUP BY t.relname`,
    );
    const leading = new Map(r.rows.map((row) => [String(row.table_name), (row.leading as string[] | null) ?? []]));
    const withInstallation = (await db.query("SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'installation_id'")).rows.map((row) => String(row.table_name));
    expect(withInstallation.length).toBeGreaterThan(10);
    for (const table of withInstallation) expect(leading.get(table), table).toContain('installation_id');
    // The run-scoped tables carry their run's installation, so one installation's state is found by it.
    expect(withInstallation).toEqual(expect.arrayContaining(['run_errors', 'planned_changes', 'audit', 'model_fits']));
  });

  it('reads its columns back as the store needs them: epoch milliseconds and counts as numbers, JSON parsed, bytes as a Buffer', async () => {
    const at = Date.UTC(2031, 0, 2, 3, 4, 5, 678);
    await db.query("INSERT INTO meta (key, value) VALUES ('credential_salt', $1)", [Buffer.from([0, 1, 254, 255])]);
    await db.query(
      `INSERT INTO runs (id, installation_id, kind, status, as_of, started_at, heartbeat_at, stats) VALUES ('r1', 'i1', 'sync', 'running', '2031-01-02', $1, $1, $2)`,
      [at, JSON.stringify({ written: 3, changedFields: { stage: 2 } })],
    );
    await db.query(`INSERT INTO deals (installation_id, record_id, status, amount, close_day, modified_at, customer_ids) VALUES ('i1', 'd1', 'won', 12.5, 20000, $1, $2)`, [at, JSON.stringify(['c1', 'c2'])]);
    expect((await db.query("SELECT value FROM meta WHERE key = 'credential_salt'")).rows[0]?.value).toEqual(Buffer.from([0, 1, 254, 255]));
    expect((await db.query("SELECT started_at, stats, seq FROM runs WHERE id = 'r1'")).rows[0]).toEqual({ started_at: at, stats: { written: 3, changedFields: { stage: 2 } }, seq: 1 });
    expect((await db.query("SELECT amount, close_day, customer_ids, deleted FROM deals WHERE record_id = 'd1'")).rows[0]).toEqual({ amount: 12.5, close_day: 20000, customer_ids: ['c1', 'c2'], deleted: false });
    expect((await db.query('SELECT COUNT(*) AS n FROM deals')).rows[0]).toEqual({ n: 1 });
  });
});

describe('migrate', () => {
  it('applies nothing the second time', async () => {
    const db = await empty();
    expect(await migrate(db)).toEqual(ALL);
    expect(await migrate(db)).toEqual([]);
    expect((await db.query('SELECT version FROM schema_migrations ORDER BY version')).rows).toEqual(ALL.map((version) => ({ version })));
  });

  it('two processes migrating a fresh database at once both succeed, and the schema is applied once', async () => {
    const first = await empty();
    const url = databases.at(-1)?.url ?? '';
    const processes = [first, connect(url), connect(url)];
    const results = await Promise.all(processes.map((db) => migrate(db)));
    expect(results.flat()).toEqual(ALL);
    expect((await first.query('SELECT version FROM schema_migrations ORDER BY version')).rows).toEqual(ALL.map((version) => ({ version })));
    expect(await tables(first)).toContain('customers');
  });

  it('refuses a database of a newer schema version, and writes nothing to it', async () => {
    const db = await empty();
    await migrate(db);
    await db.query('INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)');
    const next = [...POSTGRES_MIGRATIONS, { version: NEXT, sql: 'CREATE TABLE added_in_two (v TEXT)' }];
    let error: unknown;
    try {
      await migrate(db, { migrations: next });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LifecycleSyncError);
    expect((error as LifecycleSyncError).code).toBe('STORE_FAILED');
    expect((error as LifecycleSyncError).message).toMatch(
      new RegExp(`^state database postgres://[^/]+/${databases.at(-1)?.name}: its schema version 99 is newer than this program's \\(${NEXT}\\); upgrade Lifecycle Sync or use another database$`),
    );
    expect(await tables(db)).not.toContain('added_in_two');
    expect((await db.query('SELECT version FROM schema_migrations ORDER BY version')).rows).toEqual([...ALL, 99].map((version) => ({ version })));
  });

  it('an upgrade from version 1 keeps every customer\'s scores (moved to a table of their own, then into pages of 2,000), and deal links gain their deal\'s fields', async () => {
    const db = await empty();
    await migrate(db, { migrations: POSTGRES_MIGRATIONS.filter((m) => m.version === 1) });
    const scoresOf = (id: string) => ({ asOf: '2026-01-01', values: { stage: 'loyalty' }, features: { pAlive: 0.5, reason: id } });
    const ids = Array.from({ length: 2001 }, (_, i) => `c${String(i).padStart(4, '0')}`);
    await db.query(
      `INSERT INTO customers (installation_id, record_id, modified_at, signals, crm_values, scores)
       SELECT 'i', u.id, 1, '{}', '{"stage":"purchase"}', u.scores FROM unnest($1::text[], $2::jsonb[]) AS u(id, scores)`,
      [ids, ids.map((id) => JSON.stringify(scoresOf(id)))],
    );
    await db.query(`INSERT INTO customers (installation_id, record_id, modified_at, signals, crm_values, scores) VALUES ('i', 'd', 1, '{}', '{}', NULL)`);
    await db.query(`INSERT INTO deals (installation_id, record_id, status, amount, close_day, modified_at, customer_ids, deleted) VALUES
      ('i', 'won1', 'won', 12.5, 100, 1, '["c0001"]', FALSE), ('i', 'gone', 'won', 1, 100, 1, '["c0001"]', TRUE)`);
    await db.query("INSERT INTO deal_customers (installation_id, deal_id, customer_id) VALUES ('i', 'won1', 'c0001'), ('i', 'gone', 'c0001'), ('i', 'nodeal', 'c0001')");
    expect(await migrate(db)).toEqual(ALL.filter((v) => v > 1));
    // Version 4: each link carries its deal's fields; a link without a deal is gone.
    expect((await db.query('SELECT deal_id, status, amount, close_day, deleted FROM deal_customers ORDER BY deal_id')).rows).toEqual([
      { deal_id: 'gone', status: 'won', amount: 1, close_day: 100, deleted: true },
      { deal_id: 'won1', status: 'won', amount: 12.5, close_day: 100, deleted: false },
    ]);
    const pages = (await db.query('SELECT first_record_id, last_record_id, scores FROM score_pages ORDER BY first_record_id')).rows;
    expect(pages.map((p) => [p.first_record_id, p.last_record_id])).toEqual([['c0000', 'c1999'], ['c2000', 'c2000']]);
    for (const id of ['c0000', 'c1234', 'c1999']) expect(scoresInPage(pages[0].scores, id)).toEqual(scoresOf(id));
    expect(scoresInPage(pages[1].scores, 'c2000')).toEqual(scoresOf('c2000'));
    expect(scoresInPage(pages[1].scores, 'd')).toBeNull();
    expect(await tables(db)).not.toContain('customer_scores');
    expect((await db.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'customers' AND column_name = 'scores'")).rows).toEqual([]);
  });

  it('a version that fails leaves nothing of itself or of the versions applied with it', async () => {
    const db = await empty();
    const broken = [...POSTGRES_MIGRATIONS, { version: NEXT, sql: 'CREATE TABLE half (v TEXT); SELECT no_such_column FROM half' }];
    await expect(migrate(db, { migrations: broken })).rejects.toThrow(/^state database postgres:\/\/.+: column "no_such_column" does not exist$/);
    expect(await tables(db)).toEqual([]);
    expect(await migrate(db)).toEqual(ALL);
  });
});
