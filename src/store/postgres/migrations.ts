/**
 * Schema versions of the Postgres store, applied in order by `migrate.ts`, each once, in one
 * transaction. Version 1 is the SQLite store's schema as of its version 3, in Postgres types: epoch
 * milliseconds BIGINT, amounts DOUBLE PRECISION, the credential payload and the salt BYTEA, JSON columns
 * JSONB, flags BOOLEAN. Where SQLite orders by its implicit rowid (runs of the same millisecond, a run's
 * errors, a plan's changes within a record), a `seq` column keeps insertion order.
 *
 * Identifiers and keys are TEXT COLLATE "C": compared and ordered by their bytes, as SQLite orders them
 * (a database's own collation, en_US say, would page customers in another order than SQLite, and more
 * slowly).
 *
 * Every table of one installation's data has `installation_id` leading its primary key or an index, so
 * one installation's state can be read, copied or moved (distributed by it, later) without a scan of the
 * others'. The run-scoped tables (run_errors, planned_changes) carry it too, from their run's row.
 */
export interface PostgresMigration {
  version: number;
  sql: string;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE meta (key TEXT COLLATE "C" PRIMARY KEY, value BYTEA NOT NULL);

      CREATE TABLE installations (
        id TEXT COLLATE "C" PRIMARY KEY, crm TEXT NOT NULL, name TEXT NOT NULL,
        created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
      CREATE TABLE credentials (
        installation_id TEXT COLLATE "C" PRIMARY KEY REFERENCES installations (id) ON DELETE CASCADE,
        payload BYTEA NOT NULL, updated_at BIGINT NOT NULL);

      CREATE TABLE locks (installation_id TEXT COLLATE "C" PRIMARY KEY, owner TEXT NOT NULL, expires_at BIGINT NOT NULL);

      CREATE TABLE runs (
        id TEXT COLLATE "C" PRIMARY KEY, seq BIGSERIAL NOT NULL, installation_id TEXT COLLATE "C" NOT NULL, kind TEXT NOT NULL,
        mode TEXT, status TEXT NOT NULL, as_of TEXT NOT NULL, started_at BIGINT NOT NULL, finished_at BIGINT,
        heartbeat_at BIGINT NOT NULL, stats JSONB NOT NULL, message TEXT, rollback_of TEXT, scored_at BIGINT,
        owner TEXT);
      -- listRuns: newest first, ties in creation order.
      CREATE INDEX runs_by_installation ON runs (installation_id, started_at DESC, seq DESC);
      -- markRunsInterrupted looks for running runs only: a small partial index, whatever the history.
      CREATE INDEX runs_running ON runs (installation_id) WHERE status = 'running';

      CREATE TABLE run_errors (
        installation_id TEXT COLLATE "C" NOT NULL, run_id TEXT COLLATE "C" NOT NULL, seq BIGSERIAL NOT NULL,
        record_id TEXT COLLATE "C", phase TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, at BIGINT NOT NULL,
        PRIMARY KEY (installation_id, run_id, seq));
      -- listRunErrors reads a run's errors in insertion order, by run alone.
      CREATE INDEX run_errors_by_run ON run_errors (run_id, seq);

      CREATE TABLE customers (
        installation_id TEXT COLLATE "C" NOT NULL, record_id TEXT COLLATE "C" NOT NULL, modified_at BIGINT NOT NULL,
        signals JSONB NOT NULL, crm_values JSONB NOT NULL, deleted BOOLEAN NOT NULL DEFAULT FALSE,
        scores JSONB, seen_in_pull TEXT,
        PRIMARY KEY (installation_id, record_id));

      CREATE TABLE deals (
        installation_id TEXT COLLATE "C" NOT NULL, record_id TEXT COLLATE "C" NOT NULL, status TEXT NOT NULL,
        amount DOUBLE PRECISION, close_day INTEGER, modified_at BIGINT NOT NULL, customer_ids JSONB NOT NULL,
        deleted BOOLEAN NOT NULL DEFAULT FALSE, seen_in_pull TEXT,
        PRIMARY KEY (installation_id, record_id));
      -- dealsOf and dealLinkPage read by customer (the key); re-linking a deal deletes by deal (this index).
      CREATE TABLE deal_customers (
        installation_id TEXT COLLATE "C" NOT NULL, deal_id TEXT COLLATE "C" NOT NULL, customer_id TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (installation_id, customer_id, deal_id));
      CREATE INDEX deal_customers_by_deal ON deal_customers (installation_id, deal_id);

      CREATE TABLE audit (
        id BIGSERIAL PRIMARY KEY, run_id TEXT COLLATE "C" NOT NULL, installation_id TEXT COLLATE "C" NOT NULL,
        record_id TEXT COLLATE "C" NOT NULL, field TEXT NOT NULL, previous_value TEXT, new_value TEXT,
        state TEXT NOT NULL, at BIGINT NOT NULL);
      -- A run's audit is read a record at a time (rollback), its counts by state (interrupted runs).
      CREATE INDEX audit_by_run ON audit (run_id, record_id, id);
      CREATE INDEX audit_by_record ON audit (installation_id, record_id, id);
      -- supersedePendingAudit: only the pending entries of an installation, never its whole history.
      CREATE INDEX audit_pending ON audit (installation_id, run_id) WHERE state = 'pending';

      -- A run's plan, read by record in (priority, record_seq) order: retries, stage moves, the rest; in
      -- insertion order within a record. Runs' ids are unique, so the plan is found by run.
      CREATE TABLE planned_changes (
        installation_id TEXT COLLATE "C" NOT NULL, run_id TEXT COLLATE "C" NOT NULL, priority INTEGER NOT NULL,
        record_seq INTEGER NOT NULL, seq BIGSERIAL NOT NULL, record_id TEXT COLLATE "C" NOT NULL, field TEXT NOT NULL,
        previous_value TEXT, new_value TEXT,
        PRIMARY KEY (run_id, priority, record_seq, seq));
      CREATE INDEX planned_by_installation ON planned_changes (installation_id, run_id);
      CREATE INDEX planned_by_field ON planned_changes (run_id, field, priority, record_seq, seq);

      CREATE TABLE retry_queue (
        installation_id TEXT COLLATE "C" NOT NULL, record_id TEXT COLLATE "C" NOT NULL, reason TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        PRIMARY KEY (installation_id, record_id));

      CREATE TABLE model_fits (
        installation_id TEXT COLLATE "C" NOT NULL, id BIGSERIAL NOT NULL, run_id TEXT COLLATE "C" NOT NULL,
        at BIGINT NOT NULL, fit JSONB NOT NULL,
        PRIMARY KEY (installation_id, id));

      CREATE TABLE cursors (
        installation_id TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C" NOT NULL, value JSONB NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (installation_id, name));

      CREATE TABLE request_usage (
        installation_id TEXT COLLATE "C" NOT NULL, day TEXT COLLATE "C" NOT NULL, requests BIGINT NOT NULL,
        PRIMARY KEY (installation_id, day));
    `,
  },
  {
    // As the SQLite store's version 5: scores, rewritten every run, apart from the customers' CRM data
    // (an UPDATE writes a whole new row version: the customers table would double nightly until vacuumed).
    version: 2,
    sql: `
      CREATE TABLE customer_scores (
        installation_id TEXT COLLATE "C" NOT NULL, record_id TEXT COLLATE "C" NOT NULL, scores JSONB NOT NULL,
        PRIMARY KEY (installation_id, record_id));
      INSERT INTO customer_scores (installation_id, record_id, scores)
        SELECT installation_id, record_id, scores FROM customers WHERE scores IS NOT NULL;
      ALTER TABLE customers DROP COLUMN scores;
    `,
  },
  {
    // As the SQLite store's version 6: a page of scores per row. JSON, not JSONB: the page is stored and
    // read whole, never queried inside, so the server keeps the text as it comes.
    version: 3,
    sql: `
      CREATE TABLE score_pages (
        installation_id TEXT COLLATE "C" NOT NULL, first_record_id TEXT COLLATE "C" NOT NULL,
        last_record_id TEXT COLLATE "C" NOT NULL, scores JSON NOT NULL,
        PRIMARY KEY (installation_id, first_record_id));
      -- Not compressed: a page is written every night and read rarely; compressing it cost the server
      -- more time than the rest of the write.
      ALTER TABLE score_pages ALTER COLUMN scores SET STORAGE EXTERNAL;
      INSERT INTO score_pages (installation_id, first_record_id, last_record_id, scores)
        SELECT installation_id, MIN(record_id), MAX(record_id),
          json_build_object('ids', json_agg(record_id ORDER BY record_id), 'scores', json_agg(scores ORDER BY record_id))
        FROM (SELECT installation_id, record_id, scores,
                (row_number() OVER (PARTITION BY installation_id ORDER BY record_id) - 1) / 2000 AS page
              FROM customer_scores) AS numbered
        GROUP BY installation_id, page;
      DROP TABLE customer_scores;
    `,
  },
  {
    // As the SQLite store's version 7: the deal's status, amount, close day and deletion on each link.
    version: 4,
    sql: `
      ALTER TABLE deal_customers ADD COLUMN status TEXT, ADD COLUMN amount DOUBLE PRECISION, ADD COLUMN close_day INTEGER,
        ADD COLUMN deleted BOOLEAN NOT NULL DEFAULT FALSE;
      UPDATE deal_customers dc SET status = d.status, amount = d.amount, close_day = d.close_day, deleted = d.deleted
        FROM deals d WHERE d.installation_id = dc.installation_id AND d.record_id = dc.deal_id;
      DELETE FROM deal_customers WHERE status IS NULL;
      ALTER TABLE deal_customers ALTER COLUMN status SET NOT NULL;
    `,
  },
  {
    // As the SQLite store's version 8: the installation's CRM account, status, own settings and account variables.
    version: 5,
    sql: `
      ALTER TABLE installations ADD COLUMN account_id TEXT COLLATE "C", ADD COLUMN status TEXT NOT NULL DEFAULT 'active',
        ADD COLUMN settings JSONB NOT NULL DEFAULT '{}';
      CREATE UNIQUE INDEX installations_by_account ON installations (crm, account_id) WHERE account_id IS NOT NULL;
      CREATE TABLE account_env (
        installation_id TEXT COLLATE "C" PRIMARY KEY REFERENCES installations (id) ON DELETE CASCADE,
        payload BYTEA NOT NULL, updated_at BIGINT NOT NULL);
    `,
  },
  {
    // As the SQLite store's version 9: alerts sent once per occasion, one row per (installation, key).
    version: 6,
    sql: `
      CREATE TABLE alerts_sent (
        installation_id TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL, sent_at BIGINT NOT NULL,
        PRIMARY KEY (installation_id, key));
    `,
  },
  {
    // As the SQLite store's version 10: who a customer is, for the page.
    version: 7,
    sql: `ALTER TABLE customers ADD COLUMN display JSONB;`,
  },
  {
    // As the SQLite store's version 11: the customer list, each customer's latest scores as columns; a
    // row is rewritten only when what it shows changed. Sorts put customers without the figure last
    // either way; the indexes serve the largest first, ties by record id.
    version: 8,
    sql: `
      CREATE TABLE customer_list (
        installation_id TEXT COLLATE "C" NOT NULL, record_id TEXT COLLATE "C" NOT NULL, name TEXT, email TEXT, company TEXT,
        search_text TEXT NOT NULL, stage TEXT COLLATE "C", churn_band TEXT COLLATE "C", value_tier TEXT COLLATE "C",
        clv DOUBLE PRECISION, churn_risk DOUBLE PRECISION, ltv DOUBLE PRECISION, changed_in_run TEXT COLLATE "C",
        PRIMARY KEY (installation_id, record_id));
      CREATE TABLE customer_list_runs (installation_id TEXT COLLATE "C" PRIMARY KEY, run_id TEXT COLLATE "C" NOT NULL);
      CREATE INDEX customer_list_by_clv ON customer_list (installation_id, clv DESC NULLS LAST, record_id);
      CREATE INDEX customer_list_by_churn ON customer_list (installation_id, churn_risk DESC NULLS LAST, record_id);
      CREATE INDEX customer_list_by_ltv ON customer_list (installation_id, ltv DESC NULLS LAST, record_id);
      CREATE INDEX customer_list_by_stage ON customer_list (installation_id, stage, clv DESC NULLS LAST, record_id);
      CREATE INDEX customer_list_by_band ON customer_list (installation_id, churn_band);
      CREATE INDEX customer_list_by_tier ON customer_list (installation_id, value_tier);
      CREATE INDEX customer_list_changed ON customer_list (installation_id) WHERE changed_in_run IS NOT NULL;
    `,
  },
  {
    // As the SQLite store's version 12: each scored run's stage per customer, a page a row (stagePages.ts);
    // rollbacks found by the run they undo (a run's writes say which values a rollback restored).
    version: 9,
    sql: `
      CREATE TABLE stage_pages (
        run_id TEXT COLLATE "C" NOT NULL, installation_id TEXT COLLATE "C" NOT NULL, first_record_id TEXT COLLATE "C" NOT NULL,
        last_record_id TEXT COLLATE "C" NOT NULL, customers INTEGER NOT NULL, ids BYTEA NOT NULL, stages TEXT NOT NULL,
        codes BYTEA NOT NULL, last BOOLEAN NOT NULL,
        PRIMARY KEY (run_id, first_record_id));
      -- Already compressed (ids) or tiny (codes): not worth the server's compression.
      ALTER TABLE stage_pages ALTER COLUMN ids SET STORAGE EXTERNAL;
      CREATE INDEX stage_pages_by_installation ON stage_pages (installation_id, run_id);
      CREATE INDEX runs_by_rollback_of ON runs (rollback_of) WHERE rollback_of IS NOT NULL;
    `,
  },
  {
    // As the SQLite store's version 13: the log of every change of an installation's settings.
    version: 10,
    sql: `
      CREATE TABLE settings_changes (
        id BIGSERIAL PRIMARY KEY, installation_id TEXT COLLATE "C" NOT NULL, at BIGINT NOT NULL,
        actor TEXT NOT NULL, key TEXT NOT NULL, before_value JSONB NOT NULL, after_value JSONB NOT NULL);
      CREATE INDEX settings_changes_by_installation ON settings_changes (installation_id, id);
    `,
  },
  {
    // As the SQLite store's version 14: webhooks' seen keys (hashed) and pending work per installation.
    version: 11,
    sql: `
      CREATE TABLE webhook_seen (key TEXT COLLATE "C" PRIMARY KEY, at BIGINT NOT NULL, expires_at BIGINT NOT NULL);
      CREATE INDEX webhook_seen_by_expiry ON webhook_seen (expires_at);
      CREATE TABLE webhook_work (
        installation_id TEXT COLLATE "C" NOT NULL, object TEXT NOT NULL, record_id TEXT COLLATE "C" NOT NULL, action TEXT NOT NULL,
        occurred_at BIGINT NOT NULL, version INTEGER NOT NULL, updated_at BIGINT NOT NULL,
        PRIMARY KEY (installation_id, object, record_id));
      CREATE INDEX webhook_work_by_age ON webhook_work (installation_id, updated_at);
    `,
  },
  {
    // As the SQLite store's version 15: the open-deal pipeline, each open deal's scores per installation.
    version: 12,
    sql: `
      CREATE TABLE open_deals (
        installation_id TEXT COLLATE "C" NOT NULL, deal_id TEXT COLLATE "C" NOT NULL, name TEXT, stage TEXT, amount DOUBLE PRECISION,
        meddic_score DOUBLE PRECISION NOT NULL, win_probability DOUBLE PRECISION NOT NULL, biggest_gap TEXT, next_action TEXT NOT NULL,
        basis TEXT NOT NULL, scored_at BIGINT NOT NULL, run_id TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (installation_id, deal_id));
      CREATE INDEX open_deals_by_win ON open_deals (installation_id, win_probability DESC NULLS LAST, deal_id);
      CREATE INDEX open_deals_by_meddic ON open_deals (installation_id, meddic_score DESC NULLS LAST, deal_id);
      CREATE INDEX open_deals_by_amount ON open_deals (installation_id, amount DESC NULLS LAST, deal_id);
    `,
  },
  {
    // As the SQLite store's version 16: the customers' engagement readings (the conversion model's), and the list's conversion likelihood column.
    version: 13,
    sql: `
      CREATE TABLE engagement_readings (
        installation_id TEXT COLLATE "C" NOT NULL, record_id TEXT COLLATE "C" NOT NULL, seen_day INTEGER NOT NULL, last_engagement_day INTEGER,
        PRIMARY KEY (installation_id, record_id, seen_day));
      ALTER TABLE customer_list ADD COLUMN conversion_likelihood DOUBLE PRECISION;
      CREATE INDEX customer_list_by_conversion ON customer_list (installation_id, conversion_likelihood DESC, record_id);
    `,
  },
  {
    // As the SQLite store's version 17: a deal's created day, on the deal and on its links.
    version: 14,
    sql: `
      ALTER TABLE deals ADD COLUMN created_day INTEGER;
      ALTER TABLE deal_customers ADD COLUMN created_day INTEGER;
    `,
  },
];

/** The newest schema version this program knows. */
export const POSTGRES_SCHEMA_VERSION = Math.max(...POSTGRES_MIGRATIONS.map((m) => m.version));
