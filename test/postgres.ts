/**
 * A database of its own for a test file (or a test), on the run's PostgreSQL server (test/postgresServer.ts):
 * created empty, dropped after. Names start with the run's prefix, so the end of the run drops any that
 * a failed file left.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { inject } from 'vitest';

export interface FreshDatabase {
  /** A URL to the new database, as the server's administrative user. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** The URL of the test server's administrative database (for cluster-wide set-up such as roles). */
export function adminUrl(): string {
  const url = inject('postgresUrl');
  if (!url) throw new Error(`no PostgreSQL server for the tests: ${inject('postgresError')}`);
  return url;
}

/** A name unique to this run: the run's prefix and a random part (lower case, a valid identifier). */
export function uniqueName(kind: string): string {
  return `${inject('postgresRun')}_${kind}_${randomBytes(5).toString('hex')}`;
}

/** `url` with another database (and, when given, another user and password). */
export function withDatabase(url: string, database: string, login?: { user: string; password: string }): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  if (login) {
    u.username = encodeURIComponent(login.user);
    u.password = encodeURIComponent(login.password);
  }
  return u.toString();
}

/** Runs `fn` with a client connected to `url`, closed after. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Runs statements as the administrative user on the server's administrative database. */
export async function asAdmin<T>(fn: (client: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const admin = adminUrl();
  return withClient(database ? withDatabase(admin, database) : admin, fn);
}

/** A port on loopback where nothing listens. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

/**
 * A new, empty database. `icuLocale` gives it that ICU collation (e.g. 'en-US', where 'a' sorts before 'B'),
 * so a test can show that the store's order does not depend on the database's collation.
 */
export async function freshDatabase(o: { icuLocale?: string } = {}): Promise<FreshDatabase> {
  const name = uniqueName('db');
  await asAdmin((c) =>
    c.query(
      o.icuLocale
        ? `CREATE DATABASE ${c.escapeIdentifier(name)} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE ${c.escapeLiteral(o.icuLocale)}`
        : `CREATE DATABASE ${c.escapeIdentifier(name)}`,
    ),
  );
  return {
    url: withDatabase(adminUrl(), name),
    name,
    drop: async () => {
      await asAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`));
    },
  };
}

/** `url` with a search path: the connection's tables are those of `schema`. */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export interface FreshSchema {
  /** A URL whose connections use the schema (its first search path entry). */
  url: string;
  name: string;
}

/** A new, empty schema in a test database: cheaper than a database, for tests that need many. */
export async function freshSchema(database: FreshDatabase): Promise<FreshSchema> {
  const name = uniqueName('s');
  await asAdmin((c) => c.query(`CREATE SCHEMA ${c.escapeIdentifier(name)}`), database.name);
  return { url: withSearchPath(database.url, name), name };
}
