/**
 * The audit of every written value, runs' plans and the retry queue, on Postgres. A batch of entries is
 * one statement; a run's audit and plan are read in keyset pages ((record, id); (priority, record_seq)).
 */
import { groupPlanRows } from '../plans.ts';
import type { PgRow } from '../postgresDb.ts';
import { auditStateSchema, auditFieldSchema } from '../rowSchemas.ts';
import type { AuditEntry, AuditField, AuditState, AuditStore, PlanKey, PlannedChange, PlannedRecord } from '../types.ts';
import { auditFromRow } from '../rowMappers.ts';
import { COLUMNS, num, text, textOrNull } from './rows.ts';
import { requireRuns } from './runs.ts';
import type { PgSession } from './session.ts';
import { analyzeIfStale } from './statistics.ts';

const toAudit = (row: PgRow): AuditEntry => auditFromRow(COLUMNS, row);

function toPlanned(r: PgRow): PlannedChange {
  return { recordId: text(r, 'record_id'), field: auditFieldSchema.parse(text(r, 'field')), previous: textOrNull(r, 'previous_value'), next: textOrNull(r, 'new_value') };
}

/** Rows of whole records, in plan order, grouped back into records. */
function records(rows: PgRow[]): PlannedRecord[] {
  return groupPlanRows(rows.map((row) => ({ key: { priority: num(row, 'priority'), seq: num(row, 'record_seq') }, change: toPlanned(row) })));
}

export class PostgresAudit implements AuditStore {
  private readonly db: PgSession;
  constructor(db: PgSession) {
    this.db = db;
  }

  readonly addAudit = async (entries: Omit<AuditEntry, 'id'>[]): Promise<number[]> => {
    if (entries.length === 0) return [];
    // Rows are inserted in the entries' order, each taking the next id, so the ids sorted are the entries'
    // ids in order (another writer's ids may fall between, never reorder ours). Nothing is inserted when
    // an entry names a run the store does not hold.
    const r = await this.db.query(
      `INSERT INTO audit (run_id, installation_id, record_id, field, previous_value, new_value, state, at)
       SELECT e.run_id, r.installation_id, e.record_id, e.field, e.previous_value, e.new_value, e.state, e.at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
         WITH ORDINALITY AS e(run_id, record_id, field, previous_value, new_value, state, at, ord)
       JOIN runs r ON r.id = e.run_id
       WHERE NOT EXISTS (SELECT 1 FROM unnest($1::text[]) AS k(id) WHERE NOT EXISTS (SELECT 1 FROM runs WHERE runs.id = k.id))
       ORDER BY e.ord
       RETURNING id`,
      [
        entries.map((e) => e.runId),
        entries.map((e) => e.recordId),
        entries.map((e) => e.field),
        entries.map((e) => e.previous),
        entries.map((e) => e.next),
        entries.map((e) => e.state),
        entries.map((e) => e.at),
      ],
    );
    if (r.rowCount !== entries.length) await requireRuns(this.db, entries.map((e) => e.runId));
    return r.rows.map((row) => num(row, 'id')).sort((a, b) => a - b);
  };

  readonly setAuditState = async (ids: number[], state: AuditState): Promise<void> => {
    if (ids.length === 0) return;
    await this.db.query('UPDATE audit SET state = $1 WHERE id = ANY($2::bigint[])', [state, ids]);
  };

  readonly auditPage = async (runId: string, after: { recordId: string; id: number } | null, limit: number): Promise<AuditEntry[]> => {
    if (after === null) await analyzeIfStale(this.db, ['audit']);
    const r =
      after === null
        ? await this.db.query('SELECT * FROM audit WHERE run_id = $1 ORDER BY record_id, id LIMIT $2', [runId, limit])
        : await this.db.query('SELECT * FROM audit WHERE run_id = $1 AND (record_id, id) > ($3, $4) ORDER BY record_id, id LIMIT $2', [runId, limit, after.recordId, after.id]);
    return r.rows.map(toAudit);
  };

  readonly auditCounts = async (runId: string): Promise<Partial<Record<AuditState, number>>> => {
    const r = await this.db.query('SELECT state, COUNT(DISTINCT record_id) AS n FROM audit WHERE run_id = $1 GROUP BY state', [runId]);
    return Object.fromEntries(r.rows.map((row) => [auditStateSchema.parse(text(row, 'state')), num(row, 'n')]));
  };

  readonly auditOfRecord = async (installationId: string, recordId: string, limit: number): Promise<AuditEntry[]> => {
    const r = await this.db.query('SELECT * FROM audit WHERE installation_id = $1 AND record_id = $2 ORDER BY id DESC LIMIT $3', [installationId, recordId, limit]);
    return r.rows.map(toAudit);
  };

  readonly supersedePendingAudit = async (installationId: string, exceptRunId: string): Promise<number> => {
    const r = await this.db.query("UPDATE audit SET state = 'superseded' WHERE installation_id = $1 AND state = 'pending' AND run_id <> $2", [installationId, exceptRunId]);
    return r.rowCount;
  };

  readonly addPlanned = async (runId: string, planned: PlannedRecord[]): Promise<void> => {
    const rows = planned.flatMap((r) => r.changes.map((c) => ({ key: r.key, recordId: r.recordId, change: c })));
    if (rows.length === 0) return;
    const r = await this.db.query(
      `INSERT INTO planned_changes (installation_id, run_id, priority, record_seq, record_id, field, previous_value, new_value)
       SELECT r.installation_id, r.id, p.priority, p.record_seq, p.record_id, p.field, p.previous_value, p.new_value
       FROM runs r, unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[])
         WITH ORDINALITY AS p(priority, record_seq, record_id, field, previous_value, new_value, ord)
       WHERE r.id = $1
       ORDER BY p.ord`,
      [
        runId,
        rows.map((p) => p.key.priority),
        rows.map((p) => p.key.seq),
        rows.map((p) => p.recordId),
        rows.map((p) => p.change.field),
        rows.map((p) => p.change.previous),
        rows.map((p) => p.change.next),
      ],
    );
    if (r.rowCount !== rows.length) await requireRuns(this.db, [runId]);
  };

  readonly plannedAfter = async (runId: string, after: PlanKey | null, limit: number): Promise<PlannedRecord[]> => {
    // The key of the page's last record, then the rows up to it: two ranges of the key, so a page never
    // cuts a record in two and no plan depends on statistics. (One statement joining the keys to the rows
    // became, for a run newer than the statistics, a loop over the run's rows re-reading the keys for
    // each: 22 s for one page of a 100,000-contact nightly.)
    if (after === null) await analyzeIfStale(this.db, ['planned_changes']);
    const from = after ?? { priority: -1, seq: -1 };
    const end = (
      await this.db.query(
        `SELECT priority, record_seq FROM (
           SELECT DISTINCT priority, record_seq FROM planned_changes
           WHERE run_id = $1 AND (priority, record_seq) > ($2, $3) ORDER BY priority, record_seq LIMIT $4
         ) AS keys ORDER BY priority DESC, record_seq DESC LIMIT 1`,
        [runId, from.priority, from.seq, limit],
      )
    ).rows[0];
    if (!end) return [];
    const r = await this.db.query(
      `SELECT * FROM planned_changes WHERE run_id = $1 AND (priority, record_seq) > ($2, $3) AND (priority, record_seq) <= ($4, $5)
       ORDER BY priority, record_seq, seq`,
      [runId, from.priority, from.seq, num(end, 'priority'), num(end, 'record_seq')],
    );
    return records(r.rows);
  };

  readonly planRecords = async (runId: string, page: { offset: number; limit: number }): Promise<PlannedRecord[]> => {
    if (page.offset === 0) return this.plannedAfter(runId, null, page.limit);
    // The key of the record just before the page (a page by position becomes a keyset page).
    const row = (await this.db.query('SELECT DISTINCT priority, record_seq FROM planned_changes WHERE run_id = $1 ORDER BY priority, record_seq LIMIT 1 OFFSET $2', [runId, page.offset - 1])).rows[0];
    return row ? this.plannedAfter(runId, { priority: num(row, 'priority'), seq: num(row, 'record_seq') }, page.limit) : [];
  };

  readonly planChanges = async (runId: string, page: { offset: number; limit: number; field?: AuditField }): Promise<PlannedChange[]> => {
    const r = page.field
      ? await this.db.query('SELECT * FROM planned_changes WHERE run_id = $1 AND field = $2 ORDER BY priority, record_seq, seq LIMIT $3 OFFSET $4', [runId, page.field, page.limit, page.offset])
      : await this.db.query('SELECT * FROM planned_changes WHERE run_id = $1 ORDER BY priority, record_seq, seq LIMIT $2 OFFSET $3', [runId, page.limit, page.offset]);
    return r.rows.map(toPlanned);
  };

  readonly deletePlan = async (runId: string): Promise<void> => {
    await this.db.query('DELETE FROM planned_changes WHERE run_id = $1', [runId]);
  };

  readonly setRetries = async (installationId: string, entries: { recordId: string; reason: string }[]): Promise<void> => {
    // A record twice in one call counts twice, with the last reason, as two calls would.
    const byRecord = new Map<string, { reason: string; times: number }>();
    for (const e of entries) byRecord.set(e.recordId, { reason: e.reason, times: (byRecord.get(e.recordId)?.times ?? 0) + 1 });
    if (byRecord.size === 0) return;
    const rows = [...byRecord.values()];
    await this.db.query(
      `INSERT INTO retry_queue (installation_id, record_id, reason, attempts)
       SELECT $1, u.record_id, u.reason, u.times FROM unnest($2::text[], $3::text[], $4::int[]) AS u(record_id, reason, times)
       ON CONFLICT (installation_id, record_id) DO UPDATE SET reason = excluded.reason, attempts = retry_queue.attempts + excluded.attempts`,
      [installationId, [...byRecord.keys()], rows.map((r) => r.reason), rows.map((r) => r.times)],
    );
  };

  readonly clearRetries = async (installationId: string, recordIds: string[]): Promise<void> => {
    if (recordIds.length === 0) return;
    await this.db.query('DELETE FROM retry_queue WHERE installation_id = $1 AND record_id = ANY($2::text[])', [installationId, recordIds]);
  };

  readonly listRetries = async (installationId: string): Promise<{ recordId: string; reason: string; attempts: number }[]> => {
    const r = await this.db.query('SELECT * FROM retry_queue WHERE installation_id = $1 ORDER BY record_id', [installationId]);
    return r.rows.map((row) => ({ recordId: text(row, 'record_id'), reason: text(row, 'reason'), attempts: num(row, 'attempts') }));
  };
}
