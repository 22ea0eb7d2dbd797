/**
 * Runs and the lease on Postgres. The lease is one row per installation, taken by a single
 * INSERT ... ON CONFLICT DO UPDATE that only succeeds when the row is free, ours, or expired, so callers
 * on any number of machines racing for it get exactly one winner. A holder that crashed on another
 * machine is recognised by its lease expiring (time from the store's clock, the same for every caller);
 * one on this machine, also by its process being gone.
 */
import { redactOutput } from '../../secrets.ts';
import { interruption, PROCESS_GONE } from '../interruption.ts';
import { ownerIsDead } from '../leaseOwner.ts';
import { unknownRun } from '../storeErrors.ts';
import type { PgQueryable, PgRow, PgValue } from '../postgresDb.ts';
import { auditStateSchema } from '../rowSchemas.ts';
import type { NewRun, RunErrorRecord, RunKind, RunRecord, RunStatus, RunStore } from '../types.ts';
import { runErrorFromRow, runFromRow } from '../rowMappers.ts';
import { COLUMNS, jsonText, num, text, textOrNull } from './rows.ts';
import type { PgSession } from './session.ts';

type LockAnswer = { acquired: true } | { acquired: false; owner: string; expiresAt: number };

const toRun = (row: PgRow): RunRecord => runFromRow(COLUMNS, row);

/** Refuses rows for runs the store does not hold (their installation comes from the run). */
export async function requireRuns(db: PgQueryable, runIds: Iterable<string>): Promise<void> {
  const ids = [...new Set(runIds)];
  const found = new Set((await db.query('SELECT id FROM runs WHERE id = ANY($1::text[])', [ids])).rows.map((r) => text(r, 'id')));
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw unknownRun(missing);
}

export class PostgresRuns implements RunStore {
  private readonly db: PgSession;
  private readonly now: () => number;
  constructor(db: PgSession, now: () => number) {
    this.db = db;
    this.now = now;
  }

  readonly acquireLock = async (installationId: string, owner: string, ttlMs: number): Promise<LockAnswer> => {
    let refused: LockAnswer = { acquired: false, owner: 'another process', expiresAt: this.now() + ttlMs };
    // A few rounds: the holder seen may release or lose the lease between two statements.
    for (let round = 0; round < 5; round++) {
      const now = this.now();
      const taken = await this.db.query(
        `INSERT INTO locks (installation_id, owner, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (installation_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE locks.owner = excluded.owner OR locks.expires_at <= $4
         RETURNING owner`,
        [installationId, owner, now + ttlMs, now],
      );
      if (taken.rowCount === 1) return { acquired: true };
      const row = (await this.db.query('SELECT owner, expires_at FROM locks WHERE installation_id = $1', [installationId])).rows[0];
      if (!row) continue; // released meanwhile: try again
      const holder = text(row, 'owner');
      const expiresAt = num(row, 'expires_at');
      if (holder === owner || expiresAt <= now) continue;
      refused = { acquired: false, owner: holder, expiresAt };
      if (!ownerIsDead(holder)) return refused;
      // The holder's process is gone (this machine): take the lease from that holder only, so two callers
      // that both saw it dead cannot both win.
      const takeover = await this.db.query('UPDATE locks SET owner = $2, expires_at = $3 WHERE installation_id = $1 AND owner = $4', [installationId, owner, now + ttlMs, holder]);
      if (takeover.rowCount === 1) return { acquired: true };
    }
    return refused;
  };

  readonly renewLock = async (installationId: string, owner: string, ttlMs: number): Promise<boolean> => {
    const r = await this.db.query('UPDATE locks SET expires_at = $3 WHERE installation_id = $1 AND owner = $2', [installationId, owner, this.now() + ttlMs]);
    return r.rowCount === 1;
  };

  readonly releaseLock = async (installationId: string, owner: string): Promise<void> => {
    await this.db.query('DELETE FROM locks WHERE installation_id = $1 AND owner = $2', [installationId, owner]);
  };

  readonly createRun = async (run: NewRun): Promise<RunRecord> => {
    const r = await this.db.query(
      `INSERT INTO runs (id, installation_id, kind, mode, status, as_of, started_at, heartbeat_at, stats, rollback_of, scored_at, owner)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12) RETURNING *`,
      [run.id, run.installationId, run.kind, run.mode, run.status, run.asOf, run.startedAt, this.now(), jsonText(run.stats), run.rollbackOf, run.scoredAt, run.owner ?? null],
    );
    const row = r.rows[0];
    if (!row) throw new Error('store: run vanished');
    return toRun(row);
  };

  readonly updateRun = async (id: string, patch: Partial<Pick<RunRecord, 'status' | 'mode' | 'stats' | 'message' | 'finishedAt' | 'heartbeatAt' | 'scoredAt'>>): Promise<void> => {
    await this.update(this.db, id, patch);
  };

  private readonly update = async (db: PgQueryable, id: string, patch: Partial<Pick<RunRecord, 'status' | 'mode' | 'stats' | 'message' | 'finishedAt' | 'heartbeatAt' | 'scoredAt'>>): Promise<void> => {
    const columns: [string, PgValue][] = [];
    if (patch.status !== undefined) columns.push(['status', patch.status]);
    if (patch.mode !== undefined) columns.push(['mode', patch.mode]);
    if (patch.stats !== undefined) columns.push(['stats', jsonText(patch.stats)]);
    // Messages may quote a CRM's error: the process's redactor runs before they are stored.
    if (patch.message !== undefined) columns.push(['message', patch.message === null ? null : redactOutput(patch.message)]);
    if (patch.finishedAt !== undefined) columns.push(['finished_at', patch.finishedAt]);
    if (patch.heartbeatAt !== undefined) columns.push(['heartbeat_at', patch.heartbeatAt]);
    if (patch.scoredAt !== undefined) columns.push(['scored_at', patch.scoredAt]);
    if (columns.length === 0) return;
    const sets = columns.map(([c], i) => `${c} = $${i + 2}${c === 'stats' ? '::jsonb' : ''}`).join(', ');
    await db.query(`UPDATE runs SET ${sets} WHERE id = $1`, [id, ...columns.map(([, v]) => v)]);
  };

  readonly getRun = async (id: string): Promise<RunRecord | null> => {
    const row = (await this.db.query('SELECT * FROM runs WHERE id = $1', [id])).rows[0];
    return row ? toRun(row) : null;
  };

  readonly listRuns = async (installationId: string, limit: number, kinds?: readonly RunKind[]): Promise<RunRecord[]> => {
    if (kinds === undefined) return (await this.db.query('SELECT * FROM runs WHERE installation_id = $1 ORDER BY started_at DESC, seq DESC LIMIT $2', [installationId, limit])).rows.map(toRun);
    return (await this.db.query('SELECT * FROM runs WHERE installation_id = $1 AND kind = ANY($3::text[]) ORDER BY started_at DESC, seq DESC LIMIT $2', [installationId, limit, [...kinds]])).rows.map(toRun);
  };

  readonly latestRuns = async (filter: { kind?: RunKind; status?: RunStatus }): Promise<RunRecord[]> => {
    const rows = await this.db.query(
      // Per installation down its index (runs_by_installation), not a scan of every run ever recorded.
      `SELECT r.* FROM installations i CROSS JOIN LATERAL (
         SELECT * FROM runs WHERE installation_id = i.id AND ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR status = $2)
         ORDER BY started_at DESC, seq DESC LIMIT 1) r`,
      [filter.kind ?? null, filter.status ?? null],
    );
    return rows.rows.map(toRun);
  };

  readonly markRunsInterrupted = async (installationId: string | null, exceptRunId?: string): Promise<RunRecord[]> => {
    const now = this.now();
    const rows = (
      await this.db.query(
        `SELECT r.*, l.owner AS lock_owner, l.expires_at AS lock_expires_at FROM runs r
         LEFT JOIN locks l ON l.installation_id = r.installation_id
         WHERE r.status = 'running' AND ($1::text IS NULL OR r.installation_id = $1) ORDER BY r.started_at, r.seq`,
        [installationId],
      )
    ).rows;
    const stale: RunRecord[] = [];
    for (const row of rows) {
      const run = toRun(row);
      if (run.id === exceptRunId) continue;
      const lockOwner = textOrNull(row, 'lock_owner');
      const held = lockOwner !== null && run.owner !== null && lockOwner === run.owner && num(row, 'lock_expires_at') > now && !ownerIsDead(run.owner);
      if (held) continue;
      const interrupted = await this.db.atomic((tx) => this.interrupt(tx, run.id, PROCESS_GONE));
      if (interrupted) stale.push(interrupted);
    }
    return stale;
  };

  readonly abandonRun = async (runId: string, reason: string): Promise<RunRecord | null> => {
    return this.db.atomic(async (tx) => {
      const row = (await tx.query("SELECT installation_id, owner FROM runs WHERE id = $1 AND status = 'running' FOR UPDATE", [runId])).rows[0];
      if (!row) return null;
      const owner = textOrNull(row, 'owner');
      // Its lease goes with it: a holder still alive finds it gone at its next renewal and stops.
      if (owner !== null) await tx.query('DELETE FROM locks WHERE installation_id = $1 AND owner = $2', [text(row, 'installation_id'), owner]);
      return this.interrupt(tx, runId, reason);
    });
  };

  /**
   * Marks a run interrupted, with what its audit says it wrote (a killed run never recorded its counts).
   * The run's row is locked first, so a run that ended meanwhile (or that another process marked) is left
   * as it is: null.
   */
  private readonly interrupt = async (tx: PgQueryable, runId: string, reason: string): Promise<RunRecord | null> => {
    const row = (await tx.query("SELECT * FROM runs WHERE id = $1 AND status = 'running' FOR UPDATE", [runId])).rows[0];
    if (!row) return null;
    const run = toRun(row);
    const counts = (await tx.query('SELECT state, COUNT(DISTINCT record_id) AS n FROM audit WHERE run_id = $1 GROUP BY state', [runId])).rows;
    const { stats, message } = interruption(run, Object.fromEntries(counts.map((r) => [auditStateSchema.parse(text(r, 'state')), num(r, 'n')])), reason);
    await this.update(tx, runId, { status: 'interrupted', finishedAt: run.heartbeatAt, stats, message });
    // An interrupted run's plan was only its work list (a dry run's is kept for the admin).
    if (run.kind !== 'dry_run') await tx.query('DELETE FROM planned_changes WHERE run_id = $1', [runId]);
    return { ...run, status: 'interrupted', finishedAt: run.heartbeatAt, stats, message };
  };

  readonly addRunErrors = async (errors: RunErrorRecord[]): Promise<void> => {
    if (errors.length === 0) return;
    const r = await this.db.query(
      `INSERT INTO run_errors (installation_id, run_id, record_id, phase, code, message, at)
       SELECT r.installation_id, e.run_id, e.record_id, e.phase, e.code, e.message, e.at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) WITH ORDINALITY AS e(run_id, record_id, phase, code, message, at, ord)
       JOIN runs r ON r.id = e.run_id
       WHERE NOT EXISTS (SELECT 1 FROM unnest($1::text[]) AS k(id) WHERE NOT EXISTS (SELECT 1 FROM runs WHERE runs.id = k.id))
       ORDER BY e.ord`,
      [
        errors.map((e) => e.runId),
        errors.map((e) => e.recordId),
        errors.map((e) => e.phase),
        errors.map((e) => e.code),
        errors.map((e) => redactOutput(e.message)),
        errors.map((e) => e.at),
      ],
    );
    if (r.rowCount !== errors.length) await requireRuns(this.db, errors.map((e) => e.runId));
  };

  readonly runErrorCounts = async (runId: string): Promise<{ phase: string; code: string; count: number; example: string }[]> => {
    const r = await this.db.query(
      `SELECT phase, code, COUNT(*)::int AS n, (array_agg(message ORDER BY seq))[1] AS example
       FROM run_errors WHERE run_id = $1 GROUP BY phase, code ORDER BY n DESC, phase, code`,
      [runId],
    );
    return r.rows.map((row) => ({ phase: text(row, 'phase'), code: text(row, 'code'), count: num(row, 'n'), example: text(row, 'example') }));
  };

  readonly listRunErrors = async (runId: string, limit = 1000): Promise<RunErrorRecord[]> => {
    return (await this.db.query('SELECT * FROM run_errors WHERE run_id = $1 ORDER BY seq LIMIT $2', [runId, limit])).rows.map((r) => runErrorFromRow(COLUMNS, r));
  };
}
