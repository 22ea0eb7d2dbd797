/** Runs' stage records (stagePages.ts) and what each real run wrote per record (its audit, searchable), on Postgres. */
import type { PgValue } from '../postgresDb.ts';
import { auditFieldSchema, auditStateSchema, displayOf, runKindSchema, runStatusSchema } from '../rowSchemas.ts';
import { containsPattern, groupWrites, searchOf, writeStatus } from '../runWrites.ts';
import { decodeStagePage, type StagePage, type StagePageRows } from '../stagePages.ts';
import type { HistoryStore, RunWriteRecord, RunWritesFilter, StageRecordRun } from '../types.ts';
import { bool, bytes, num, text, textOrNull } from './rows.ts';
import type { PgSession } from './session.ts';

/** The WHERE of a run's written records matching the filter (`a`: audit, `c`: customers), its parameters numbered from `from`. */
function matching(filter: RunWritesFilter, from: number): { where: string; join: string; params: PgValue[] } {
  let where = '';
  const params: PgValue[] = [];
  const next = (value: PgValue) => `$${from + params.push(value) - 1}`;
  if (filter.field) where += ` AND a.field = ${next(filter.field)}`;
  const search = searchOf(filter.search);
  if (search === null) return { where, join: '', params };
  const p = next(containsPattern(search));
  where += ` AND (a.record_id ILIKE ${p} OR c.display->>'name' ILIKE ${p} OR c.display->>'email' ILIKE ${p} OR c.display->>'company' ILIKE ${p})`;
  return { where, join: ' LEFT JOIN customers c ON c.installation_id = a.installation_id AND c.record_id = a.record_id', params };
}

export class PostgresHistory implements HistoryStore {
  private readonly db: PgSession;
  constructor(db: PgSession) {
    this.db = db;
  }

  readonly saveStagePage = async (installationId: string, runId: string, page: StagePage, last: boolean): Promise<void> => {
    // An empty page matters only as the end of a run that scored no one.
    if (page.size === 0 && !last) return;
    const e = page.encode();
    await this.db.query(
      `INSERT INTO stage_pages (run_id, installation_id, first_record_id, last_record_id, customers, ids, stages, codes, last)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (run_id, first_record_id) DO UPDATE SET last_record_id = excluded.last_record_id, customers = excluded.customers,
         ids = excluded.ids, stages = excluded.stages, codes = excluded.codes, last = excluded.last`,
      [runId, installationId, e.firstRecordId, e.lastRecordId, e.customers, Buffer.from(e.ids), e.stages, Buffer.from(e.codes), last],
    );
  };

  readonly stageRecordRuns = async (installationId: string, limit: number): Promise<StageRecordRun[]> => {
    const r = await this.db.query(
      `SELECT r.id, r.kind, r.status, r.as_of, r.started_at, s.customers::float8 AS customers FROM
         (SELECT run_id, SUM(customers) AS customers FROM stage_pages WHERE installation_id = $1 GROUP BY run_id HAVING bool_or(last)) s
       JOIN runs r ON r.id = s.run_id ORDER BY r.started_at DESC, r.seq DESC LIMIT $2`,
      [installationId, limit],
    );
    return r.rows.map((row) => ({
      runId: text(row, 'id'),
      kind: runKindSchema.parse(text(row, 'kind')),
      status: runStatusSchema.parse(text(row, 'status')),
      asOf: text(row, 'as_of'),
      startedAt: num(row, 'started_at'),
      customers: num(row, 'customers'),
    }));
  };

  readonly stagePages = async (runId: string, after: string | null, limit: number): Promise<(StagePageRows & { firstRecordId: string })[]> => {
    const select = 'SELECT first_record_id, ids, stages, codes FROM stage_pages WHERE run_id = $1';
    const r =
      after === null
        ? await this.db.query(`${select} ORDER BY first_record_id LIMIT $2`, [runId, limit])
        : await this.db.query(`${select} AND first_record_id > $3 ORDER BY first_record_id LIMIT $2`, [runId, limit, after]);
    return r.rows.map((row) => ({ firstRecordId: text(row, 'first_record_id'), ...decodeStagePage({ ids: bytes(row, 'ids'), stages: text(row, 'stages'), codes: bytes(row, 'codes') }) }));
  };

  readonly pruneStageRecords = async (installationId: string, keep: number, exceptRunId: string): Promise<string[]> => {
    const r = await this.db.query(
      `WITH kept AS (
         SELECT s.run_id FROM stage_pages s JOIN runs r ON r.id = s.run_id WHERE s.installation_id = $1 AND s.last
         ORDER BY r.started_at DESC, r.seq DESC LIMIT $2
       ), gone AS (
         DELETE FROM stage_pages WHERE installation_id = $1 AND run_id <> $3 AND run_id NOT IN (SELECT run_id FROM kept) RETURNING run_id
       )
       SELECT DISTINCT run_id FROM gone ORDER BY run_id`,
      [installationId, keep, exceptRunId],
    );
    return r.rows.map((row) => text(row, 'run_id'));
  };

  readonly runWrites = async (runId: string, filter: RunWritesFilter, page: { after?: string; offset?: number; limit: number }): Promise<RunWriteRecord[]> => {
    const m = matching(filter, 2);
    const at = 2 + m.params.length;
    const after = page.after === undefined ? '' : ` AND a.record_id > $${at + 2}`;
    const ids = (
      await this.db.query(`SELECT DISTINCT a.record_id FROM audit a${m.join} WHERE a.run_id = $1${m.where}${after} ORDER BY a.record_id LIMIT $${at} OFFSET $${at + 1}`, [
        runId,
        ...m.params,
        page.limit,
        page.offset ?? 0,
        ...(page.after === undefined ? [] : [page.after]),
      ])
    ).rows.map((row) => text(row, 'record_id'));
    if (ids.length === 0) return [];
    const r = await this.db.query(
      `WITH rollbacks AS (SELECT id FROM runs WHERE rollback_of = $1 AND kind = 'rollback')
       SELECT a.record_id, a.field, a.previous_value, a.new_value, a.state, a.at, c.display,
         EXISTS (SELECT 1 FROM audit b WHERE b.run_id IN (SELECT id FROM rollbacks) AND b.record_id = a.record_id AND b.field = a.field AND b.state = 'applied') AS rolled_back
       FROM audit a LEFT JOIN customers c ON c.installation_id = a.installation_id AND c.record_id = a.record_id
       WHERE a.run_id = $1 AND a.record_id = ANY($2::text[])${filter.field ? ' AND a.field = $3' : ''}
       ORDER BY a.record_id, a.id`,
      [runId, ids, ...(filter.field ? [filter.field] : [])],
    );
    return groupWrites(
      r.rows.map((row) => ({
        recordId: text(row, 'record_id'),
        ...displayOf(row.display),
        write: {
          field: auditFieldSchema.parse(text(row, 'field')),
          previous: textOrNull(row, 'previous_value'),
          next: textOrNull(row, 'new_value'),
          status: writeStatus(auditStateSchema.parse(text(row, 'state')), bool(row, 'rolled_back')),
          at: num(row, 'at'),
        },
      })),
    );
  };

  readonly countRunWrites = async (runId: string, filter: RunWritesFilter): Promise<number> => {
    const m = matching(filter, 2);
    const row = (await this.db.query(`SELECT COUNT(DISTINCT a.record_id)::float8 AS n FROM audit a${m.join} WHERE a.run_id = $1${m.where}`, [runId, ...m.params])).rows[0];
    return row ? num(row, 'n') : 0;
  };
}
