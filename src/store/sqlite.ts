/**
 * The embedded store: one SQLite file through Node's built-in `node:sqlite`, in WAL mode (readers do
 * not block the writer), with versioned migrations. JSON columns are parsed back with zod: the file
 * outlives versions of the program and may be edited by hand.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { SQLInputValue } from 'node:sqlite';
import { z } from 'zod';
import { FIELD_KEYS, type FieldKey, type FieldValues, type PullCursor } from '../../connectors/contract/index.ts';
import { LifecycleSyncError } from '../errors.ts';
import { redactOutput, rememberSecrets } from '../secrets.ts';
import { CredentialCipher } from './crypto.ts';
import { MIGRATIONS } from './migrations.ts';
import { SqliteDb, type Row } from './sqliteDb.ts';
import type {
  AuditEntry,
  AuditState,
  Installation,
  NewRun,
  PlannedChange,
  RunErrorRecord,
  RunRecord,
  Store,
  StoredCredentials,
  StoredCustomer,
  StoredDeal,
  StoredScores,
} from './types.ts';

const fieldValuesSchema: z.ZodType<FieldValues> = z.partialRecord(z.enum(FIELD_KEYS), z.string().nullable());
const signalsSchema = z
  .object({
    openDeals: z.number().optional(),
    lastEngagementDay: z.number().nullable().optional(),
    nps: z.number().nullable().optional(),
    referrals: z.number().nullable().optional(),
    advocate: z.boolean().optional(),
    churnFlag: z.boolean().optional(),
    churnReason: z.string().nullable().optional(),
  })
  .strict();
const scoresSchema = z.object({ asOf: z.string(), values: fieldValuesSchema, features: z.record(z.string(), z.unknown()) });
const statsSchema = z
  .object({
    pulledCustomers: z.number(),
    pulledDeals: z.number(),
    classified: z.number(),
    changed: z.number(),
    changedFields: z.record(z.string(), z.number()),
    stageTransitions: z.record(z.string(), z.number()),
    written: z.number(),
    failed: z.number(),
    skippedRecords: z.number(),
    requests: z.number(),
    rateLimited: z.number(),
    retries: z.number(),
    // Added after the first release of the schema: absent in older rows.
    phaseMs: z.partialRecord(z.enum(['fields', 'pull', 'classify', 'write']), z.number()).default({}),
  })
  .strict();
const credentialsSchema = z.object({
  kind: z.enum(['oauth', 'access_token', 'jwt']),
  accessToken: z.string().optional(),
  refreshToken: z.string().optional(),
  expiresAt: z.number().optional(),
  extra: z.record(z.string(), z.string()).optional(),
});
const cursorSchema = z.record(z.string(), z.unknown());

function text(row: Row, column: string): string {
  const v = row[column];
  if (typeof v !== 'string') throw new Error(`store: column ${column} is not text`);
  return v;
}
function textOrNull(row: Row, column: string): string | null {
  const v = row[column];
  if (v === null) return null;
  return text(row, column);
}
function num(row: Row, column: string): number {
  const v = row[column];
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new Error(`store: column ${column} is not a number`);
}
function numOrNull(row: Row, column: string): number | null {
  return row[column] === null ? null : num(row, column);
}
function json<T>(row: Row, column: string, schema: z.ZodType<T>): T {
  return schema.parse(JSON.parse(text(row, column)));
}

/** The process holding a lock is gone: same machine and no such process. */
function ownerIsDead(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname() || !pid || !/^\d+$/.test(pid)) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export interface SqliteStoreOptions {
  /** Secret for credentials at rest (ENCRYPTION_KEY); without it credentials cannot be saved or read. */
  encryptionKey?: string;
  clock?: () => number;
  /**
   * How long a write waits for another connection's lock (ms). The server's event loop must never wait
   * long (it answers /healthz), so the service opens its connection with a short timeout; runs, on their
   * own thread, wait longer.
   */
  busyTimeoutMs?: number;
}

export class SqliteStore implements Store {
  private readonly db: SqliteDb;
  private readonly cipher: CredentialCipher | null;
  private readonly now: () => number;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    if (path !== ':memory:') {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (error) {
        throw new LifecycleSyncError('STORE_FAILED', `state database ${path}: cannot create its folder (${(error as Error).message})`);
      }
    }
    this.db = new SqliteDb(path, { busyTimeoutMs: options.busyTimeoutMs ?? 5000 });
    this.now = options.clock ?? Date.now;
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    this.migrate();
    this.cipher = options.encryptionKey ? new CredentialCipher(options.encryptionKey, this.salt()) : null;
  }

  /** The file this store keeps its state in. */
  get path(): string {
    return this.db.path;
  }

  close(): void {
    this.db.close();
  }

  /** A statement bound to its SQL, for loops (the connection caches the prepared statement). */
  private prepared(sql: string) {
    return {
      run: (...params: SQLInputValue[]) => this.db.run(sql, ...params),
      get: (...params: SQLInputValue[]) => this.db.get(sql, ...params),
      all: (...params: SQLInputValue[]) => this.db.all(sql, ...params),
    };
  }

  private transaction<T>(fn: () => T): T {
    return this.db.transaction(fn);
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    const applied = new Set(this.db.all('SELECT version FROM schema_migrations').map((r) => num(r, 'version')));
    const newest = Math.max(...MIGRATIONS.map((m) => m.version));
    const ahead = [...applied].filter((v) => v > newest);
    if (ahead.length > 0) {
      throw new LifecycleSyncError('STORE_FAILED', `state database ${this.db.path}: its schema version ${Math.max(...ahead)} is newer than this program's (${newest}); upgrade Lifecycle Sync or use another file`);
    }
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      this.transaction(() => {
        this.db.exec(m.sql);
        this.db.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', m.version, this.now());
      });
    }
  }

  private salt(): Buffer {
    const row = this.db.get("SELECT value FROM meta WHERE key = 'credential_salt'");
    if (row && row.value instanceof Uint8Array) return Buffer.from(row.value);
    const salt = randomBytes(16);
    this.db.run("INSERT OR IGNORE INTO meta (key, value) VALUES ('credential_salt', ?)", salt);
    return salt;
  }

  // installations and credentials

  upsertInstallation(i: { id: string; crm: Installation['crm']; name: string }): Installation {
    const now = this.now();
    this.db.run(
      `INSERT INTO installations (id, crm, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET crm = excluded.crm, name = excluded.name, updated_at = excluded.updated_at`,
      i.id, i.crm, i.name, now, now,
    );
    const installation = this.getInstallation(i.id);
    if (!installation) throw new Error('store: installation vanished');
    return installation;
  }

  getInstallation(id: string): Installation | null {
    const row = this.db.get('SELECT * FROM installations WHERE id = ?', id);
    return row ? this.toInstallation(row) : null;
  }

  listInstallations(): Installation[] {
    return this.db.all('SELECT * FROM installations ORDER BY id').map((r) => this.toInstallation(r));
  }

  private toInstallation(row: Row): Installation {
    const crm = text(row, 'crm');
    return { id: text(row, 'id'), crm, name: text(row, 'name'), createdAt: num(row, 'created_at'), updatedAt: num(row, 'updated_at') };
  }

  private requireCipher(): CredentialCipher {
    if (!this.cipher) throw new LifecycleSyncError('CONFIG_INVALID', 'ENCRYPTION_KEY is not set: it is needed to store or read CRM credentials (OAuth tokens)');
    return this.cipher;
  }

  saveCredentials(installationId: string, credentials: StoredCredentials): void {
    rememberSecrets(credentials.accessToken, credentials.refreshToken);
    const payload = this.requireCipher().encrypt(JSON.stringify(credentials), installationId);
    this.db.run(
      `INSERT INTO credentials (installation_id, payload, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (installation_id) DO UPDATE SET payload = excluded.payload, updated_at = excluded.updated_at`,
      installationId, payload, this.now(),
    );
  }

  installationsWithCredentials(): string[] {
    return this.db.all('SELECT installation_id FROM credentials ORDER BY updated_at DESC, installation_id').map((r) => text(r, 'installation_id'));
  }

  loadCredentials(installationId: string): StoredCredentials | null {
    const row = this.db.get('SELECT payload FROM credentials WHERE installation_id = ?', installationId);
    if (!row || !(row.payload instanceof Uint8Array)) return null;
    let plaintext: string;
    try {
      plaintext = this.requireCipher().decrypt(row.payload, installationId);
    } catch (error) {
      if (error instanceof LifecycleSyncError) throw error;
      throw new LifecycleSyncError('CONFIG_INVALID', `stored credentials for ${installationId} cannot be decrypted: is ENCRYPTION_KEY the one they were saved with?`);
    }
    const credentials = credentialsSchema.parse(JSON.parse(plaintext));
    // Known from now on, so no error text that repeats them is shown or stored (src/secrets.ts).
    rememberSecrets(credentials.accessToken, credentials.refreshToken);
    return credentials;
  }

  // locks

  acquireLock(installationId: string, owner: string, ttlMs: number) {
    return this.transaction(() => {
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
  }

  renewLock(installationId: string, owner: string, ttlMs: number): boolean {
    const result = this.db.run('UPDATE locks SET expires_at = ? WHERE installation_id = ? AND owner = ?', this.now() + ttlMs, installationId, owner);
    return Number(result.changes) === 1;
  }

  releaseLock(installationId: string, owner: string): void {
    this.db.run('DELETE FROM locks WHERE installation_id = ? AND owner = ?', installationId, owner);
  }

  // runs

  createRun(run: NewRun): RunRecord {
    const now = this.now();
    this.db.run(
      `INSERT INTO runs (id, installation_id, kind, mode, status, as_of, started_at, heartbeat_at, stats, rollback_of, scored_at, owner)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      run.id, run.installationId, run.kind, run.mode, run.status, run.asOf, run.startedAt, now, JSON.stringify(run.stats), run.rollbackOf, run.scoredAt, run.owner ?? null,
    );
    const created = this.getRun(run.id);
    if (!created) throw new Error('store: run vanished');
    return created;
  }

  updateRun(id: string, patch: Partial<Pick<RunRecord, 'status' | 'mode' | 'stats' | 'message' | 'finishedAt' | 'heartbeatAt' | 'scoredAt'>>): void {
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
  }

  getRun(id: string): RunRecord | null {
    const row = this.db.get('SELECT * FROM runs WHERE id = ?', id);
    return row ? this.toRun(row) : null;
  }

  listRuns(installationId: string, limit: number): RunRecord[] {
    return this.db.all('SELECT * FROM runs WHERE installation_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?', installationId, limit).map((r) => this.toRun(r));
  }

  markRunsInterrupted(installationId: string | null, exceptRunId?: string): RunRecord[] {
    const now = this.now();
    const running = (
      installationId === null
        ? this.db.all("SELECT * FROM runs WHERE status = 'running'")
        : this.db.all("SELECT * FROM runs WHERE installation_id = ? AND status = 'running'", installationId)
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
  }

  abandonRun(runId: string, reason: string): RunRecord | null {
    return this.transaction(() => {
      const run = this.getRun(runId);
      if (!run || run.status !== 'running') return null;
      // Its lease goes with it: a holder still alive finds it gone at its next renewal and stops.
      if (run.owner !== null) this.db.run('DELETE FROM locks WHERE installation_id = ? AND owner = ?', run.installationId, run.owner);
      return this.interrupt(run, reason);
    });
  }

  /** Marks a run interrupted, with what its audit says it wrote (a killed run never recorded its counts). */
  private interrupt(run: RunRecord, reason = 'the process running it stopped before it finished'): RunRecord {
    const counts = new Map(this.db.all('SELECT state, COUNT(DISTINCT record_id) AS n FROM audit WHERE run_id = ? GROUP BY state', run.id).map((r) => [text(r, 'state'), num(r, 'n')]));
    const written = Math.max(run.stats.written, counts.get('applied') ?? 0);
    const failed = Math.max(run.stats.failed, counts.get('failed') ?? 0);
    const unknown = (counts.get('pending') ?? 0) + (counts.get('superseded') ?? 0);
    const stats = { ...run.stats, written, failed };
    const parts = [`${written} records written`, ...(failed > 0 ? [`${failed} failed`] : []), ...(unknown > 0 ? [`${unknown} in flight when it stopped`] : [])];
    const rollback = run.kind === 'sync' && written + unknown > 0 ? '; it can be rolled back' : '';
    const message = `${reason} (${parts.join(', ')}); the next run continues its work${rollback}`;
    this.updateRun(run.id, { status: 'interrupted', finishedAt: run.heartbeatAt, stats, message });
    return { ...run, status: 'interrupted', finishedAt: run.heartbeatAt, stats, message };
  }

  private toRun(row: Row): RunRecord {
    const mode = textOrNull(row, 'mode');
    return {
      id: text(row, 'id'),
      installationId: text(row, 'installation_id'),
      kind: z.enum(['sync', 'dry_run', 'rollback']).parse(text(row, 'kind')),
      mode: mode === null ? null : z.enum(['full', 'incremental']).parse(mode),
      status: z.enum(['running', 'succeeded', 'failed', 'stopped', 'interrupted']).parse(text(row, 'status')),
      asOf: text(row, 'as_of'),
      startedAt: num(row, 'started_at'),
      finishedAt: numOrNull(row, 'finished_at'),
      heartbeatAt: num(row, 'heartbeat_at'),
      stats: json(row, 'stats', statsSchema),
      message: textOrNull(row, 'message'),
      rollbackOf: textOrNull(row, 'rollback_of'),
      scoredAt: numOrNull(row, 'scored_at'),
      owner: textOrNull(row, 'owner'),
    };
  }

  addRunErrors(errors: RunErrorRecord[]): void {
    if (errors.length === 0) return;
    const insert = this.prepared('INSERT INTO run_errors (run_id, record_id, phase, code, message, at) VALUES (?, ?, ?, ?, ?, ?)');
    this.transaction(() => {
      for (const e of errors) insert.run(e.runId, e.recordId, e.phase, e.code, redactOutput(e.message), e.at);
    });
  }

  listRunErrors(runId: string, limit = 1000): RunErrorRecord[] {
    return this.db.all('SELECT * FROM run_errors WHERE run_id = ? ORDER BY rowid LIMIT ?', runId, limit).map((r) => ({
      runId: text(r, 'run_id'),
      recordId: textOrNull(r, 'record_id'),
      phase: z.enum(['pull', 'classify', 'write', 'rollback', 'setup']).parse(text(r, 'phase')),
      code: text(r, 'code'),
      message: text(r, 'message'),
      at: num(r, 'at'),
    }));
  }

  // CRM data

  upsertCustomers(installationId: string, customers: Omit<StoredCustomer, 'deleted' | 'scores'>[], seenInPull?: string): void {
    const upsert = this.prepared(
      `INSERT INTO customers (installation_id, record_id, modified_at, signals, crm_values, deleted, seen_in_pull)
       VALUES (?, ?, ?, ?, ?, 0, ?)
       ON CONFLICT (installation_id, record_id) DO UPDATE SET modified_at = excluded.modified_at, signals = excluded.signals,
         crm_values = excluded.crm_values, deleted = 0, seen_in_pull = COALESCE(excluded.seen_in_pull, customers.seen_in_pull)`,
    );
    this.transaction(() => {
      for (const c of customers) upsert.run(installationId, c.recordId, c.modifiedAt, JSON.stringify(c.signals), JSON.stringify(c.crmValues), seenInPull ?? null);
    });
  }

  upsertDeals(installationId: string, deals: StoredDeal[], seenInPull?: string): void {
    const upsert = this.prepared(
      `INSERT INTO deals (installation_id, record_id, status, amount, close_day, modified_at, customer_ids, deleted, seen_in_pull)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)
       ON CONFLICT (installation_id, record_id) DO UPDATE SET status = excluded.status, amount = excluded.amount,
         close_day = excluded.close_day, modified_at = excluded.modified_at, customer_ids = excluded.customer_ids, deleted = 0,
         seen_in_pull = COALESCE(excluded.seen_in_pull, deals.seen_in_pull)`,
    );
    const unlink = this.prepared('DELETE FROM deal_customers WHERE installation_id = ? AND deal_id = ?');
    const link = this.prepared('INSERT OR IGNORE INTO deal_customers (installation_id, deal_id, customer_id) VALUES (?, ?, ?)');
    this.transaction(() => {
      for (const d of deals) {
        upsert.run(installationId, d.recordId, d.status, d.amount, d.closeDay, d.modifiedAt, JSON.stringify(d.customerIds), seenInPull ?? null);
        unlink.run(installationId, d.recordId);
        for (const c of d.customerIds) link.run(installationId, d.recordId, c);
      }
    });
  }

  markUnseenDeleted(installationId: string, pullId: string): { customers: number; deals: number } {
    return this.transaction(() => {
      const customers = this.db.run(
        'UPDATE customers SET deleted = 1 WHERE installation_id = ? AND deleted = 0 AND (seen_in_pull IS NULL OR seen_in_pull <> ?)',
      installationId, pullId);
      const deals = this.db.run('UPDATE deals SET deleted = 1 WHERE installation_id = ? AND deleted = 0 AND (seen_in_pull IS NULL OR seen_in_pull <> ?)',
        installationId,
        pullId,
      );
      return { customers: Number(customers.changes), deals: Number(deals.changes) };
    });
  }

  markCustomersDeleted(installationId: string, recordIds: string[]): void {
    const mark = this.prepared('UPDATE customers SET deleted = 1 WHERE installation_id = ? AND record_id = ?');
    this.transaction(() => {
      for (const id of recordIds) mark.run(installationId, id);
    });
  }

  loadCustomers(installationId: string): StoredCustomer[] {
    return this.db.all('SELECT * FROM customers WHERE installation_id = ? AND deleted = 0 ORDER BY rowid', installationId).map((r) => this.toCustomer(r));
  }

  getCustomer(installationId: string, recordId: string): StoredCustomer | null {
    const row = this.db.get('SELECT * FROM customers WHERE installation_id = ? AND record_id = ?', installationId, recordId);
    return row ? this.toCustomer(row) : null;
  }

  private toCustomer(row: Row): StoredCustomer {
    const scores = textOrNull(row, 'scores');
    return {
      recordId: text(row, 'record_id'),
      modifiedAt: num(row, 'modified_at'),
      signals: json(row, 'signals', signalsSchema),
      crmValues: json(row, 'crm_values', fieldValuesSchema),
      deleted: num(row, 'deleted') === 1,
      scores: scores === null ? null : (scoresSchema.parse(JSON.parse(scores))),
    };
  }

  loadDeals(installationId: string): StoredDeal[] {
    return this.db.all('SELECT * FROM deals WHERE installation_id = ? AND deleted = 0', installationId).map((r) => this.toDeal(r));
  }

  dealsOf(installationId: string, recordId: string): StoredDeal[] {
    return (
      this.db.all(
        `SELECT d.* FROM deal_customers dc JOIN deals d ON d.installation_id = dc.installation_id AND d.record_id = dc.deal_id
         WHERE dc.installation_id = ? AND dc.customer_id = ? AND d.deleted = 0 ORDER BY d.close_day`,
      installationId, recordId)
    ).map((r) => this.toDeal(r));
  }

  private toDeal(row: Row): StoredDeal {
    return {
      recordId: text(row, 'record_id'),
      customerIds: json(row, 'customer_ids', z.array(z.string())),
      status: z.enum(['won', 'open', 'lost']).parse(text(row, 'status')),
      amount: numOrNull(row, 'amount'),
      closeDay: numOrNull(row, 'close_day'),
      modifiedAt: num(row, 'modified_at'),
    };
  }

  setCrmValues(installationId: string, updates: { recordId: string; values: FieldValues; modifiedAt: number | null }[]): void {
    const read = this.prepared('SELECT crm_values FROM customers WHERE installation_id = ? AND record_id = ?');
    const write = this.prepared('UPDATE customers SET crm_values = ?, modified_at = COALESCE(?, modified_at) WHERE installation_id = ? AND record_id = ?');
    this.transaction(() => {
      for (const u of updates) {
        const row = read.get(installationId, u.recordId);
        if (!row) continue;
        const merged = { ...json(row, 'crm_values', fieldValuesSchema), ...u.values };
        write.run(JSON.stringify(merged), u.modifiedAt, installationId, u.recordId);
      }
    });
  }

  saveScores(installationId: string, scores: { recordId: string; scores: StoredScores }[]): void {
    const write = this.prepared('UPDATE customers SET scores = ? WHERE installation_id = ? AND record_id = ?');
    this.transaction(() => {
      for (const s of scores) write.run(JSON.stringify(s.scores), installationId, s.recordId);
    });
  }

  // audit, plans, retries

  addAudit(entries: Omit<AuditEntry, 'id'>[]): number[] {
    const insert = this.prepared(
      'INSERT INTO audit (run_id, installation_id, record_id, field, previous_value, new_value, state, at) SELECT ?, installation_id, ?, ?, ?, ?, ?, ? FROM runs WHERE id = ?',
    );
    return this.transaction(() =>
      entries.map((e) => {
        const result = insert.run(e.runId, e.recordId, e.field, e.previous, e.next, e.state, e.at, e.runId);
        return Number(result.lastInsertRowid);
      }),
    );
  }

  setAuditState(ids: number[], state: AuditState): void {
    const update = this.prepared('UPDATE audit SET state = ? WHERE id = ?');
    this.transaction(() => {
      for (const id of ids) update.run(state, id);
    });
  }

  listAudit(runId: string): AuditEntry[] {
    return this.db.all('SELECT * FROM audit WHERE run_id = ? ORDER BY id', runId).map((r) => this.toAudit(r));
  }

  auditOfRecord(installationId: string, recordId: string, limit: number): AuditEntry[] {
    return this.db.all('SELECT * FROM audit WHERE installation_id = ? AND record_id = ? ORDER BY id DESC LIMIT ?', installationId, recordId, limit).map((r) =>
      this.toAudit(r),
    );
  }

  supersedePendingAudit(installationId: string, exceptRunId: string): number {
    const result = this.db.run("UPDATE audit SET state = 'superseded' WHERE installation_id = ? AND state = 'pending' AND run_id <> ?", installationId, exceptRunId);
    return Number(result.changes);
  }

  private toAudit(row: Row): AuditEntry {
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
  }

  savePlan(runId: string, changes: PlannedChange[]): void {
    // Records in plan order with stage moves first (what an admin checks before writing), numbered so a
    // page of records is an index range, never a sort of the whole plan.
    const order = new Map<string, boolean>();
    for (const c of changes) order.set(c.recordId, (order.get(c.recordId) ?? false) || c.field === 'stage');
    const seq = new Map<string, number>();
    for (const stageFirst of [true, false]) for (const [recordId, moves] of order) if (moves === stageFirst) seq.set(recordId, seq.size);
    const insert = this.prepared('INSERT INTO planned_changes (run_id, record_seq, record_id, field, previous_value, new_value) VALUES (?, ?, ?, ?, ?, ?)');
    this.transaction(() => {
      this.db.run('DELETE FROM planned_changes WHERE run_id = ?', runId);
      for (const c of changes) insert.run(runId, seq.get(c.recordId) ?? 0, c.recordId, c.field, c.previous, c.next);
    });
  }

  loadPlan(runId: string): PlannedChange[] {
    return this.db.all('SELECT * FROM planned_changes WHERE run_id = ? ORDER BY record_seq, rowid', runId).map((r) => this.toPlanned(r));
  }

  planChanges(runId: string, page: { offset: number; limit: number; field?: FieldKey }): PlannedChange[] {
    const rows = page.field
      ? this.db.all('SELECT * FROM planned_changes WHERE run_id = ? AND field = ? ORDER BY record_seq, rowid LIMIT ? OFFSET ?', runId, page.field, page.limit, page.offset)
      : this.db.all('SELECT * FROM planned_changes WHERE run_id = ? ORDER BY record_seq, rowid LIMIT ? OFFSET ?', runId, page.limit, page.offset);
    return rows.map((r) => this.toPlanned(r));
  }

  planRecords(runId: string, page: { offset: number; limit: number }): { recordId: string; changes: PlannedChange[] }[] {
    const rows = this.db.all('SELECT * FROM planned_changes WHERE run_id = ? AND record_seq >= ? AND record_seq < ? ORDER BY record_seq, rowid', runId, page.offset, page.offset + page.limit);
    const records = new Map<string, PlannedChange[]>();
    for (const row of rows) {
      const change = this.toPlanned(row);
      const list = records.get(change.recordId);
      if (list) list.push(change);
      else records.set(change.recordId, [change]);
    }
    return [...records].map(([recordId, changes]) => ({ recordId, changes }));
  }

  private toPlanned(r: Row): PlannedChange {
    return {
      recordId: text(r, 'record_id'),
      field: z.enum(FIELD_KEYS).parse(text(r, 'field')),
      previous: textOrNull(r, 'previous_value'),
      next: textOrNull(r, 'new_value'),
    };
  }

  setRetries(installationId: string, entries: { recordId: string; reason: string }[]): void {
    const upsert = this.prepared(
      `INSERT INTO retry_queue (installation_id, record_id, reason, attempts) VALUES (?, ?, ?, 1)
       ON CONFLICT (installation_id, record_id) DO UPDATE SET reason = excluded.reason, attempts = retry_queue.attempts + 1`,
    );
    this.transaction(() => {
      for (const e of entries) upsert.run(installationId, e.recordId, e.reason);
    });
  }

  clearRetries(installationId: string, recordIds: string[]): void {
    const remove = this.prepared('DELETE FROM retry_queue WHERE installation_id = ? AND record_id = ?');
    this.transaction(() => {
      for (const id of recordIds) remove.run(installationId, id);
    });
  }

  listRetries(installationId: string): { recordId: string; reason: string; attempts: number }[] {
    return this.db.all('SELECT * FROM retry_queue WHERE installation_id = ? ORDER BY record_id', installationId).map((r) => ({
      recordId: text(r, 'record_id'),
      reason: text(r, 'reason'),
      attempts: num(r, 'attempts'),
    }));
  }

  // models, cursors, quota

  saveModelFit(installationId: string, runId: string, fit: unknown): void {
    this.db.run('INSERT INTO model_fits (installation_id, run_id, at, fit) VALUES (?, ?, ?, ?)', installationId, runId, this.now(), JSON.stringify(fit));
  }

  latestModelFit(installationId: string): { runId: string; at: number; fit: unknown } | null {
    const row = this.db.get('SELECT * FROM model_fits WHERE installation_id = ? ORDER BY id DESC LIMIT 1', installationId);
    return row ? { runId: text(row, 'run_id'), at: num(row, 'at'), fit: JSON.parse(text(row, 'fit')) as unknown } : null;
  }

  getCursor(installationId: string, name: string): PullCursor | null {
    const row = this.db.get('SELECT value FROM cursors WHERE installation_id = ? AND name = ?', installationId, name);
    return row ? json(row, 'value', cursorSchema) : null;
  }

  setCursor(installationId: string, name: string, value: PullCursor | null): void {
    if (value === null) {
      this.db.run('DELETE FROM cursors WHERE installation_id = ? AND name = ?', installationId, name);
      return;
    }
    this.db.run(
      `INSERT INTO cursors (installation_id, name, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (installation_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      installationId, name, JSON.stringify(value), this.now(),
    );
  }

  addRequestUsage(installationId: string, day: string, requests: number): void {
    if (requests === 0) return;
    this.db.run(
      `INSERT INTO request_usage (installation_id, day, requests) VALUES (?, ?, ?)
       ON CONFLICT (installation_id, day) DO UPDATE SET requests = request_usage.requests + excluded.requests`,
      installationId, day, requests,
    );
  }

  requestUsage(installationId: string, day: string): number {
    const row = this.db.get('SELECT requests FROM request_usage WHERE installation_id = ? AND day = ?', installationId, day);
    return row ? num(row, 'requests') : 0;
  }
}

/** The store's file: LIFECYCLE_SYNC_DB, else the configured path. */
export function openStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  return new SqliteStore(path, options);
}
