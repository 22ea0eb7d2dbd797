/** The customer list on SQLite (../customerList.ts): a page's rows replaced in one transaction, prepared statements. */
import type { SQLInputValue } from 'node:sqlite';
import { LIST_COLUMNS, listSql, searchText, spanSql, type CustomerListEntry, type CustomerListPage, type CustomerListQuery } from '../customerList.ts';
import type { SqliteDb } from '../sqliteDb.ts';
import type { CustomerListStore, ScoreSpan } from '../types.ts';
import type { Synchronous } from './promised.ts';
import { num, numOrNull, text, textOrNull } from './rows.ts';

export class SqliteCustomerList implements Synchronous<CustomerListStore> {
  private readonly db: SqliteDb;
  constructor(db: SqliteDb) {
    this.db = db;
  }

  readonly saveCustomerList = (installationId: string, span: ScoreSpan, runId: string, entries: CustomerListEntry[]): void => {
    const insert = this.db.prepared(
      `INSERT OR REPLACE INTO customer_list (installation_id, record_id, name, email, company, search_text, stage, churn_band, value_tier, clv, churn_risk, ltv, scored_in_run, changed_in_run)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      // The span's rows go (record ids compare byte by byte, as the score pages' do), then the page's come.
      const params: SQLInputValue[] = [installationId];
      this.db.run(`DELETE FROM customer_list WHERE installation_id = ?1${spanSql(span, (v) => `?${params.push(v)}`)}`, ...params);
      for (const e of entries) {
        insert.run(installationId, e.recordId, e.name, e.email, e.company, searchText(e), e.stage, e.churnRiskBand, e.valueTier, e.clv, e.churnRisk, e.ltv, runId, e.changed ? runId : null);
      }
    });
  };

  readonly customerList = (installationId: string, query: CustomerListQuery): CustomerListPage => {
    const params: SQLInputValue[] = [installationId];
    // Numbered placeholders: a value may be used twice.
    const { where, orderBy } = listSql(query, (value) => `?${params.push(value)}`);
    const total = query.count === false ? -1 : num(this.db.get(`SELECT COUNT(*) AS n FROM customer_list WHERE installation_id = ?1${where}`, ...params) ?? { n: 0 }, 'n');
    const n = params.length;
    const rows = total === 0 ? [] : this.db.all(`SELECT ${LIST_COLUMNS} FROM customer_list WHERE installation_id = ?1${where} ORDER BY ${orderBy} LIMIT ?${n + 1} OFFSET ?${n + 2}`, ...params, query.limit, query.offset);
    return {
      total,
      rows: rows.map((r) => ({
        recordId: text(r, 'record_id'),
        name: textOrNull(r, 'name'),
        email: textOrNull(r, 'email'),
        company: textOrNull(r, 'company'),
        stage: textOrNull(r, 'stage'),
        churnRiskBand: textOrNull(r, 'churn_band'),
        valueTier: textOrNull(r, 'value_tier'),
        clv: numOrNull(r, 'clv'),
        churnRisk: numOrNull(r, 'churn_risk'),
        ltv: numOrNull(r, 'ltv'),
        changedInLastRun: num(r, 'changed') === 1,
      })),
    };
  };
}
