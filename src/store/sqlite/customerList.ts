/** The customer list on SQLite (../customerList.ts): a page's rows replaced in one transaction, prepared statements. */
import type { SQLInputValue } from 'node:sqlite';
import { listColumns, listSql, searchText, SHOWN_COLUMNS, spanSql, type CustomerListEntry, type CustomerListPage, type CustomerListQuery } from '../customerList.ts';
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
    // A row as it was is left alone: a nightly run changes few of the values shown, and each rewrite moves every index entry.
    const upsert = this.db.prepared(
      `INSERT INTO customer_list (installation_id, record_id, ${SHOWN_COLUMNS.join(', ')}) VALUES (?1, ?2, ${SHOWN_COLUMNS.map((_, i) => `?${i + 3}`).join(', ')})
       ON CONFLICT (installation_id, record_id) DO UPDATE SET ${SHOWN_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}
       WHERE ${SHOWN_COLUMNS.map((c) => `${c} IS NOT excluded.${c}`).join(' OR ')}`,
    );
    const remove = this.db.prepared('DELETE FROM customer_list WHERE installation_id = ? AND record_id = ?');
    this.db.transaction(() => {
      // The span's customers no longer there drop out (record ids compare byte by byte, as the score pages' do).
      const params: SQLInputValue[] = [installationId];
      const present = new Set(entries.map((e) => e.recordId));
      for (const row of this.db.all(`SELECT record_id FROM customer_list WHERE installation_id = ?1${spanSql(span, (v) => `?${params.push(v)}`)}`, ...params)) {
        const id = text(row, 'record_id');
        if (!present.has(id)) remove.run(installationId, id);
      }
      for (const e of entries) {
        upsert.run(installationId, e.recordId, e.name, e.email, e.company, searchText(e), e.stage, e.churnRiskBand, e.valueTier, e.clv, e.churnRisk, e.ltv, e.conversionLikelihood ?? null, e.changed ? runId : null);
      }
      this.db.run('INSERT INTO customer_list_runs (installation_id, run_id) VALUES (?, ?) ON CONFLICT (installation_id) DO UPDATE SET run_id = excluded.run_id', installationId, runId);
    });
  };

  readonly updateCustomerListRows = (installationId: string, entries: CustomerListEntry[]): void => {
    const shown = SHOWN_COLUMNS.filter((c) => c !== 'changed_in_run');
    const upsert = this.db.prepared(
      `INSERT INTO customer_list (installation_id, record_id, ${shown.join(', ')}) VALUES (?1, ?2, ${shown.map((_, i) => `?${i + 3}`).join(', ')})
       ON CONFLICT (installation_id, record_id) DO UPDATE SET ${shown.map((c) => `${c} = excluded.${c}`).join(', ')}
       WHERE ${shown.map((c) => `${c} IS NOT excluded.${c}`).join(' OR ')}`,
    );
    this.db.transaction(() => {
      for (const e of entries) upsert.run(installationId, e.recordId, e.name, e.email, e.company, searchText(e), e.stage, e.churnRiskBand, e.valueTier, e.clv, e.churnRisk, e.ltv, e.conversionLikelihood ?? null);
    });
  };

  readonly customerList = (installationId: string, query: CustomerListQuery): CustomerListPage => {
    const params: SQLInputValue[] = [installationId];
    // Numbered placeholders: a value may be used twice.
    const { where, orderBy } = listSql(query, (value) => `?${params.push(value)}`, '?1');
    const total = query.count === false ? -1 : num(this.db.get(`SELECT COUNT(*) AS n FROM customer_list WHERE installation_id = ?1${where}`, ...params) ?? { n: 0 }, 'n');
    const n = params.length;
    const rows = total === 0 ? [] : this.db.all(`SELECT ${listColumns('?1')} FROM customer_list WHERE installation_id = ?1${where} ORDER BY ${orderBy} LIMIT ?${n + 1} OFFSET ?${n + 2}`, ...params, query.limit, query.offset);
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
        conversionLikelihood: numOrNull(r, 'conversion_likelihood'),
        changedInLastRun: num(r, 'changed') === 1,
      })),
    };
  };
}
