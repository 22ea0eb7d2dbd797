/** The open-deal pipeline on Postgres (../openDeals.ts): the installation's set replaced by two statements, the insert one over arrays (`unnest`). */
import { OPEN_DEAL_COLUMNS, openDealFromRow, openDealOrder, pipelineOf, pipelineSql, type OpenDealPage, type OpenDealPipeline, type OpenDealQuery, type OpenDealScore } from '../openDeals.ts';
import type { OpenDealStore } from '../types.ts';
import { lastByKey, num, numOrNull, text, textOrNull } from './rows.ts';
import type { PgSession } from './session.ts';

export class PostgresOpenDeals implements OpenDealStore {
  private readonly db: PgSession;
  constructor(db: PgSession) {
    this.db = db;
  }

  readonly replaceOpenDeals = async (installationId: string, runId: string, deals: OpenDealScore[]): Promise<void> => {
    // A deal twice: the last one stands (one statement may insert a key once).
    const rows = lastByKey(deals, (d) => d.dealId);
    await this.db.atomic(async (q) => {
      await q.query('DELETE FROM open_deals WHERE installation_id = $1', [installationId]);
      if (rows.length === 0) return;
      await q.query(
        `INSERT INTO open_deals (installation_id, ${OPEN_DEAL_COLUMNS.join(', ')})
         SELECT $1, u.*, $2 FROM unnest($3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::float8[], $9::text[], $10::text[], $11::text[], $12::bigint[])
           AS u(deal_id, name, stage, amount, meddic_score, win_probability, biggest_gap, next_action, basis, scored_at)`,
        [
          installationId,
          runId,
          rows.map((d) => d.dealId),
          rows.map((d) => d.name),
          rows.map((d) => d.stage),
          rows.map((d) => d.amount),
          rows.map((d) => d.meddicScore),
          rows.map((d) => d.winProbability),
          rows.map((d) => d.biggestGap),
          rows.map((d) => d.nextAction),
          rows.map((d) => d.basis),
          rows.map((d) => d.scoredAt),
        ],
      );
    });
  };

  readonly openDeals = async (installationId: string, query: OpenDealQuery): Promise<OpenDealPage> => {
    const count = (await this.db.query('SELECT COUNT(*) AS n FROM open_deals WHERE installation_id = $1', [installationId])).rows[0];
    const total = count ? num(count, 'n') : 0;
    if (total === 0) return { total, rows: [] };
    const r = await this.db.query(`SELECT * FROM open_deals WHERE installation_id = $1 ORDER BY ${openDealOrder(query)} LIMIT $2 OFFSET $3`, [installationId, query.limit, query.offset]);
    return { total, rows: r.rows.map((row) => openDealFromRow({ text, textOrNull, num, numOrNull }, row)) };
  };

  readonly openDealPipeline = async (installationId: string): Promise<OpenDealPipeline> => {
    // COUNT and SUM come back as numbers: the pool parses int8; SUM over float8 is float8.
    const cells = (await this.db.query(pipelineSql('$1'), [installationId])).rows.map((r) => ({ meddicBand: num(r, 'meddic_band'), winBand: num(r, 'win_band'), deals: num(r, 'deals'), amount: num(r, 'amount') }));
    const head = (await this.db.query('SELECT run_id, scored_at FROM open_deals WHERE installation_id = $1 ORDER BY scored_at DESC LIMIT 1', [installationId])).rows[0];
    return pipelineOf(cells, { runId: head ? text(head, 'run_id') : null, scoredAt: head ? num(head, 'scored_at') : null });
  };
}
