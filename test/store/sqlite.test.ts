/**
 * What only the SQLite store has: one file in WAL mode (a reader beside the writer), its migrations
 * recorded once however often it is opened. Every store behaviour is in conformance.test.ts; file faults
 * in faults.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { openStore } from '../../src/store/sqlite.ts';

describe('the SQLite file', () => {
  it('is in WAL mode, with every migration applied exactly once though it was opened twice', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lcs-store-')), 'state.db');
    await openStore(path).close();
    await openStore(path).close();
    const raw = new DatabaseSync(path);
    expect((raw.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    expect(raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    raw.close();
  });
});
