/**
 * What the store knows of the CRM, on Postgres. A page of thousands of customers or deals is one
 * statement over arrays (`unnest`), never a statement per row; the large tables are read in keyset pages
 * over their keys, so a page costs the same at the millionth row as at the first.
 */
import type { FieldValues } from '../../../connectors/contract/index.ts';
import type { PgRow } from '../postgresDb.ts';
import { dealStatusSchema, displayOf, fieldValuesSchema, signalsSchema } from '../rowSchemas.ts';
import { patchedScorePage, scoresInPage, type ScorePage } from '../scorePages.ts';
import type { CrmDataStore, CustomerCore, DealLink, ScoreSpan, StoredCustomer, StoredDeal, StoredScores } from '../types.ts';
import { dealFromRow } from '../rowMappers.ts';
import { bool, cellNumOrNull, cellText, COLUMNS, json, jsonText, lastByKey, num, text } from './rows.ts';
import type { PgSession } from './session.ts';
import { analyzeIfStale } from './statistics.ts';

function toCore(r: PgRow): CustomerCore {
  return { recordId: text(r, 'record_id'), modifiedAt: num(r, 'modified_at'), signals: json(r, 'signals', signalsSchema), crmValues: json(r, 'crm_values', fieldValuesSchema) };
}

const toDeal = (row: PgRow): StoredDeal => dealFromRow(COLUMNS, row);

/** A link's deal status: one of the three the store writes (a zod parse per link was a tenth of the read), else zod's error. */
function dealStatus(value: string): DealLink['status'] {
  if (value === 'won' || value === 'open' || value === 'lost') return value;
  return dealStatusSchema.parse(value);
}

export class PostgresCrmData implements CrmDataStore {
  private readonly db: PgSession;
  constructor(db: PgSession) {
    this.db = db;
  }

  readonly upsertCustomers = async (installationId: string, customers: CustomerCore[], seenInPull?: string): Promise<void> => {
    // A record twice in one page: the last one stands, as if they were stored one after the other.
    const rows = lastByKey(customers, (c) => c.recordId);
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT INTO customers (installation_id, record_id, modified_at, signals, crm_values, deleted, seen_in_pull, display)
       SELECT $1, u.record_id, u.modified_at, u.signals, u.crm_values, FALSE, $6, u.display
       FROM unnest($2::text[], $3::bigint[], $4::jsonb[], $5::jsonb[], $7::jsonb[]) AS u(record_id, modified_at, signals, crm_values, display)
       ON CONFLICT (installation_id, record_id) DO UPDATE SET modified_at = excluded.modified_at, signals = excluded.signals,
         crm_values = excluded.crm_values, deleted = FALSE, seen_in_pull = COALESCE(excluded.seen_in_pull, customers.seen_in_pull),
         display = excluded.display`,
      [
        installationId,
        rows.map((c) => c.recordId),
        rows.map((c) => c.modifiedAt),
        rows.map((c) => jsonText(c.signals)),
        rows.map((c) => jsonText(c.crmValues)),
        seenInPull ?? null,
        rows.map((c) => (c.display ? jsonText(c.display) : null)),
      ],
    );
  };

  readonly upsertDeals = async (installationId: string, deals: StoredDeal[], seenInPull?: string): Promise<void> => {
    const rows = lastByKey(deals, (d) => d.recordId);
    if (rows.length === 0) return;
    // Finding a page's old links by deal id needs statistics that know deal ids are many: without them
    // (a first pull fills the table from nothing, faster than autovacuum looks, and some servers run
    // without it) the planner scanned every link of the installation for each page — 0.8 s a page at
    // 3 million links (statistics.ts; a catalog lookup when nothing is stale).
    await analyzeIfStale(this.db, ['deal_customers']);
    // Each link carries its deal's status, amount and close day (migration 4) and created day (migration 14),
    // for the plan phase's read.
    const links = rows.flatMap((d) => d.customerIds.map((c) => ({ deal: d, customerId: c })));
    // One statement: the deals, their links no longer there removed, their new links added. The parts see
    // the same snapshot and touch different rows (a kept link is neither deleted nor inserted).
    await this.db.query(
      `WITH upserted AS (
         INSERT INTO deals (installation_id, record_id, status, amount, close_day, modified_at, customer_ids, deleted, seen_in_pull, created_day)
         SELECT $1, u.record_id, u.status, u.amount, u.close_day, u.modified_at, u.customer_ids, FALSE, $8, u.created_day
         FROM unnest($2::text[], $3::text[], $4::float8[], $5::int[], $6::bigint[], $7::jsonb[], $14::int[]) AS u(record_id, status, amount, close_day, modified_at, customer_ids, created_day)
         ON CONFLICT (installation_id, record_id) DO UPDATE SET status = excluded.status, amount = excluded.amount,
           close_day = excluded.close_day, modified_at = excluded.modified_at, customer_ids = excluded.customer_ids, deleted = FALSE,
           seen_in_pull = COALESCE(excluded.seen_in_pull, deals.seen_in_pull), created_day = excluded.created_day
         RETURNING 1
       ), links AS (
         SELECT DISTINCT ON (l.deal_id, l.customer_id) l.deal_id, l.customer_id, l.status, l.amount, l.close_day, l.created_day
         FROM unnest($9::text[], $10::text[], $11::text[], $12::float8[], $13::int[], $15::int[]) AS l(deal_id, customer_id, status, amount, close_day, created_day)
       ), unlinked AS (
         DELETE FROM deal_customers dc WHERE dc.installation_id = $1 AND dc.deal_id = ANY($2::text[])
           AND NOT EXISTS (SELECT 1 FROM links WHERE links.deal_id = dc.deal_id AND links.customer_id = dc.customer_id)
         RETURNING 1
       )
       INSERT INTO deal_customers (installation_id, deal_id, customer_id, status, amount, close_day, deleted, created_day)
       SELECT $1, deal_id, customer_id, status, amount, close_day, FALSE, created_day FROM links
       ON CONFLICT (installation_id, customer_id, deal_id) DO UPDATE SET status = excluded.status, amount = excluded.amount,
         close_day = excluded.close_day, deleted = FALSE, created_day = excluded.created_day`,
      [
        installationId,
        rows.map((d) => d.recordId),
        rows.map((d) => d.status),
        rows.map((d) => d.amount),
        rows.map((d) => d.closeDay),
        rows.map((d) => d.modifiedAt),
        rows.map((d) => jsonText(d.customerIds)),
        seenInPull ?? null,
        links.map((l) => l.deal.recordId),
        links.map((l) => l.customerId),
        links.map((l) => l.deal.status),
        links.map((l) => l.deal.amount),
        links.map((l) => l.deal.closeDay),
        rows.map((d) => d.createdDay ?? null),
        links.map((l) => l.deal.createdDay ?? null),
      ],
    );
  };

  readonly markUnseenDeleted = async (installationId: string, pullId: string): Promise<{ customers: number; deals: number }> => {
    const row = (
      await this.db.query(
        `WITH customers_gone AS (
           UPDATE customers SET deleted = TRUE WHERE installation_id = $1 AND NOT deleted AND (seen_in_pull IS NULL OR seen_in_pull <> $2) RETURNING 1
         ), deals_gone AS (
           UPDATE deals SET deleted = TRUE WHERE installation_id = $1 AND NOT deleted AND (seen_in_pull IS NULL OR seen_in_pull <> $2) RETURNING record_id
         ), links_gone AS (
           UPDATE deal_customers SET deleted = TRUE WHERE installation_id = $1 AND NOT deleted AND deal_id IN (SELECT record_id FROM deals_gone) RETURNING 1
         )
         SELECT (SELECT COUNT(*) FROM customers_gone) AS customers, (SELECT COUNT(*) FROM deals_gone) AS deals, (SELECT COUNT(*) FROM links_gone) AS links`,
        [installationId, pullId],
      )
    ).rows[0];
    return row ? { customers: num(row, 'customers'), deals: num(row, 'deals') } : { customers: 0, deals: 0 };
  };

  readonly markCustomersDeleted = async (installationId: string, recordIds: string[]): Promise<void> => {
    if (recordIds.length === 0) return;
    await this.db.query('UPDATE customers SET deleted = TRUE WHERE installation_id = $1 AND record_id = ANY($2::text[])', [installationId, recordIds]);
  };

  readonly customerPage = async (installationId: string, after: string | null, limit: number): Promise<CustomerCore[]> => {
    if (after === null) await analyzeIfStale(this.db, ['customers']);
    const select = 'SELECT record_id, modified_at, signals, crm_values FROM customers WHERE installation_id = $1 AND NOT deleted';
    const r =
      after === null
        ? await this.db.query(`${select} ORDER BY record_id LIMIT $2`, [installationId, limit])
        : await this.db.query(`${select} AND record_id > $3 ORDER BY record_id LIMIT $2`, [installationId, limit, after]);
    return r.rows.map(toCore);
  };

  // The plan phase's reads (the next three) read every customer and deal link of a nightly run: rows as
  // arrays (queryArrays), a third faster to parse at a million customers.
  readonly customerSignalsPage = async (installationId: string, after: string | null, limit: number): Promise<Pick<CustomerCore, 'recordId' | 'signals'>[]> => {
    return (await this.partPage('signals', installationId, after, limit)).map((r) => ({ recordId: cellText(r, 0, 'record_id'), signals: signalsSchema.parse(r[1]) }));
  };

  readonly customerValuesPage = async (installationId: string, after: string | null, limit: number): Promise<Pick<CustomerCore, 'recordId' | 'crmValues' | 'display'>[]> => {
    return (await this.partPage('crm_values, display', installationId, after, limit)).map((r) => ({
      recordId: cellText(r, 0, 'record_id'),
      crmValues: fieldValuesSchema.parse(r[1]),
      ...displayOf(r[2]),
    }));
  };

  private async partPage(column: 'signals' | 'crm_values, display', installationId: string, after: string | null, limit: number): Promise<unknown[][]> {
    if (after === null) await analyzeIfStale(this.db, ['customers']);
    const select = `SELECT record_id, ${column} FROM customers WHERE installation_id = $1 AND NOT deleted`;
    return after === null
      ? await this.db.queryArrays(`${select} ORDER BY record_id LIMIT $2`, [installationId, limit])
      : await this.db.queryArrays(`${select} AND record_id > $3 ORDER BY record_id LIMIT $2`, [installationId, limit, after]);
  }

  readonly dealLinkPage = async (installationId: string, after: { customerId: string; dealId: string } | null, limit: number): Promise<DealLink[]> => {
    if (after === null) await analyzeIfStale(this.db, ['deal_customers']);
    // The links carry their deal's fields: one range of the key, no lookup into deals (a tenth of the time).
    const select = 'SELECT customer_id, deal_id, status, amount, close_day, created_day FROM deal_customers WHERE installation_id = $1 AND NOT deleted';
    const rows =
      after === null
        ? await this.db.queryArrays(`${select} ORDER BY customer_id, deal_id LIMIT $2`, [installationId, limit])
        : await this.db.queryArrays(`${select} AND (customer_id, deal_id) > ($3, $4) ORDER BY customer_id, deal_id LIMIT $2`, [installationId, limit, after.customerId, after.dealId]);
    return rows.map((row) => ({
      customerId: cellText(row, 0, 'customer_id'),
      dealId: cellText(row, 1, 'deal_id'),
      status: dealStatus(cellText(row, 2, 'status')),
      amount: cellNumOrNull(row, 3, 'amount'),
      closeDay: cellNumOrNull(row, 4, 'close_day'),
      createdDay: cellNumOrNull(row, 5, 'created_day'),
    }));
  };

  readonly countCustomers = async (installationId: string): Promise<number> => {
    const row = (await this.db.query('SELECT COUNT(*) AS n FROM customers WHERE installation_id = $1 AND NOT deleted', [installationId])).rows[0];
    return row ? num(row, 'n') : 0;
  };

  readonly getCustomer = async (installationId: string, recordId: string): Promise<StoredCustomer | null> => {
    const row = (await this.db.query('SELECT * FROM customers WHERE installation_id = $1 AND record_id = $2', [installationId, recordId])).rows[0];
    if (!row) return null;
    // The page that starts at or before the customer, if it reaches it (scorePages.ts).
    const page = (
      await this.db.query(
        `SELECT scores FROM (SELECT last_record_id, scores FROM score_pages WHERE installation_id = $1 AND first_record_id <= $2
         ORDER BY first_record_id DESC LIMIT 1) AS p WHERE last_record_id >= $2`,
        [installationId, recordId],
      )
    ).rows[0];
    return { ...toCore(row), deleted: bool(row, 'deleted'), scores: page ? scoresInPage(page.scores, recordId) : null, ...displayOf(row.display) };
  };

  readonly customersOfDeals = async (installationId: string, dealIds: readonly string[]): Promise<string[]> => {
    if (dealIds.length === 0) return [];
    const r = await this.db.query(
      'SELECT DISTINCT customer_id COLLATE "C" AS customer_id FROM deal_customers WHERE installation_id = $1 AND deal_id = ANY($2::text[]) ORDER BY 1',
      [installationId, [...dealIds]],
    );
    return r.rows.map((row) => String(row.customer_id));
  };

  readonly dealsOf = async (installationId: string, recordId: string): Promise<StoredDeal[]> => {
    const r = await this.db.query(
      `SELECT d.* FROM deal_customers dc JOIN deals d ON d.installation_id = dc.installation_id AND d.record_id = dc.deal_id
       WHERE dc.installation_id = $1 AND dc.customer_id = $2 AND NOT d.deleted ORDER BY d.close_day NULLS FIRST, d.record_id`,
      [installationId, recordId],
    );
    return r.rows.map(toDeal);
  };

  readonly setCrmValues = async (installationId: string, updates: { recordId: string; values: FieldValues; modifiedAt: number | null }[]): Promise<void> => {
    // Several updates of one record merge in order, as if applied one after the other.
    const merged = new Map<string, { values: FieldValues; modifiedAt: number | null }>();
    for (const u of updates) {
      const before = merged.get(u.recordId);
      merged.set(u.recordId, before ? { values: { ...before.values, ...u.values }, modifiedAt: u.modifiedAt ?? before.modifiedAt } : { values: u.values, modifiedAt: u.modifiedAt });
    }
    if (merged.size === 0) return;
    const ids = [...merged.keys()];
    const rows = [...merged.values()];
    await this.db.query(
      `UPDATE customers c SET crm_values = c.crm_values || u.crm_values, modified_at = COALESCE(u.modified_at, c.modified_at)
       FROM unnest($2::text[], $3::jsonb[], $4::bigint[]) AS u(record_id, crm_values, modified_at)
       WHERE c.installation_id = $1 AND c.record_id = u.record_id`,
      [installationId, ids, rows.map((u) => jsonText(u.values)), rows.map((u) => u.modifiedAt)],
    );
  };

  readonly saveScores = async (installationId: string, span: ScoreSpan, scores: ScorePage): Promise<void> => {
    const page = scores.encode();
    // Two statements, in order: a new page may start where a dropped one did (the same key).
    await this.db.atomic(async (q) => {
      await q.query('DELETE FROM score_pages WHERE installation_id = $1 AND ($2::text IS NULL OR last_record_id > $2) AND ($3::text IS NULL OR first_record_id <= $3)', [
        installationId,
        span.after,
        span.through,
      ]);
      if (page) await q.query('INSERT INTO score_pages (installation_id, first_record_id, last_record_id, scores) VALUES ($1, $2, $3, $4::json)', [installationId, page.firstRecordId, page.lastRecordId, page.json]);
    });
  };

  readonly patchScores = async (installationId: string, scores: { recordId: string; scores: StoredScores }[]): Promise<void> => {
    if (scores.length === 0) return;
    await this.db.atomic(async (q) => {
      // The customers by the page that reaches them (a key of its own for none: each gets a page of its own).
      const byPage = new Map<string, { stored: unknown; first: string | null; updates: Map<string, StoredScores> }>();
      for (const s of scores) {
        const row = (
          await q.query(
            `SELECT first_record_id, scores FROM (SELECT first_record_id, last_record_id, scores FROM score_pages WHERE installation_id = $1 AND first_record_id <= $2
             ORDER BY first_record_id DESC LIMIT 1 FOR UPDATE) AS p WHERE last_record_id >= $2`,
            [installationId, s.recordId],
          )
        ).rows[0];
        const first = row ? text(row, 'first_record_id') : null;
        const key = first ?? `\u0000${s.recordId}`;
        const entry = byPage.get(key) ?? { stored: row ? row.scores : { ids: [], scores: [] }, first, updates: new Map<string, StoredScores>() };
        entry.updates.set(s.recordId, s.scores);
        byPage.set(key, entry);
      }
      for (const { stored, first, updates } of byPage.values()) {
        const page = patchedScorePage(stored, updates).encode();
        if (first !== null) await q.query('DELETE FROM score_pages WHERE installation_id = $1 AND first_record_id = $2', [installationId, first]);
        if (page) await q.query('INSERT INTO score_pages (installation_id, first_record_id, last_record_id, scores) VALUES ($1, $2, $3, $4::json)', [installationId, page.firstRecordId, page.lastRecordId, page.json]);
      }
    });
  };
}
