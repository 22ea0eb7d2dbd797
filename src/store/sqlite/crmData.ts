/** What the store knows of the CRM: customers (signals, the plugin's values as the CRM holds them, scores) and deals. */
import type { FieldValues } from '../../../connectors/contract/index.ts';
import type { Row, SqliteDb } from '../sqliteDb.ts';
import { patchedScorePage, scoresInPage, type ScorePage } from '../scorePages.ts';
import type { CrmDataStore, CustomerCore, DealLink, ScoreSpan, StoredCustomer, StoredDeal, StoredScores } from '../types.ts';
import type { Synchronous } from './promised.ts';
import { dealStatusSchema, displayOf, fieldValuesSchema, signalsSchema } from '../rowSchemas.ts';
import { dealFromRow } from '../rowMappers.ts';
import { COLUMNS, json, num, numOrNull, text } from './rows.ts';

export class SqliteCrmData implements Synchronous<CrmDataStore> {
  private readonly db: SqliteDb;
  constructor(db: SqliteDb) {
    this.db = db;
  }

  readonly upsertCustomers = (installationId: string, customers: CustomerCore[], seenInPull?: string): void => {
    const upsert = this.db.prepared(
      `INSERT INTO customers (installation_id, record_id, modified_at, signals, crm_values, deleted, seen_in_pull, display)
       VALUES (?, ?, ?, ?, ?, 0, ?, ?)
       ON CONFLICT (installation_id, record_id) DO UPDATE SET modified_at = excluded.modified_at, signals = excluded.signals,
         crm_values = excluded.crm_values, deleted = 0, seen_in_pull = COALESCE(excluded.seen_in_pull, customers.seen_in_pull),
         display = excluded.display`,
    );
    this.db.transaction(() => {
      for (const c of customers) upsert.run(installationId, c.recordId, c.modifiedAt, JSON.stringify(c.signals), JSON.stringify(c.crmValues), seenInPull ?? null, c.display ? JSON.stringify(c.display) : null);
    });
  };

  readonly upsertDeals = (installationId: string, deals: StoredDeal[], seenInPull?: string): void => {
    const upsert = this.db.prepared(
      `INSERT INTO deals (installation_id, record_id, status, amount, close_day, modified_at, customer_ids, deleted, seen_in_pull, created_day)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
       ON CONFLICT (installation_id, record_id) DO UPDATE SET status = excluded.status, amount = excluded.amount,
         close_day = excluded.close_day, modified_at = excluded.modified_at, customer_ids = excluded.customer_ids, deleted = 0,
         seen_in_pull = COALESCE(excluded.seen_in_pull, deals.seen_in_pull), created_day = excluded.created_day`,
    );
    const unlink = this.db.prepared('DELETE FROM deal_customers WHERE installation_id = ? AND deal_id = ?');
    // Each link carries the deal's status, amount and close day (migration 7) and created day (migration 17).
    const link = this.db.prepared('INSERT OR IGNORE INTO deal_customers (installation_id, deal_id, customer_id, status, amount, close_day, deleted, created_day) VALUES (?, ?, ?, ?, ?, ?, 0, ?)');
    this.db.transaction(() => {
      for (const d of deals) {
        const createdDay = d.createdDay ?? null;
        upsert.run(installationId, d.recordId, d.status, d.amount, d.closeDay, d.modifiedAt, JSON.stringify(d.customerIds), seenInPull ?? null, createdDay);
        unlink.run(installationId, d.recordId);
        for (const c of d.customerIds) link.run(installationId, d.recordId, c, d.status, d.amount, d.closeDay, createdDay);
      }
    });
  };

  readonly markUnseenDeleted = (installationId: string, pullId: string): { customers: number; deals: number } => {
    return this.db.transaction(() => {
      const customers = this.db.run(
        'UPDATE customers SET deleted = 1 WHERE installation_id = ? AND deleted = 0 AND (seen_in_pull IS NULL OR seen_in_pull <> ?)',
      installationId, pullId);
      const deals = this.db.run('UPDATE deals SET deleted = 1 WHERE installation_id = ? AND deleted = 0 AND (seen_in_pull IS NULL OR seen_in_pull <> ?)',
        installationId,
        pullId,
      );
      this.db.run(
        `UPDATE deal_customers SET deleted = 1 WHERE installation_id = ?1 AND deleted = 0
         AND deal_id IN (SELECT record_id FROM deals WHERE installation_id = ?1 AND deleted = 1)`,
        installationId,
      );
      return { customers: Number(customers.changes), deals: Number(deals.changes) };
    });
  };

  readonly markCustomersDeleted = (installationId: string, recordIds: string[]): void => {
    const mark = this.db.prepared('UPDATE customers SET deleted = 1 WHERE installation_id = ? AND record_id = ?');
    this.db.transaction(() => {
      for (const id of recordIds) mark.run(installationId, id);
    });
  };

  readonly customerPage = (installationId: string, after: string | null, limit: number): CustomerCore[] => {
    const rows =
      after === null
        ? this.db.all('SELECT record_id, modified_at, signals, crm_values FROM customers WHERE installation_id = ? AND deleted = 0 ORDER BY record_id LIMIT ?', installationId, limit)
        : this.db.all('SELECT record_id, modified_at, signals, crm_values FROM customers WHERE installation_id = ? AND deleted = 0 AND record_id > ? ORDER BY record_id LIMIT ?', installationId, after, limit);
    return rows.map((r) => ({ recordId: text(r, 'record_id'), modifiedAt: num(r, 'modified_at'), signals: json(r, 'signals', signalsSchema), crmValues: json(r, 'crm_values', fieldValuesSchema) }));
  };

  readonly customerSignalsPage = (installationId: string, after: string | null, limit: number): Pick<CustomerCore, 'recordId' | 'signals'>[] => {
    return this.partPage('signals', installationId, after, limit).map((r) => ({ recordId: text(r, 'record_id'), signals: json(r, 'signals', signalsSchema) }));
  };

  readonly customerValuesPage = (installationId: string, after: string | null, limit: number): Pick<CustomerCore, 'recordId' | 'crmValues' | 'display'>[] => {
    return this.partPage('crm_values, display', installationId, after, limit).map((r) => ({
      recordId: text(r, 'record_id'),
      crmValues: json(r, 'crm_values', fieldValuesSchema),
      ...displayOf(r.display),
    }));
  };

  private partPage(column: 'signals' | 'crm_values, display', installationId: string, after: string | null, limit: number): Row[] {
    const select = `SELECT record_id, ${column} FROM customers WHERE installation_id = ? AND deleted = 0`;
    return after === null
      ? this.db.all(`${select} ORDER BY record_id LIMIT ?`, installationId, limit)
      : this.db.all(`${select} AND record_id > ? ORDER BY record_id LIMIT ?`, installationId, after, limit);
  }

  readonly dealLinkPage = (installationId: string, after: { customerId: string; dealId: string } | null, limit: number): DealLink[] => {
    // The links carry their deal's fields: one range of the key, no lookup into deals.
    const select = 'SELECT customer_id, deal_id, status, amount, close_day, created_day FROM deal_customers WHERE installation_id = ? AND deleted = 0';
    const rows =
      after === null
        ? this.db.all(`${select} ORDER BY customer_id, deal_id LIMIT ?`, installationId, limit)
        : this.db.all(`${select} AND (customer_id, deal_id) > (?, ?) ORDER BY customer_id, deal_id LIMIT ?`, installationId, after.customerId, after.dealId, limit);
    return rows.map((r) => ({
      customerId: text(r, 'customer_id'),
      dealId: text(r, 'deal_id'),
      status: dealStatusSchema.parse(text(r, 'status')),
      amount: numOrNull(r, 'amount'),
      closeDay: numOrNull(r, 'close_day'),
      createdDay: numOrNull(r, 'created_day'),
    }));
  };

  readonly countCustomers = (installationId: string): number => {
    return num(this.db.get('SELECT COUNT(*) AS n FROM customers WHERE installation_id = ? AND deleted = 0', installationId) ?? { n: 0 }, 'n');
  };

  readonly getCustomer = (installationId: string, recordId: string): StoredCustomer | null => {
    const row = this.db.get('SELECT * FROM customers WHERE installation_id = ? AND record_id = ?', installationId, recordId);
    if (!row) return null;
    // The page that starts at or before the customer, if it reaches it (scorePages.ts; byte order, in SQL).
    const page = this.db.get(
      `SELECT scores FROM (SELECT last_record_id, scores FROM score_pages WHERE installation_id = ?1 AND first_record_id <= ?2
       ORDER BY first_record_id DESC LIMIT 1) WHERE last_record_id >= ?2`,
      installationId,
      recordId,
    );
    return {
      recordId: text(row, 'record_id'),
      modifiedAt: num(row, 'modified_at'),
      signals: json(row, 'signals', signalsSchema),
      crmValues: json(row, 'crm_values', fieldValuesSchema),
      deleted: num(row, 'deleted') === 1,
      scores: page ? scoresInPage(JSON.parse(text(page, 'scores')), recordId) : null,
      ...displayOf(row.display),
    };
  };

  readonly dealsOf = (installationId: string, recordId: string): StoredDeal[] => {
    return (
      this.db.all(
        `SELECT d.* FROM deal_customers dc JOIN deals d ON d.installation_id = dc.installation_id AND d.record_id = dc.deal_id
         WHERE dc.installation_id = ? AND dc.customer_id = ? AND d.deleted = 0 ORDER BY d.close_day, d.record_id`,
      installationId, recordId)
    ).map((r) => this.toDeal(r));
  };

  readonly customersOfDeals = (installationId: string, dealIds: readonly string[]): string[] => {
    if (dealIds.length === 0) return [];
    const rows = this.db.all(
      'SELECT DISTINCT customer_id FROM deal_customers WHERE installation_id = ? AND deal_id IN (SELECT value FROM json_each(?)) ORDER BY customer_id',
      installationId, JSON.stringify(dealIds));
    return rows.map((r) => text(r, 'customer_id'));
  };

  private readonly toDeal = (row: Row): StoredDeal => dealFromRow(COLUMNS, row);


  readonly setCrmValues = (installationId: string, updates: { recordId: string; values: FieldValues; modifiedAt: number | null }[]): void => {
    const read = this.db.prepared('SELECT crm_values FROM customers WHERE installation_id = ? AND record_id = ?');
    const write = this.db.prepared('UPDATE customers SET crm_values = ?, modified_at = COALESCE(?, modified_at) WHERE installation_id = ? AND record_id = ?');
    this.db.transaction(() => {
      for (const u of updates) {
        const row = read.get(installationId, u.recordId);
        if (!row) continue;
        const merged = { ...json(row, 'crm_values', fieldValuesSchema), ...u.values };
        write.run(JSON.stringify(merged), u.modifiedAt, installationId, u.recordId);
      }
    });
  };

  readonly saveScores = (installationId: string, span: ScoreSpan, scores: ScorePage): void => {
    const page = scores.encode();
    this.db.transaction(() => {
      // Every page that overlaps the span goes (SQLite compares text byte by byte, as record ids are ordered).
      this.db.run(
        'DELETE FROM score_pages WHERE installation_id = ?1 AND (?2 IS NULL OR last_record_id > ?2) AND (?3 IS NULL OR first_record_id <= ?3)',
        installationId,
        span.after,
        span.through,
      );
      if (page) this.db.run('INSERT INTO score_pages (installation_id, first_record_id, last_record_id, scores) VALUES (?, ?, ?, ?)', installationId, page.firstRecordId, page.lastRecordId, page.json);
    });
  };

  readonly patchScores = (installationId: string, scores: { recordId: string; scores: StoredScores }[]): void => {
    const find = this.db.prepared(
      `SELECT first_record_id, scores FROM (SELECT first_record_id, last_record_id, scores FROM score_pages WHERE installation_id = ?1 AND first_record_id <= ?2
       ORDER BY first_record_id DESC LIMIT 1) WHERE last_record_id >= ?2`,
    );
    this.db.transaction(() => {
      // The customers by the page that reaches them ('' for none: each gets a page of its own).
      const byPage = new Map<string, { json: string | null; updates: Map<string, StoredScores> }>();
      for (const s of scores) {
        const row = find.get(installationId, s.recordId);
        const key = row ? text(row, 'first_record_id') : `\u0000${s.recordId}`;
        const entry = byPage.get(key) ?? { json: row ? text(row, 'scores') : null, updates: new Map<string, StoredScores>() };
        entry.updates.set(s.recordId, s.scores);
        byPage.set(key, entry);
      }
      for (const [key, { json: stored, updates }] of byPage) {
        const page = patchedScorePage(stored === null ? { ids: [], scores: [] } : JSON.parse(stored), updates).encode();
        if (stored !== null) this.db.run('DELETE FROM score_pages WHERE installation_id = ? AND first_record_id = ?', installationId, key);
        if (page) this.db.run('INSERT INTO score_pages (installation_id, first_record_id, last_record_id, scores) VALUES (?, ?, ?, ?)', installationId, page.firstRecordId, page.lastRecordId, page.json);
      }
    });
  };
}
