/**
 * `lifecycle-sync migrate` on either store, and what an admin sees when DATABASE_URL names a database the
 * program cannot use (unreachable, wrong user, a newer schema, read-only): one line naming the database
 * and the problem, exit 1, no stack trace, nothing written. The CLI runs as a child process.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { SQLITE_SCHEMA_VERSION } from '../../src/store/sqlite.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION } from '../../src/store/postgres/migrations.ts';
import { asAdmin, closedPort, freshDatabase, uniqueName, withDatabase, type FreshDatabase } from '../postgres.ts';
import { runCli, type CliResult } from './run.ts';

const databases: FreshDatabase[] = [];
afterAll(async () => {
  for (const d of databases) await d.drop();
});
async function database(): Promise<FreshDatabase> {
  const d = await freshDatabase();
  databases.push(d);
  return d;
}

async function rows(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}
const tables = async (url: string) => (await rows(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).map((r) => String(r.tablename));

/** One line on stderr that says `problem` about the database, nothing on stdout, exit 1. */
function expectOneLine(r: CliResult, where: string, problem: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toContain(`lifecycle-sync: state database ${where}: `);
  expect(lines[0]).toMatch(problem);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('lifecycle-sync migrate', () => {
  it('creates and migrates a SQLite file, then says it is up to date', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lcs-migrate-')), 'state', 'lifecycle.db');
    const first = await runCli(['migrate'], { LIFECYCLE_SYNC_DB: path });
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe(`state database ${path} (sqlite): schema version ${SQLITE_SCHEMA_VERSION}, applied ${MIGRATIONS.map((m) => m.version).join(', ')}\n`);
    const again = await runCli(['migrate', '--json'], { LIFECYCLE_SYNC_DB: path });
    expect(JSON.parse(again.stdout)).toEqual({ kind: 'sqlite', where: path, schemaVersion: SQLITE_SCHEMA_VERSION, applied: [] });
  });

  it('migrates the Postgres database DATABASE_URL names (taking it over the SQLite file), then says it is up to date', async () => {
    const d = await database();
    const where = `postgres://${new URL(d.url).username}@${new URL(d.url).host}/${d.name}`;
    const first = await runCli(['migrate', '--json'], { DATABASE_URL: d.url, LIFECYCLE_SYNC_DB: join(tmpdir(), 'not-used.db') });
    expect(first.stderr).toBe('');
    expect(JSON.parse(first.stdout)).toEqual({ kind: 'postgres', where, schemaVersion: POSTGRES_SCHEMA_VERSION, applied: POSTGRES_MIGRATIONS.map((m) => m.version) });
    expect(await tables(d.url)).toContain('customers');
    const again = await runCli(['migrate'], { DATABASE_URL: d.url });
    expect(again.stdout).toBe(`state database ${where} (postgres): schema version ${POSTGRES_SCHEMA_VERSION}, already up to date\n`);
    if (new URL(d.url).password) expect(first.stdout + again.stdout).not.toContain(new URL(d.url).password);
  });
});

describe('a DATABASE_URL the program cannot use, through the CLI', () => {
  const commands = [['migrate'], ['runs', '--crm', 'hubspot']];

  it('a server that cannot be reached: one line, without the password', async () => {
    const port = await closedPort();
    for (const r of await Promise.all(commands.map((args) => runCli(args, { DATABASE_URL: `postgres://sync:s3cret-pw@127.0.0.1:${port}/state` })))) {
      expectOneLine(r, `postgres://sync@127.0.0.1:${port}/state`, /the server cannot be reached/);
      expect(r.stderr).not.toContain('s3cret-pw');
    }
  });

  it('a user the server does not accept: one line', async () => {
    const d = await database();
    const user = uniqueName('nobody');
    const url = withDatabase(d.url, d.name, { user, password: 'wrong-password' });
    for (const r of await Promise.all(commands.map((args) => runCli(args, { DATABASE_URL: url })))) {
      expectOneLine(r, `postgres://${user}@${new URL(d.url).host}/${d.name}`, /wrong user name or password, or this user may not connect/);
      expect(r.stderr).not.toContain('wrong-password');
    }
  });

  it('a database of a newer schema version: refused, and nothing written to it', async () => {
    const d = await database();
    await runCli(['migrate'], { DATABASE_URL: d.url });
    await rows(d.url, 'INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)');
    const before = await tables(d.url);
    for (const r of await Promise.all(commands.map((args) => runCli(args, { DATABASE_URL: d.url })))) {
      expectOneLine(r, `postgres://${new URL(d.url).username}@${new URL(d.url).host}/${d.name}`, new RegExp(`its schema version 99 is newer than this program's \\(${POSTGRES_SCHEMA_VERSION}\\); upgrade Lifecycle Sync`));
    }
    expect(await tables(d.url)).toEqual(before);
    expect((await rows(d.url, 'SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version)).toEqual([...POSTGRES_MIGRATIONS.map((m) => m.version), 99]);
    expect(await rows(d.url, 'SELECT * FROM installations')).toEqual([]);
  });

  it('a read-only database: refused, and nothing written to it', async () => {
    const d = await database();
    await asAdmin((c) => c.query(`ALTER DATABASE ${c.escapeIdentifier(d.name)} SET default_transaction_read_only = on`));
    for (const r of await Promise.all(commands.map((args) => runCli(args, { DATABASE_URL: d.url })))) {
      expectOneLine(r, `postgres://${new URL(d.url).username}@${new URL(d.url).host}/${d.name}`, /it is read-only \(default_transaction_read_only is on/);
    }
    expect(await tables(d.url)).toEqual([]);
  });
});
