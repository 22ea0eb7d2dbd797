/** Runs' stage records (stagePages.ts) and what each real run wrote per record (its audit, searchable), on SQLite. */
import type { SQLInputValue } from 'node:sqlite';
import type { Row, SqliteDb } from '../sqliteDb.ts';
import { auditFieldSchema, auditStateSchema, displayOf, runKindSchema, runStatusSchema } from '../rowSchemas.ts';
import { containsPattern, groupWrites, searchOf, writeStatus } from '../runWrites.ts';
import { decodeStagePage, type StagePage, type StagePageRows } from '../stagePages.ts';
import type { HistoryStore, RunWriteRecord, RunWritesFilter, StageRecordRun } from '../types.ts';
import type { Synchronous } from './promised.ts';
import { num, text, textOrNull } from './rows.ts';

function bytes(row: Row, column: string): Uint8Array {
  const v = row[column];
  if (!(v instanceof Uint8Array)) throw new Error(`store: column ${column} is not bytes`);
  return v;
}

/**
 * The WHERE of a run's written records matching the filter (`a`: audit), and its parameters after the
 * run id. Names are searched once per customer of the run's installation (a subquery), not once per
 * audit entry: a run writes several fields a record, and decoding their JSON each time tripled a search.
 */
function matching(runId: string, filter: RunWritesFilter): { where: string; params: SQLInputValue[] } {
  let where = '';
  const params: SQLInputValue[] = [];
  if (filter.field) {
    where += ' AND a.field = ?';
    params.push(filter.field);
  }
  const search = searchOf(filter.search);
  if (search === null) return { where, params };
  const like = (column: string) => `${column} LIKE ? ESCAPE '\\'`;
  const pattern = containsPattern(search);
  // The JSON's text holds the search wherever a value does (JSON escapes only quotes, backslashes and
  // control characters): a cheap first test, so that only those customers' JSON is decoded.
  const escaped = [...search].some((ch) => ch === '"' || ch === '\\' || ch.charCodeAt(0) < 0x20);
  const raw = escaped ? '' : ` AND ${like('c.display')}`;
  where += ` AND (${like('a.record_id')} OR a.record_id IN (SELECT c.record_id FROM customers c
    WHERE c.installation_id = (SELECT installation_id FROM runs WHERE id = ?) AND c.display IS NOT NULL${raw}
      AND (${like("json_extract(c.display, '$.name')")} OR ${like("json_extract(c.display, '$.email')")} OR ${like("json_extract(c.display, '$.company')")})))`;
  params.push(pattern, runId, ...(raw ? [pattern] : []), pattern, pattern, pattern);
  return { where, params };
}

export class SqliteHistory implements Synchronous<HistoryStore> {
  private readonly db: SqliteDb;
  constructor(db: SqliteDb) {
    this.db = db;
  }

  readonly saveStagePage = (installationId: string, runId: string, page: StagePage, last: boolean): void => {
    // An empty page matters only as the end of a run that scored no one.
    if (page.size === 0 && !last) return;
    const e = page.encode();
    this.db.run(
      `INSERT INTO stage_pages (run_id, installation_id, first_record_id, last_record_id, customers, ids, stages, codes, last)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, first_record_id) DO UPDATE SET last_record_id = excluded.last_record_id, customers = excluded.customers,
         ids = excluded.ids, stages = excluded.stages, codes = excluded.codes, last = excluded.last`,
      runId, installationId, e.firstRecordId, e.lastRecordId, e.customers, e.ids, e.stages, e.codes, last ? 1 : 0,
    );
  };

  readonly stageRecordRuns = (installationId: string, limit: number): StageRecordRun[] => {
    const rows = this.db.all(
      `SELECT r.id, r.kind, r.status, r.as_of, r.started_at, s.customers FROM
         (SELECT run_id, SUM(customers) AS customers FROM stage_pages WHERE installation_id = ? GROUP BY run_id HAVING MAX(last) = 1) s
       JOIN runs r ON r.id = s.run_id ORDER BY r.started_at DESC, r.rowid DESC LIMIT ?`,
      installationId, limit,
    );
    return rows.map((r) => ({
      runId: text(r, 'id'),
      kind: runKindSchema.parse(text(r, 'kind')),
      status: runStatusSchema.parse(text(r, 'status')),
      asOf: text(r, 'as_of'),
      startedAt: num(r, 'started_at'),
      customers: num(r, 'customers'),
    }));
  };

  readonly stagePages = (runId: string, after: string | null, limit: number): (StagePageRows & { firstRecordId: string })[] => {
    const select = 'SELECT first_record_id, ids, stages, codes FROM stage_pages WHERE run_id = ?';
    const rows =
      after === null
        ? this.db.all(`${select} ORDER BY first_record_id LIMIT ?`, runId, limit)
        : this.db.all(`${select} AND first_record_id > ? ORDER BY first_record_id LIMIT ?`, runId, after, limit);
    return rows.map((r) => ({ firstRecordId: text(r, 'first_record_id'), ...decodeStagePage({ ids: bytes(r, 'ids'), stages: text(r, 'stages'), codes: bytes(r, 'codes') }) }));
  };

  readonly pruneStageRecords = (installationId: string, keep: number, exceptRunId: string): string[] => {
    return this.db.transaction(() => {
      const gone = this.db
        .all(
          `SELECT DISTINCT run_id FROM stage_pages WHERE installation_id = ?1 AND run_id <> ?3 AND run_id NOT IN (
             SELECT s.run_id FROM stage_pages s JOIN runs r ON r.id = s.run_id WHERE s.installation_id = ?1 AND s.last = 1
             ORDER BY r.started_at DESC, r.rowid DESC LIMIT ?2)`,
          installationId, keep, exceptRunId,
        )
        .map((r) => text(r, 'run_id'));
      const remove = this.db.prepared('DELETE FROM stage_pages WHERE run_id = ?');
      for (const runId of gone) remove.run(runId);
      return gone;
    });
  };

  readonly runWrites = (runId: string, filter: RunWritesFilter, page: { after?: string; offset?: number; limit: number }): RunWriteRecord[] => {
    const m = matching(runId, filter);
    const after = page.after === undefined ? '' : ' AND a.record_id > ?';
    const ids = this.db
      .all(
        `SELECT DISTINCT a.record_id FROM audit a WHERE a.run_id = ?${m.where}${after} ORDER BY a.record_id LIMIT ? OFFSET ?`,
        runId, ...m.params, ...(page.after === undefined ? [] : [page.after]), page.limit, page.offset ?? 0,
      )
      .map((r) => text(r, 'record_id'));
    if (ids.length === 0) return [];
    const rollbacks = this.db.all("SELECT id FROM runs WHERE rollback_of = ? AND kind = 'rollback'", runId).map((r) => text(r, 'id'));
    const rows = this.db.all(
      `SELECT a.record_id, a.field, a.previous_value, a.new_value, a.state, a.at, c.display,
         EXISTS (SELECT 1 FROM audit b WHERE b.run_id IN (SELECT value FROM json_each(?1)) AND b.record_id = a.record_id AND b.field = a.field AND b.state = 'applied') AS rolled_back
       FROM audit a LEFT JOIN customers c ON c.installation_id = a.installation_id AND c.record_id = a.record_id
       WHERE a.run_id = ?2 AND a.record_id IN (SELECT value FROM json_each(?3))${filter.field ? ' AND a.field = ?4' : ''}
       ORDER BY a.record_id, a.id`,
      JSON.stringify(rollbacks), runId, JSON.stringify(ids), ...(filter.field ? [filter.field] : []),
    );
    return groupWrites(
      rows.map((r) => ({
        recordId: text(r, 'record_id'),
        ...displayOf(r.display),
        write: {
          field: auditFieldSchema.parse(text(r, 'field')),
          previous: textOrNull(r, 'previous_value'),
          next: textOrNull(r, 'new_value'),
          status: writeStatus(auditStateSchema.parse(text(r, 'state')), num(r, 'rolled_back') === 1),
          at: num(r, 'at'),
        },
      })),
    );
  };

  readonly countRunWrites = (runId: string, filter: RunWritesFilter): number => {
    const m = matching(runId, filter);
    const row = this.db.get(`SELECT COUNT(DISTINCT a.record_id) AS n FROM audit a WHERE a.run_id = ?${m.where}`, runId, ...m.params);
    return row ? num(row, 'n') : 0;
  };
}
