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

  it('an upgrade from schema 4 keeps every customer\'s scores (moved to a table of their own) and their CRM data', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lcs-store-')), 'state.db');
    const old = new DatabaseSync(path);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    for (const m of MIGRATIONS.filter((m) => m.version <= 4)) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)').run(m.version);
    }
    const scores = { asOf: '2026-01-01', values: { stage: 'loyalty' }, features: { pAlive: 0.5, reason: 'r' } };
    const insert = old.prepare("INSERT INTO customers (installation_id, record_id, modified_at, signals, crm_values, scores) VALUES ('i', ?, 1, '{}', ?, ?)");
    insert.run('c1', JSON.stringify({ stage: 'purchase' }), JSON.stringify(scores));
    insert.run('c2', '{}', null);
    old.close();
    const store = openStore(path);
    try {
      expect(await store.getCustomer('i', 'c1')).toMatchObject({ crmValues: { stage: 'purchase' }, scores });
      expect((await store.getCustomer('i', 'c2'))?.scores).toBeNull();
    } finally {
      await store.close();
    }
  });
});
