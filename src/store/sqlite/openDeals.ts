/** The open-deal pipeline on SQLite (../openDeals.ts): the installation's set replaced in one transaction. */
import { OPEN_DEAL_COLUMNS, openDealFromRow, openDealOrder, pipelineOf, pipelineSql, type OpenDealPage, type OpenDealPipeline, type OpenDealQuery, type OpenDealScore } from '../openDeals.ts';
import type { SqliteDb } from '../sqliteDb.ts';
import type { OpenDealStore } from '../types.ts';
import type { Synchronous } from './promised.ts';
import { num, numOrNull, text, textOrNull } from './rows.ts';

export class SqliteOpenDeals implements Synchronous<OpenDealStore> {
  private readonly db: SqliteDb;
  constructor(db: SqliteDb) {
    this.db = db;
  }

  readonly replaceOpenDeals = (installationId: string, runId: string, deals: OpenDealScore[]): void => {
    const insert = this.db.prepared(
      `INSERT INTO open_deals (installation_id, ${OPEN_DEAL_COLUMNS.join(', ')}) VALUES (${['?', ...OPEN_DEAL_COLUMNS.map(() => '?')].join(', ')})
       ON CONFLICT (installation_id, deal_id) DO UPDATE SET ${OPEN_DEAL_COLUMNS.slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}`,
    );
    this.db.transaction(() => {
      this.db.run('DELETE FROM open_deals WHERE installation_id = ?', installationId);
      for (const d of deals) insert.run(installationId, d.dealId, d.name, d.stage, d.amount, d.meddicScore, d.winProbability, d.biggestGap, d.nextAction, d.basis, d.scoredAt, runId);
    });
  };

  readonly openDeals = (installationId: string, query: OpenDealQuery): OpenDealPage => {
    const total = num(this.db.get('SELECT COUNT(*) AS n FROM open_deals WHERE installation_id = ?', installationId) ?? { n: 0 }, 'n');
    if (total === 0) return { total, rows: [] };
    const rows = this.db.all(`SELECT * FROM open_deals WHERE installation_id = ? ORDER BY ${openDealOrder(query)} LIMIT ? OFFSET ?`, installationId, query.limit, query.offset);
    return { total, rows: rows.map((r) => openDealFromRow({ text, textOrNull, num, numOrNull }, r)) };
  };

  readonly openDealPipeline = (installationId: string): OpenDealPipeline => {
    const cells = this.db.all(pipelineSql('?'), installationId).map((r) => ({ meddicBand: num(r, 'meddic_band'), winBand: num(r, 'win_band'), deals: num(r, 'deals'), amount: num(r, 'amount') }));
    const head = this.db.get('SELECT run_id, scored_at FROM open_deals WHERE installation_id = ? ORDER BY scored_at DESC LIMIT 1', installationId);
    return pipelineOf(cells, { runId: head ? text(head, 'run_id') : null, scoredAt: head ? num(head, 'scored_at') : null });
  };
}
