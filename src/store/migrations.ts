/** Schema migrations of the SQLite store, applied in order; each runs once, in a transaction. */
export const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
      CREATE TABLE installations (
        id TEXT PRIMARY KEY, crm TEXT NOT NULL, name TEXT NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE credentials (
        installation_id TEXT PRIMARY KEY REFERENCES installations(id) ON DELETE CASCADE,
        payload BLOB NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE locks (installation_id TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL);
      CREATE TABLE runs (
        id TEXT PRIMARY KEY, installation_id TEXT NOT NULL, kind TEXT NOT NULL, mode TEXT, status TEXT NOT NULL,
        as_of TEXT NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER, heartbeat_at INTEGER NOT NULL,
        stats TEXT NOT NULL, message TEXT, rollback_of TEXT, scored_at INTEGER);
      CREATE INDEX runs_by_installation ON runs (installation_id, started_at);
      CREATE TABLE run_errors (
        run_id TEXT NOT NULL, record_id TEXT, phase TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE INDEX run_errors_by_run ON run_errors (run_id);
      CREATE TABLE customers (
        installation_id TEXT NOT NULL, record_id TEXT NOT NULL, modified_at INTEGER NOT NULL,
        signals TEXT NOT NULL, crm_values TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
        scores TEXT, seen_in_pull TEXT,
        PRIMARY KEY (installation_id, record_id));
      CREATE TABLE deals (
        installation_id TEXT NOT NULL, record_id TEXT NOT NULL, status TEXT NOT NULL, amount REAL, close_day INTEGER,
        modified_at INTEGER NOT NULL, customer_ids TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, seen_in_pull TEXT,
        PRIMARY KEY (installation_id, record_id));
      CREATE TABLE deal_customers (
        installation_id TEXT NOT NULL, deal_id TEXT NOT NULL, customer_id TEXT NOT NULL,
        PRIMARY KEY (installation_id, customer_id, deal_id));
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, installation_id TEXT NOT NULL,
        record_id TEXT NOT NULL, field TEXT NOT NULL, previous_value TEXT, new_value TEXT,
        state TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE INDEX audit_by_run ON audit (run_id);
      CREATE INDEX audit_by_record ON audit (installation_id, record_id);
      CREATE TABLE planned_changes (
        run_id TEXT NOT NULL, record_id TEXT NOT NULL, field TEXT NOT NULL, previous_value TEXT, new_value TEXT);
      CREATE INDEX planned_by_run ON planned_changes (run_id);
      CREATE TABLE retry_queue (
        installation_id TEXT NOT NULL, record_id TEXT NOT NULL, reason TEXT NOT NULL, attempts INTEGER NOT NULL,
        PRIMARY KEY (installation_id, record_id));
      CREATE TABLE model_fits (
        id INTEGER PRIMARY KEY AUTOINCREMENT, installation_id TEXT NOT NULL, run_id TEXT NOT NULL, at INTEGER NOT NULL,
        fit TEXT NOT NULL);
      CREATE TABLE cursors (
        installation_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, updated_at INTEGER NOT NULL,
        PRIMARY KEY (installation_id, name));
      CREATE TABLE request_usage (
        installation_id TEXT NOT NULL, day TEXT NOT NULL, requests INTEGER NOT NULL,
        PRIMARY KEY (installation_id, day));
    `,
  },
  {
    // Re-linking a deal's customers deletes by deal: without this index every deal upsert scanned the table.
    version: 2,
    sql: `CREATE INDEX deal_customers_by_deal ON deal_customers (installation_id, deal_id);`,
  },
  {
    // Runs record the lease owner that holds them, so a restart can tell a live run from one whose process
    // is gone. A dry run's plan is paged by record (stage moves first) without loading or sorting it whole.
    version: 3,
    sql: `
      ALTER TABLE runs ADD COLUMN owner TEXT;
      ALTER TABLE planned_changes ADD COLUMN record_seq INTEGER;
      UPDATE planned_changes SET record_seq = s.seq FROM (
        SELECT run_id, record_id, ROW_NUMBER() OVER (PARTITION BY run_id ORDER BY has_stage DESC, first_row) - 1 AS seq
        FROM (SELECT run_id, record_id, MAX(field = 'stage') AS has_stage, MIN(rowid) AS first_row FROM planned_changes GROUP BY run_id, record_id)
      ) AS s
      WHERE planned_changes.run_id = s.run_id AND planned_changes.record_id = s.record_id;
      DROP INDEX planned_by_run;
      CREATE INDEX planned_by_run_seq ON planned_changes (run_id, record_seq);
      CREATE INDEX planned_by_run_field ON planned_changes (run_id, field, record_seq);
    `,
  },
  {
    // Plans are read in pages by (priority, record): retries first, then stage moves, then the rest; the
    // write phase reads real runs' plans the same way, so no run holds its changes in memory. A run's
    // audit is read a record at a time (rollback), not whole.
    version: 4,
    sql: `
      ALTER TABLE planned_changes ADD COLUMN priority INTEGER NOT NULL DEFAULT 2;
      DROP INDEX planned_by_run_seq;
      DROP INDEX planned_by_run_field;
      CREATE INDEX planned_by_run_key ON planned_changes (run_id, priority, record_seq);
      CREATE INDEX planned_by_run_field ON planned_changes (run_id, field, priority, record_seq);
      CREATE INDEX audit_by_run_record ON audit (run_id, record_id, id);
      DROP INDEX audit_by_run;
    `,
  },
  {
    // Scores are rewritten for every customer on every run, the CRM data rarely: in a table of their own,
    // a run rewrites only the scores, not whole customer rows (on Postgres each rewrite is a new row
    // version), and the reads of customers stay narrow.
    version: 5,
    sql: `
      CREATE TABLE customer_scores (
        installation_id TEXT NOT NULL, record_id TEXT NOT NULL, scores TEXT NOT NULL,
        PRIMARY KEY (installation_id, record_id));
      INSERT INTO customer_scores (installation_id, record_id, scores)
        SELECT installation_id, record_id, scores FROM customers WHERE scores IS NOT NULL;
      ALTER TABLE customers DROP COLUMN scores;
    `,
  },
  {
    // A page of scores per row, not a row per customer (scorePages.ts): a nightly run rescores everyone,
    // and a million row writes were most of its time. The stored scores move into pages of 2,000.
    version: 6,
    sql: `
      CREATE TABLE score_pages (
        installation_id TEXT NOT NULL, first_record_id TEXT NOT NULL, last_record_id TEXT NOT NULL, scores TEXT NOT NULL,
        PRIMARY KEY (installation_id, first_record_id));
      INSERT INTO score_pages (installation_id, first_record_id, last_record_id, scores)
        SELECT installation_id, MIN(record_id), MAX(record_id), json_object('ids', json_group_array(record_id), 'scores', json_group_array(json(scores)))
        FROM (SELECT installation_id, record_id, scores,
                (row_number() OVER (PARTITION BY installation_id ORDER BY record_id) - 1) / 2000 AS page
              FROM customer_scores)
        GROUP BY installation_id, page;
      DROP TABLE customer_scores;
    `,
  },
  {
    // The plan phase reads every (customer, deal) link in customer order with the deal's status, amount and
    // close day: a copy of those on the link, so the read is one index range, not a lookup into deals for
    // every link (ten times faster). upsertDeals and markUnseenDeleted keep the copy.
    version: 7,
    sql: `
      CREATE TABLE deal_links (
        installation_id TEXT NOT NULL, deal_id TEXT NOT NULL, customer_id TEXT NOT NULL,
        status TEXT NOT NULL, amount REAL, close_day INTEGER, deleted INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (installation_id, customer_id, deal_id));
      INSERT INTO deal_links (installation_id, deal_id, customer_id, status, amount, close_day, deleted)
        SELECT dc.installation_id, dc.deal_id, dc.customer_id, d.status, d.amount, d.close_day, d.deleted
        FROM deal_customers dc JOIN deals d ON d.installation_id = dc.installation_id AND d.record_id = dc.deal_id;
      DROP TABLE deal_customers;
      ALTER TABLE deal_links RENAME TO deal_customers;
      CREATE INDEX deal_customers_by_deal ON deal_customers (installation_id, deal_id);
    `,
  },
  {
    // Many installations (the tenant): the CRM account it is (HubSpot portal, Salesforce org; one
    // installation per account), whether it runs, its own settings over the configuration file, and the
    // account's variables (token, API base URL) captured by \`installations add\`, encrypted like credentials.
    version: 8,
    sql: `
      ALTER TABLE installations ADD COLUMN account_id TEXT;
      ALTER TABLE installations ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
      ALTER TABLE installations ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
      CREATE UNIQUE INDEX installations_by_account ON installations (crm, account_id) WHERE account_id IS NOT NULL;
      CREATE TABLE account_env (
        installation_id TEXT PRIMARY KEY REFERENCES installations(id) ON DELETE CASCADE,
        payload BLOB NOT NULL, updated_at INTEGER NOT NULL);
    `,
  },
  {
    // The alerts sent once per occasion (src/alerts: "no successful run for N hours" once per stretch),
    // keyed so a second process finds the first one's row instead of sending it again.
    version: 9,
    sql: `
      CREATE TABLE alerts_sent (
        installation_id TEXT NOT NULL, key TEXT NOT NULL, sent_at INTEGER NOT NULL,
        PRIMARY KEY (installation_id, key));
    `,
  },
  {
    // Who a customer is (name, e-mail, company as the CRM shows them), for people reading the page; JSON, null when the CRM has none.
    version: 10,
    sql: `ALTER TABLE customers ADD COLUMN display TEXT;`,
  },
  {
    // The customer list (customerList.ts): each customer's latest scores as columns, to search, filter,
    // sort and page; written with the score pages, a row only when what it shows changed. The indexes serve the list's sorts (largest first,
    // ties by record id) and its filters by stage, band, tier and change.
    version: 11,
    sql: `
      CREATE TABLE customer_list (
        installation_id TEXT NOT NULL, record_id TEXT NOT NULL, name TEXT, email TEXT, company TEXT,
        search_text TEXT NOT NULL, stage TEXT, churn_band TEXT, value_tier TEXT, clv REAL, churn_risk REAL, ltv REAL,
        changed_in_run TEXT,
        PRIMARY KEY (installation_id, record_id));
      -- The run that last wrote the installation's list: "changed in the last run" is changed_in_run = it,
      -- so a customer whose row is as it was is not rewritten each night (nor are its indexes).
      CREATE TABLE customer_list_runs (installation_id TEXT PRIMARY KEY, run_id TEXT NOT NULL);
      CREATE INDEX customer_list_by_clv ON customer_list (installation_id, clv DESC, record_id);
      CREATE INDEX customer_list_by_churn ON customer_list (installation_id, churn_risk DESC, record_id);
      CREATE INDEX customer_list_by_ltv ON customer_list (installation_id, ltv DESC, record_id);
      CREATE INDEX customer_list_by_stage ON customer_list (installation_id, stage, clv DESC, record_id);
      CREATE INDEX customer_list_by_band ON customer_list (installation_id, churn_band);
      CREATE INDEX customer_list_by_tier ON customer_list (installation_id, value_tier);
      CREATE INDEX customer_list_changed ON customer_list (installation_id) WHERE changed_in_run IS NOT NULL;
    `,
  },
  {
    // Each scored run's stage per customer, a page of customers a row (stagePages.ts), for the flow
    // between any two runs; the newest sync.stageHistoryRuns runs' are kept. A run's written records are
    // read by record with their rollback's entries (audit_by_run_record serves both).
    version: 12,
    sql: `
      CREATE TABLE stage_pages (
        run_id TEXT NOT NULL, installation_id TEXT NOT NULL, first_record_id TEXT NOT NULL, last_record_id TEXT NOT NULL,
        customers INTEGER NOT NULL, ids BLOB NOT NULL, stages TEXT NOT NULL, codes BLOB NOT NULL, last INTEGER NOT NULL,
        PRIMARY KEY (run_id, first_record_id));
      CREATE INDEX stage_pages_by_installation ON stage_pages (installation_id, run_id);
      CREATE INDEX runs_by_rollback_of ON runs (rollback_of) WHERE rollback_of IS NOT NULL;
    `,
  },
  {
    // Every change of an installation's settings (the page's settings view): when, who, which setting, the
    // values before and after as JSON; read newest first per installation.
    version: 13,
    sql: `
      CREATE TABLE settings_changes (
        id INTEGER PRIMARY KEY AUTOINCREMENT, installation_id TEXT NOT NULL, at INTEGER NOT NULL,
        actor TEXT NOT NULL, key TEXT NOT NULL, before_value TEXT NOT NULL, after_value TEXT NOT NULL);
      CREATE INDEX settings_changes_by_installation ON settings_changes (installation_id, id);
    `,
  },
  {
    // HubSpot webhooks (src/webhooks/): what arrived is remembered for a while by a hash of its key (a
    // request's signature against replays, an event's id against duplicates, a deleted contact's
    // tombstone against late events), and the work pending per installation is one row per object.
    version: 14,
    sql: `
      CREATE TABLE webhook_seen (key TEXT PRIMARY KEY, at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
      CREATE INDEX webhook_seen_by_expiry ON webhook_seen (expires_at);
      CREATE TABLE webhook_work (
        installation_id TEXT NOT NULL, object TEXT NOT NULL, record_id TEXT NOT NULL, action TEXT NOT NULL,
        occurred_at INTEGER NOT NULL, version INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        PRIMARY KEY (installation_id, object, record_id));
      CREATE INDEX webhook_work_by_age ON webhook_work (installation_id, updated_at);
    `,
  },
  {
    // The open-deal pipeline (openDeals.ts): each open deal's scores as the last real sync with deal
    // scoring made them, replaced as a set per installation; the indexes serve the list's sorts.
    version: 15,
    sql: `
      CREATE TABLE open_deals (
        installation_id TEXT NOT NULL, deal_id TEXT NOT NULL, name TEXT, stage TEXT, amount REAL,
        meddic_score REAL NOT NULL, win_probability REAL NOT NULL, biggest_gap TEXT, next_action TEXT NOT NULL,
        basis TEXT NOT NULL, scored_at INTEGER NOT NULL, run_id TEXT NOT NULL,
        PRIMARY KEY (installation_id, deal_id));
      CREATE INDEX open_deals_by_win ON open_deals (installation_id, win_probability DESC, deal_id);
      CREATE INDEX open_deals_by_meddic ON open_deals (installation_id, meddic_score DESC, deal_id);
      CREATE INDEX open_deals_by_amount ON open_deals (installation_id, amount DESC, deal_id);
    `,
  },
  {
    // What the CRM said a customer's last engagement day was, each time it changed, with the UTC day it
    // was read (the conversion model's engagement readings, docs/model.md §11): the CRM keeps only the
    // latest, so the readings over syncs are what makes engagement known at past cut-offs. The customer
    // list's conversion likelihood (prospects only), sorted by.
    version: 16,
    sql: `
      CREATE TABLE engagement_readings (
        installation_id TEXT NOT NULL, record_id TEXT NOT NULL, seen_day INTEGER NOT NULL, last_engagement_day INTEGER,
        PRIMARY KEY (installation_id, record_id, seen_day));
      ALTER TABLE customer_list ADD COLUMN conversion_likelihood REAL;
      CREATE INDEX customer_list_by_conversion ON customer_list (installation_id, conversion_likelihood DESC, record_id);
    `,
  },
  {
    // A deal's created day (the conversion model's deal ages), on the deal and on its links like its close
    // day, so the plan phase reads it without a lookup. NULL for deals stored before: the next full pull fills it.
    version: 17,
    sql: `
      ALTER TABLE deals ADD COLUMN created_day INTEGER;
      ALTER TABLE deal_customers ADD COLUMN created_day INTEGER;
    `,
  },
];
