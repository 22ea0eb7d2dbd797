/** The audit of every written value, dry-run plans (paged by record), and the retry queue. */
import { z } from 'zod';
import { FIELD_KEYS, type FieldKey } from '../../../connectors/contract/index.ts';
import type { Row, SqliteDb } from '../sqliteDb.ts';
import type { AuditEntry, AuditState, AuditStore, PlannedChange } from '../types.ts';
import { num, text, textOrNull } from './rows.ts';

export class SqliteAudit implements AuditStore {
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

  readonly listAudit = (runId: string): AuditEntry[] => {
    return this.db.all('SELECT * FROM audit WHERE run_id = ? ORDER BY id', runId).map((r) => this.toAudit(r));
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

  private readonly toAudit = (row: Row): AuditEntry => {
    return {
      id: num(row, 'id'),
      runId: text(row, 'run_id'),
      recordId: text(row, 'record_id'),
      field: z.enum(FIELD_KEYS).parse(text(row, 'field')),
      previous: textOrNull(row, 'previous_value'),
      next: textOrNull(row, 'new_value'),
      state: z.enum(['pending', 'applied', 'failed', 'superseded']).parse(text(row, 'state')),
      at: num(row, 'at'),
    };
  };

  readonly savePlan = (runId: string, changes: PlannedChange[]): void => {
    // Records in plan order with stage moves first (what an admin checks before writing), numbered so a
    // page of records is an index range, never a sort of the whole plan.
    const order = new Map<string, boolean>();
    for (const c of changes) order.set(c.recordId, (order.get(c.recordId) ?? false) || c.field === 'stage');
    const seq = new Map<string, number>();
    for (const stageFirst of [true, false]) for (const [recordId, moves] of order) if (moves === stageFirst) seq.set(recordId, seq.size);
    const insert = this.db.prepared('INSERT INTO planned_changes (run_id, record_seq, record_id, field, previous_value, new_value) VALUES (?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      this.db.run('DELETE FROM planned_changes WHERE run_id = ?', runId);
      for (const c of changes) insert.run(runId, seq.get(c.recordId) ?? 0, c.recordId, c.field, c.previous, c.next);
    });
  };

  readonly loadPlan = (runId: string): PlannedChange[] => {
    return this.db.all('SELECT * FROM planned_changes WHERE run_id = ? ORDER BY record_seq, rowid', runId).map((r) => this.toPlanned(r));
  };

  readonly planChanges = (runId: string, page: { offset: number; limit: number; field?: FieldKey }): PlannedChange[] => {
    const rows = page.field
      ? this.db.all('SELECT * FROM planned_changes WHERE run_id = ? AND field = ? ORDER BY record_seq, rowid LIMIT ? OFFSET ?', runId, page.field, page.limit, page.offset)
      : this.db.all('SELECT * FROM planned_changes WHERE run_id = ? ORDER BY record_seq, rowid LIMIT ? OFFSET ?', runId, page.limit, page.offset);
    return rows.map((r) => this.toPlanned(r));
  };

  readonly planRecords = (runId: string, page: { offset: number; limit: number }): { recordId: string; changes: PlannedChange[] }[] => {
    const rows = this.db.all('SELECT * FROM planned_changes WHERE run_id = ? AND record_seq >= ? AND record_seq < ? ORDER BY record_seq, rowid', runId, page.offset, page.offset + page.limit);
    const records = new Map<string, PlannedChange[]>();
    for (const row of rows) {
      const change = this.toPlanned(row);
      const list = records.get(change.recordId);
      if (list) list.push(change);
      else records.set(change.recordId, [change]);
    }
    return [...records].map(([recordId, changes]) => ({ recordId, changes }));
  };

  private readonly toPlanned = (r: Row): PlannedChange => {
    return {
      recordId: text(r, 'record_id'),
      field: z.enum(FIELD_KEYS).parse(text(r, 'field')),
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
