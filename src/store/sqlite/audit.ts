/** The audit of every written value, runs' plans (read in pages, by record), and the retry queue. */
import type { Row, SqliteDb } from '../sqliteDb.ts';
import type { AuditEntry, AuditField, AuditState, AuditStore, PlanKey, PlannedChange, PlannedRecord } from '../types.ts';
import { groupPlanRows } from '../plans.ts';
import { unknownRun } from '../storeErrors.ts';
import type { Synchronous } from './promised.ts';
import { auditFieldSchema } from '../rowSchemas.ts';
import { auditFromRow } from '../rowMappers.ts';
import { COLUMNS, num, text, textOrNull } from './rows.ts';

export class SqliteAudit implements Synchronous<AuditStore> {
  private readonly db: SqliteDb;
  constructor(db: SqliteDb) {
    this.db = db;
  }

  readonly addAudit = (entries: Omit<AuditEntry, 'id'>[]): number[] => {
    const insert = this.db.prepared(
      'INSERT INTO audit (run_id, installation_id, record_id, field, previous_value, new_value, state, at) SELECT ?, installation_id, ?, ?, ?, ?, ?, ? FROM runs WHERE id = ?',
    );
    return this.db.transaction(() =>
      entries.map((e) => {
        const result = insert.run(e.runId, e.recordId, e.field, e.previous, e.next, e.state, e.at, e.runId);
        // No row: the run is not in the store (and the whole batch is rolled back).
        if (result.changes === 0) throw unknownRun(e.runId);
        return Number(result.lastInsertRowid);
      }),
    );
  };

  readonly setAuditState = (ids: number[], state: AuditState): void => {
    const update = this.db.prepared('UPDATE audit SET state = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) update.run(state, id);
    });
  };

  readonly auditPage = (runId: string, after: { recordId: string; id: number } | null, limit: number): AuditEntry[] => {
    const rows =
      after === null
        ? this.db.all('SELECT * FROM audit WHERE run_id = ? ORDER BY record_id, id LIMIT ?', runId, limit)
        : this.db.all('SELECT * FROM audit WHERE run_id = ? AND (record_id, id) > (?, ?) ORDER BY record_id, id LIMIT ?', runId, after.recordId, after.id, limit);
    return rows.map((r) => this.toAudit(r));
  };

  readonly auditCounts = (runId: string): Partial<Record<AuditState, number>> => {
    const rows = this.db.all('SELECT state, COUNT(DISTINCT record_id) AS n FROM audit WHERE run_id = ? GROUP BY state', runId);
    return Object.fromEntries(rows.map((r) => [text(r, 'state'), num(r, 'n')]));
  };

  readonly auditOfRecord = (installationId: string, recordId: string, limit: number): AuditEntry[] => {
    return this.db.all('SELECT * FROM audit WHERE installation_id = ? AND record_id = ? ORDER BY id DESC LIMIT ?', installationId, recordId, limit).map((r) =>
      this.toAudit(r),
    );
  };

  readonly supersedePendingAudit = (installationId: string, exceptRunId: string): number => {
    const result = this.db.run("UPDATE audit SET state = 'superseded' WHERE installation_id = ? AND state = 'pending' AND run_id <> ?", installationId, exceptRunId);
    return Number(result.changes);
  };

  private readonly toAudit = (row: Row): AuditEntry => auditFromRow(COLUMNS, row);


  readonly addPlanned = (runId: string, records: PlannedRecord[]): void => {
    const insert = this.db.prepared('INSERT INTO planned_changes (run_id, priority, record_seq, record_id, field, previous_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?)');
    if (records.every((r) => r.changes.length === 0)) return;
    if (!this.db.get('SELECT 1 AS found FROM runs WHERE id = ?', runId)) throw unknownRun(runId);
    this.db.transaction(() => {
      for (const r of records) for (const c of r.changes) insert.run(runId, r.key.priority, r.key.seq, r.recordId, c.field, c.previous, c.next);
    });
  };

  /** Rows of whole records, in plan order, grouped back into records. */
  private readonly records = (rows: Row[]): PlannedRecord[] => {
    return groupPlanRows(rows.map((row) => ({ key: { priority: num(row, 'priority'), seq: num(row, 'record_seq') }, change: this.toPlanned(row) })));
  };

  readonly plannedAfter = (runId: string, after: PlanKey | null, limit: number): PlannedRecord[] => {
    // The keys of the next `limit` records, then their rows: a page never cuts a record in two.
    const keys =
      after === null
        ? this.db.all('SELECT DISTINCT priority, record_seq FROM planned_changes WHERE run_id = ? ORDER BY priority, record_seq LIMIT ?', runId, limit)
        : this.db.all('SELECT DISTINCT priority, record_seq FROM planned_changes WHERE run_id = ? AND (priority, record_seq) > (?, ?) ORDER BY priority, record_seq LIMIT ?', runId, after.priority, after.seq, limit);
    const last = keys.at(-1);
    if (!last) return [];
    const from = after ?? { priority: -1, seq: -1 };
    return this.records(
      this.db.all(
        'SELECT * FROM planned_changes WHERE run_id = ? AND (priority, record_seq) > (?, ?) AND (priority, record_seq) <= (?, ?) ORDER BY priority, record_seq, rowid',
        runId, from.priority, from.seq, num(last, 'priority'), num(last, 'record_seq'),
      ),
    );
  };

  readonly planRecords = (runId: string, page: { offset: number; limit: number }): PlannedRecord[] => {
    if (page.offset === 0) return this.plannedAfter(runId, null, page.limit);
    const before = this.keyAt(runId, page.offset - 1);
    return before ? this.plannedAfter(runId, before, page.limit) : [];
  };

  /** The key of the record at a position in plan order (a page by position becomes a keyset page). */
  private readonly keyAt = (runId: string, position: number): PlanKey | null => {
    const row = this.db.get('SELECT DISTINCT priority, record_seq FROM planned_changes WHERE run_id = ? ORDER BY priority, record_seq LIMIT 1 OFFSET ?', runId, position);
    return row ? { priority: num(row, 'priority'), seq: num(row, 'record_seq') } : null;
  };

  readonly planChanges = (runId: string, page: { offset: number; limit: number; field?: AuditField }): PlannedChange[] => {
    const rows = page.field
      ? this.db.all('SELECT * FROM planned_changes WHERE run_id = ? AND field = ? ORDER BY priority, record_seq, rowid LIMIT ? OFFSET ?', runId, page.field, page.limit, page.offset)
      : this.db.all('SELECT * FROM planned_changes WHERE run_id = ? ORDER BY priority, record_seq, rowid LIMIT ? OFFSET ?', runId, page.limit, page.offset);
    return rows.map((r) => this.toPlanned(r));
  };

  readonly deletePlan = (runId: string): void => {
    this.db.run('DELETE FROM planned_changes WHERE run_id = ?', runId);
  };

  private readonly toPlanned = (r: Row): PlannedChange => {
    return {
      recordId: text(r, 'record_id'),
      field: auditFieldSchema.parse(text(r, 'field')),
      previous: textOrNull(r, 'previous_value'),
      next: textOrNull(r, 'new_value'),
    };
  };

  readonly setRetries = (installationId: string, entries: { recordId: string; reason: string }[]): void => {
    const upsert = this.db.prepared(
      `INSERT INTO retry_queue (installation_id, record_id, reason, attempts) VALUES (?, ?, ?, 1)
       ON CONFLICT (installation_id, record_id) DO UPDATE SET reason = excluded.reason, attempts = retry_queue.attempts + 1`,
    );
    this.db.transaction(() => {
      for (const e of entries) upsert.run(installationId, e.recordId, e.reason);
    });
  };

  readonly clearRetries = (installationId: string, recordIds: string[]): void => {
    const remove = this.db.prepared('DELETE FROM retry_queue WHERE installation_id = ? AND record_id = ?');
    this.db.transaction(() => {
      for (const id of recordIds) remove.run(installationId, id);
    });
  };

  readonly listRetries = (installationId: string): { recordId: string; reason: string; attempts: number }[] => {
    return this.db.all('SELECT * FROM retry_queue WHERE installation_id = ? ORDER BY record_id', installationId).map((r) => ({
      recordId: text(r, 'record_id'),
      reason: text(r, 'reason'),
      attempts: num(r, 'attempts'),
    }));
  };
}
