/**
 * Runs and the lease that keeps one run per installation: the lock row with its owner and expiry, the
 * run rows, their per-record errors, and orphaned runs marked interrupted with what their audit shows.
 */
import type { Synchronous } from './promised.ts';
import type { SQLInputValue } from 'node:sqlite';
import { redactOutput } from '../../secrets.ts';
import { interruption, PROCESS_GONE } from '../interruption.ts';
import { ownerIsDead } from '../leaseOwner.ts';
import { unknownRun } from '../storeErrors.ts';
import type { Row, SqliteDb } from '../sqliteDb.ts';
import type { NewRun, RunErrorRecord, RunKind, RunRecord, RunStatus, RunStore } from '../types.ts';
import { runErrorFromRow, runFromRow } from '../rowMappers.ts';
import { COLUMNS, num, text } from './rows.ts';

export class SqliteRuns implements Synchronous<RunStore> {
  private readonly db: SqliteDb;
  private readonly now: () => number;
  constructor(db: SqliteDb, now: () => number) {
    this.db = db;
    this.now = now;
  }

  readonly acquireLock = (installationId: string, owner: string, ttlMs: number) => {
    return this.db.transaction(() => {
      const now = this.now();
      const row = this.db.get('SELECT owner, expires_at FROM locks WHERE installation_id = ?', installationId);
      if (row) {
        const holder = text(row, 'owner');
        const expiresAt = num(row, 'expires_at');
        if (holder !== owner && expiresAt > now && !ownerIsDead(holder)) return { acquired: false as const, owner: holder, expiresAt };
      }
      this.db.run(
        `INSERT INTO locks (installation_id, owner, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (installation_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at`,
        installationId, owner, now + ttlMs,
      );
      return { acquired: true as const };
    });
  };

  readonly renewLock = (installationId: string, owner: string, ttlMs: number): boolean => {
    const result = this.db.run('UPDATE locks SET expires_at = ? WHERE installation_id = ? AND owner = ?', this.now() + ttlMs, installationId, owner);
    return Number(result.changes) === 1;
  };

  readonly releaseLock = (installationId: string, owner: string): void => {
    this.db.run('DELETE FROM locks WHERE installation_id = ? AND owner = ?', installationId, owner);
  };

  readonly createRun = (run: NewRun): RunRecord => {
    const now = this.now();
    this.db.run(
      `INSERT INTO runs (id, installation_id, kind, mode, status, as_of, started_at, heartbeat_at, stats, rollback_of, scored_at, owner)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      run.id, run.installationId, run.kind, run.mode, run.status, run.asOf, run.startedAt, now, JSON.stringify(run.stats), run.rollbackOf, run.scoredAt, run.owner ?? null,
    );
    const created = this.getRun(run.id);
    if (!created) throw new Error('store: run vanished');
    return created;
  };

  readonly updateRun = (id: string, patch: Partial<Pick<RunRecord, 'status' | 'mode' | 'stats' | 'message' | 'finishedAt' | 'heartbeatAt' | 'scoredAt'>>): void => {
    const columns: [string, SQLInputValue][] = [];
    if (patch.status !== undefined) columns.push(['status', patch.status]);
    if (patch.mode !== undefined) columns.push(['mode', patch.mode]);
    if (patch.stats !== undefined) columns.push(['stats', JSON.stringify(patch.stats)]);
    // Messages may quote a CRM's error: the process's redactor runs before they are stored.
    if (patch.message !== undefined) columns.push(['message', patch.message === null ? null : redactOutput(patch.message)]);
    if (patch.finishedAt !== undefined) columns.push(['finished_at', patch.finishedAt]);
    if (patch.heartbeatAt !== undefined) columns.push(['heartbeat_at', patch.heartbeatAt]);
    if (patch.scoredAt !== undefined) columns.push(['scored_at', patch.scoredAt]);
    if (columns.length === 0) return;
    this.db.run(`UPDATE runs SET ${columns.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`, ...columns.map(([, v]) => v), id);
  };

  readonly getRun = (id: string): RunRecord | null => {
    const row = this.db.get('SELECT * FROM runs WHERE id = ?', id);
    return row ? this.toRun(row) : null;
  };

  readonly listRuns = (installationId: string, limit: number, kinds?: readonly RunKind[]): RunRecord[] => {
    if (kinds === undefined) return this.db.all('SELECT * FROM runs WHERE installation_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?', installationId, limit).map((r) => this.toRun(r));
    if (kinds.length === 0) return [];
    return this.db
      .all(`SELECT * FROM runs WHERE installation_id = ? AND kind IN (${kinds.map(() => '?').join(', ')}) ORDER BY started_at DESC, rowid DESC LIMIT ?`, installationId, ...kinds, limit)
      .map((r) => this.toRun(r));
  };

  readonly latestRuns = (filter: { kind?: RunKind; status?: RunStatus }): RunRecord[] => {
    const kind = filter.kind ?? null;
    const status = filter.status ?? null;
    return this.db
      .all(
        `SELECT * FROM runs WHERE rowid IN (
           SELECT (SELECT r.rowid FROM runs r WHERE r.installation_id = i.id AND (?1 IS NULL OR r.kind = ?1) AND (?2 IS NULL OR r.status = ?2)
                   ORDER BY r.started_at DESC, r.rowid DESC LIMIT 1)
           FROM installations i)`,
        kind, status,
      )
      .map((r) => this.toRun(r));
  };

  readonly markRunsInterrupted = (installationId: string | null, exceptRunId?: string): RunRecord[] => {
    const now = this.now();
    const running = (
      installationId === null
        ? this.db.all("SELECT * FROM runs WHERE status = 'running' ORDER BY started_at, rowid")
        : this.db.all("SELECT * FROM runs WHERE installation_id = ? AND status = 'running' ORDER BY started_at, rowid", installationId)
    ).map((r) => this.toRun(r));
    const stale: RunRecord[] = [];
    for (const run of running) {
      if (run.id === exceptRunId) continue;
      const lock = this.db.get('SELECT owner, expires_at FROM locks WHERE installation_id = ?', run.installationId);
      const held = lock !== undefined && run.owner !== null && text(lock, 'owner') === run.owner && num(lock, 'expires_at') > now && !ownerIsDead(run.owner);
      if (held) continue;
      stale.push(this.interrupt(run));
    }
    return stale;
  };

  readonly abandonRun = (runId: string, reason: string): RunRecord | null => {
    return this.db.transaction(() => {
      const run = this.getRun(runId);
      if (!run || run.status !== 'running') return null;
      // Its lease goes with it: a holder still alive finds it gone at its next renewal and stops.
      if (run.owner !== null) this.db.run('DELETE FROM locks WHERE installation_id = ? AND owner = ?', run.installationId, run.owner);
      return this.interrupt(run, reason);
    });
  };

  /** Marks a run interrupted, with what its audit says it wrote (a killed run never recorded its counts). */
  private readonly interrupt = (run: RunRecord, reason = PROCESS_GONE): RunRecord => {
    const counts = Object.fromEntries(this.db.all('SELECT state, COUNT(DISTINCT record_id) AS n FROM audit WHERE run_id = ? GROUP BY state', run.id).map((r) => [text(r, 'state'), num(r, 'n')]));
    const { stats, message } = interruption(run, counts, reason);
    this.updateRun(run.id, { status: 'interrupted', finishedAt: run.heartbeatAt, stats, message });
    // An interrupted run's plan was only its work list (a dry run's is kept for the admin).
    if (run.kind !== 'dry_run') this.db.run('DELETE FROM planned_changes WHERE run_id = ?', run.id);
    return { ...run, status: 'interrupted', finishedAt: run.heartbeatAt, stats, message };
  };

  private readonly toRun = (row: Row): RunRecord => runFromRow(COLUMNS, row);


  readonly addRunErrors = (errors: RunErrorRecord[]): void => {
    if (errors.length === 0) return;
    const insert = this.db.prepared('INSERT INTO run_errors (run_id, record_id, phase, code, message, at) VALUES (?, ?, ?, ?, ?, ?)');
    for (const runId of new Set(errors.map((e) => e.runId))) if (!this.db.get('SELECT 1 AS found FROM runs WHERE id = ?', runId)) throw unknownRun(runId);
    this.db.transaction(() => {
      for (const e of errors) insert.run(e.runId, e.recordId, e.phase, e.code, redactOutput(e.message), e.at);
    });
  };

  readonly runErrorCounts = (runId: string): { phase: string; code: string; count: number; example: string }[] => {
    return this.db
      .all(
        `SELECT phase, code, COUNT(*) AS n, (SELECT message FROM run_errors f WHERE f.run_id = e.run_id AND f.phase = e.phase AND f.code = e.code ORDER BY rowid LIMIT 1) AS example
         FROM run_errors e WHERE run_id = ? GROUP BY phase, code ORDER BY n DESC, phase, code`,
        runId,
      )
      .map((r) => ({ phase: text(r, 'phase'), code: text(r, 'code'), count: num(r, 'n'), example: text(r, 'example') }));
  };

  readonly listRunErrors = (runId: string, limit = 1000): RunErrorRecord[] => {
    return this.db.all('SELECT * FROM run_errors WHERE run_id = ? ORDER BY rowid LIMIT ?', runId, limit).map((r) => runErrorFromRow(COLUMNS, r));
  };
}
