/**
 * The store under faults a user can hit: a full disk, a file locked by another process, a damaged file,
 * a file from a newer version. Each is one clear error that names the file and keeps SQLite's reason.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { SqliteDb } from '../../src/store/sqliteDb.ts';
import { openStore } from '../../src/store/sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'lcs-store-faults-'));
let n = 0;
const file = () => join(dir, `f${n++}.db`);

describe('the state database under faults', () => {
  it('a full disk inside a transaction is reported as a full disk, naming the file, and nothing of it is kept', () => {
    const path = file();
    const db = new SqliteDb(path, { busyTimeoutMs: 100 });
    db.exec('CREATE TABLE t (v TEXT)');
    // A real SQLITE_FULL: this connection may not grow the file past a few pages.
    db.exec('PRAGMA max_page_count = 4');
    let caught: unknown;
    try {
      db.transaction(() => {
        for (let i = 0; i < 1000; i++) db.run('INSERT INTO t (v) VALUES (?)', 'x'.repeat(500));
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    const message = (caught as Error).message;
    expect(message).toContain(path);
    expect(message).toMatch(/disk is full/);
    expect(message).not.toMatch(/no transaction is active/);
    expect(db.get('SELECT COUNT(*) AS n FROM t')?.n).toBe(0);
    // The connection is usable afterwards (no transaction left open).
    db.exec('PRAGMA max_page_count = 100000');
    db.transaction(() => db.run('INSERT INTO t (v) VALUES (?)', 'ok'));
    expect(db.get('SELECT COUNT(*) AS n FROM t')?.n).toBe(1);
    db.close();
  });

  it('a file locked by another process fails after the busy timeout with a message naming the file and the lock', async () => {
    const path = file();
    await openStore(path).close();
    const other = new DatabaseSync(path);
    other.exec('BEGIN EXCLUSIVE');
    const store = openStore(path, { busyTimeoutMs: 50 });
    try {
      await expect(store.upsertInstallation({ id: 'i', crm: 'hubspot', name: 'x' })).rejects.toThrow(new RegExp(`state database ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: it is locked by another process`));
    } finally {
      other.exec('ROLLBACK');
      other.close();
      await store.close();
    }
  });

  it('a file that is not a state database is refused with its name', () => {
    const path = file();
    writeFileSync(path, 'this is not sqlite '.repeat(100));
    expect(() => openStore(path)).toThrow(new RegExp(`state database .*${n - 1}\\.db: it is damaged or not a Lifecycle Sync state file`));
  });

  it('a file written by a newer version is refused rather than used', async () => {
    const path = file();
    await openStore(path).close();
    const raw = new DatabaseSync(path);
    raw.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)').run();
    raw.close();
    expect(() => openStore(path)).toThrow(/schema version 999 is newer than this program's/);
  });
});
