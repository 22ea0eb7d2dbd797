/**
 * The test server and its per-file databases (test/postgres.ts): each is a real, empty database of its
 * own, and dropping it removes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, freshDatabase, withClient, type FreshDatabase } from '../postgres.ts';

describe('a fresh test database', () => {
  let first: FreshDatabase;
  let second: FreshDatabase;
  beforeAll(async () => {
    first = await freshDatabase();
    second = await freshDatabase();
  });
  afterAll(async () => {
    await first.drop();
    await second.drop();
  });

  it('is a database of its own on a real PostgreSQL server, where tables can be created', async () => {
    const { database, version } = await withClient(first.url, async (c) => {
      await c.query('CREATE TABLE t (v TEXT)');
      await c.query("INSERT INTO t (v) VALUES ('kept')");
      const r = await c.query<{ database: string; version: string }>('SELECT current_database() AS database, version() AS version');
      return r.rows[0];
    });
    expect(database).toBe(first.name);
    expect(version).toMatch(/^PostgreSQL \d+/);
    expect(await withClient(first.url, async (c) => (await c.query<{ v: string }>('SELECT v FROM t')).rows)).toEqual([{ v: 'kept' }]);
  });

  it('two of them are different databases: a table of one is not in the other', async () => {
    expect(second.name).not.toBe(first.name);
    await withClient(first.url, (c) => c.query('CREATE TABLE only_in_first (v TEXT)'));
    const tables = await withClient(second.url, async (c) => (await c.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).rows);
    expect(tables).toEqual([]);
  });

  it('is gone once dropped', async () => {
    const third = await freshDatabase();
    await third.drop();
    const exists = await asAdmin(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [third.name])).rowCount);
    expect(exists).toBe(0);
  });
});
