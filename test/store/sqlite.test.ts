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

  it('an upgrade from schema 4 keeps every customer\'s scores (moved to a table of their own, then into pages of 2,000) and their CRM data, deal links included', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lcs-store-')), 'state.db');
    const old = new DatabaseSync(path);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    for (const m of MIGRATIONS.filter((m) => m.version <= 4)) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)').run(m.version);
    }
    const scoresOf = (id: string) => ({ asOf: '2026-01-01', values: { stage: 'loyalty' }, features: { pAlive: 0.5, reason: id } });
    const insert = old.prepare("INSERT INTO customers (installation_id, record_id, modified_at, signals, crm_values, scores) VALUES ('i', ?, 1, '{}', ?, ?)");
    const ids = Array.from({ length: 2001 }, (_, i) => `c${String(i).padStart(4, '0')}`);
    for (const id of ids) insert.run(id, JSON.stringify({ stage: 'purchase' }), JSON.stringify(scoresOf(id)));
    insert.run('d', '{}', null);
    old.exec(`INSERT INTO deals (installation_id, record_id, status, amount, close_day, modified_at, customer_ids, deleted) VALUES
      ('i', 'won1', 'won', 12.5, 100, 1, '["c0001"]', 0), ('i', 'gone', 'won', 1, 100, 1, '["c0001"]', 1)`);
    old.exec("INSERT INTO deal_customers (installation_id, deal_id, customer_id) VALUES ('i', 'won1', 'c0001'), ('i', 'gone', 'c0001'), ('i', 'nodeal', 'c0001')");
    old.close();
    const store = openStore(path);
    try {
      for (const id of ['c0000', 'c1999', 'c2000']) expect(await store.getCustomer('i', id)).toMatchObject({ crmValues: { stage: 'purchase' }, scores: scoresOf(id) });
      expect((await store.getCustomer('i', 'd'))?.scores).toBeNull();
      // Links carry their deal's fields from version 7 on: a deleted deal's link stays out of the read. Deals
      // stored before version 17 have no created day until the next pull.
      expect(await store.dealLinkPage('i', null, 10)).toEqual([{ customerId: 'c0001', dealId: 'won1', status: 'won', amount: 12.5, closeDay: 100, createdDay: null }]);
    } finally {
      await store.close();
    }
    const raw = new DatabaseSync(path);
    expect(raw.prepare('SELECT first_record_id, last_record_id FROM score_pages ORDER BY first_record_id').all()).toEqual([
      { first_record_id: 'c0000', last_record_id: 'c1999' },
      { first_record_id: 'c2000', last_record_id: 'c2000' },
    ]);
    raw.close();
  });
});
