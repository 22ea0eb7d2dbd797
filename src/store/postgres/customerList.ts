/**
 * The customer list on Postgres (../customerList.ts): a page's rows replaced by two statements, the
 * insert one statement over arrays (`unnest`), whatever the page's size.
 */
import { listColumns, listSql, searchText, SHOWN_COLUMNS, spanSql, type CustomerListEntry, type CustomerListPage, type CustomerListQuery } from '../customerList.ts';
import type { PgValue } from '../postgresDb.ts';
import type { CustomerListStore, ScoreSpan } from '../types.ts';
import { bool, lastByKey, num, numOrNull, text, textOrNull } from './rows.ts';
import type { PgSession } from './session.ts';

/** The rows as one array per column, in the order of the unnest() both inserts read: id, then what the list shows. */
function shownArrays(rows: CustomerListEntry[]): PgValue[] {
  return [
    rows.map((e) => e.recordId),
    rows.map((e) => e.name),
    rows.map((e) => e.email),
    rows.map((e) => e.company),
    rows.map((e) => searchText(e)),
    rows.map((e) => e.stage),
    rows.map((e) => e.churnRiskBand),
    rows.map((e) => e.valueTier),
    rows.map((e) => e.clv),
    rows.map((e) => e.churnRisk),
    rows.map((e) => e.ltv),
    rows.map((e) => e.conversionLikelihood ?? null),
  ];
}

export class PostgresCustomerList implements CustomerListStore {
  private readonly db: PgSession;
  constructor(db: PgSession) {
    this.db = db;
  }

  readonly saveCustomerList = async (installationId: string, span: ScoreSpan, runId: string, entries: CustomerListEntry[]): Promise<void> => {
    // A customer twice in one page: the last one stands (one statement may insert a key once).
    const rows = lastByKey(entries, (e) => e.recordId);
    const ids = rows.map((e) => e.recordId);
    await this.db.atomic(async (q) => {
      // The span's customers no longer there drop out.
      const params: PgValue[] = [installationId, ids];
      await q.query(`DELETE FROM customer_list WHERE installation_id = $1${spanSql(span, (v) => `$${params.push(v)}`)} AND record_id <> ALL($2::text[])`, params);
      // A row as it was is left alone: a nightly run changes few of the values shown, and each rewrite is a new row version with every index entry.
      if (rows.length > 0) {
        await q.query(
          `INSERT INTO customer_list AS cl (installation_id, record_id, ${SHOWN_COLUMNS.join(', ')})
           SELECT $1, u.record_id, u.name, u.email, u.company, u.search_text, u.stage, u.churn_band, u.value_tier, u.clv, u.churn_risk, u.ltv, u.conversion_likelihood, CASE WHEN u.changed THEN $2 END
           FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::float8[], $12::float8[], $13::float8[], $14::float8[], $15::boolean[])
             AS u(record_id, name, email, company, search_text, stage, churn_band, value_tier, clv, churn_risk, ltv, conversion_likelihood, changed)
           ON CONFLICT (installation_id, record_id) DO UPDATE SET ${SHOWN_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}
           WHERE (${SHOWN_COLUMNS.map((c) => `cl.${c}`).join(', ')}) IS DISTINCT FROM (${SHOWN_COLUMNS.map((c) => `excluded.${c}`).join(', ')})`,
          [installationId, runId, ...shownArrays(rows), rows.map((e) => e.changed)],
        );
      }
      await q.query('INSERT INTO customer_list_runs (installation_id, run_id) VALUES ($1, $2) ON CONFLICT (installation_id) DO UPDATE SET run_id = excluded.run_id', [installationId, runId]);
    });
  };

  readonly updateCustomerListRows = async (installationId: string, entries: CustomerListEntry[]): Promise<void> => {
    const rows = lastByKey(entries, (e) => e.recordId);
    if (rows.length === 0) return;
    const shown = SHOWN_COLUMNS.filter((c) => c !== 'changed_in_run');
    await this.db.query(
      `INSERT INTO customer_list AS cl (installation_id, record_id, ${shown.join(', ')})
       SELECT $1, u.record_id, u.name, u.email, u.company, u.search_text, u.stage, u.churn_band, u.value_tier, u.clv, u.churn_risk, u.ltv, u.conversion_likelihood
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::float8[], $11::float8[], $12::float8[], $13::float8[])
         AS u(record_id, name, email, company, search_text, stage, churn_band, value_tier, clv, churn_risk, ltv, conversion_likelihood)
       ON CONFLICT (installation_id, record_id) DO UPDATE SET ${shown.map((c) => `${c} = excluded.${c}`).join(', ')}
       WHERE (${shown.map((c) => `cl.${c}`).join(', ')}) IS DISTINCT FROM (${shown.map((c) => `excluded.${c}`).join(', ')})`,
      [installationId, ...shownArrays(rows)],
    );
  };

  readonly customerList = async (installationId: string, query: CustomerListQuery): Promise<CustomerListPage> => {
    const params: PgValue[] = [installationId];
    const { where, orderBy } = listSql(query, (value) => `$${params.push(value)}`, '$1');
    const count = query.count === false ? null : (await this.db.query(`SELECT COUNT(*) AS n FROM customer_list WHERE installation_id = $1${where}`, params)).rows[0];
    const total = query.count === false ? -1 : count ? num(count, 'n') : 0;
    if (total === 0) return { total, rows: [] };
    const n = params.length;
    const r = await this.db.query(`SELECT ${listColumns('$1')} FROM customer_list WHERE installation_id = $1${where} ORDER BY ${orderBy} LIMIT $${n + 1} OFFSET $${n + 2}`, [...params, query.limit, query.offset]);
    return {
      total,
      rows: r.rows.map((row) => ({
        recordId: text(row, 'record_id'),
        name: textOrNull(row, 'name'),
        email: textOrNull(row, 'email'),
        company: textOrNull(row, 'company'),
        stage: textOrNull(row, 'stage'),
        churnRiskBand: textOrNull(row, 'churn_band'),
        valueTier: textOrNull(row, 'value_tier'),
        clv: numOrNull(row, 'clv'),
        churnRisk: numOrNull(row, 'churn_risk'),
        ltv: numOrNull(row, 'ltv'),
        conversionLikelihood: numOrNull(row, 'conversion_likelihood'),
        changedInLastRun: bool(row, 'changed'),
      })),
    };
  };
}
