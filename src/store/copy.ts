/**
 * `lifecycle-sync store copy --to postgres://…`: an installation's whole state moves from the SQLite file
 * to Postgres — its runs with their errors, the audit of every written value, plans, cursors, model fits,
 * the retry queue, request counts, the CRM data the next run diffs against, and its credentials
 * (decrypted with the file's key and stored again under the database's) — so an admin who outgrows one
 * machine keeps the history and the next run is incremental, not a full resync.
 *
 * Table by table, in pages (a million customers move in bounded memory), in one Postgres transaction:
 * a copy that fails leaves the database as it was. Audit and fit ids are the database's own (ids are
 * shared by every installation there); their order is kept, which is all that reads of them rely on.
 */
import { existsSync } from 'node:fs';
import type { SQLInputValue } from 'node:sqlite';
import { LifecycleSyncError } from '../errors.ts';
import { PostgresDb, type PgQueryable, type PgValue } from './postgresDb.ts';
import { migrate } from './postgres/migrate.ts';
import { openPostgresStore } from './postgres.ts';
import { openStore } from './sqlite.ts';
import { SqliteDb, type Row } from './sqliteDb.ts';

/** How a column moves: its name in both stores and the Postgres type it is cast to. */
interface Column {
  name: string;
  cast: 'text' | 'bigint' | 'integer' | 'double precision' | 'json' | 'jsonb' | 'boolean' | 'bytea';
}

interface TableCopy {
  table: string;
  /** SQLite: the installation's rows (the first placeholder is the installation id), in key order (`copy_key`: the rowid, or a key). */
  from: string;
  columns: Column[];
  /** Postgres columns set from the installation id (the run-scoped tables carry it there). */
  withInstallation?: boolean;
  /** Rows per statement (default PAGE). */
  page?: number;
}

const c = (name: string, cast: Column['cast']): Column => ({ name, cast });
const byInstallation = (table: string) => `SELECT rowid AS copy_key, * FROM ${table} WHERE installation_id = ?`;
const byRun = (table: string) => `SELECT t.rowid AS copy_key, t.* FROM ${table} t JOIN runs r ON r.id = t.run_id WHERE r.installation_id = ?`;

const TABLES: TableCopy[] = [
  {
    table: 'runs',
    from: byInstallation('runs'),
    columns: [c('id', 'text'), c('installation_id', 'text'), c('kind', 'text'), c('mode', 'text'), c('status', 'text'), c('as_of', 'text'), c('started_at', 'bigint'), c('finished_at', 'bigint'), c('heartbeat_at', 'bigint'), c('stats', 'jsonb'), c('message', 'text'), c('rollback_of', 'text'), c('scored_at', 'bigint'), c('owner', 'text')],
  },
  { table: 'run_errors', from: byRun('run_errors'), withInstallation: true, columns: [c('run_id', 'text'), c('record_id', 'text'), c('phase', 'text'), c('code', 'text'), c('message', 'text'), c('at', 'bigint')] },
  {
    table: 'customers',
    from: byInstallation('customers'),
    columns: [c('installation_id', 'text'), c('record_id', 'text'), c('modified_at', 'bigint'), c('signals', 'jsonb'), c('crm_values', 'jsonb'), c('deleted', 'boolean'), c('seen_in_pull', 'text'), c('display', 'jsonb')],
  },
  {
    table: 'deals',
    from: byInstallation('deals'),
    columns: [c('installation_id', 'text'), c('record_id', 'text'), c('status', 'text'), c('amount', 'double precision'), c('close_day', 'integer'), c('modified_at', 'bigint'), c('customer_ids', 'jsonb'), c('deleted', 'boolean'), c('seen_in_pull', 'text'), c('created_day', 'integer')],
  },
  {
    table: 'score_pages',
    // Keyed without a rowid: paged by their first record id, a few at a time (each holds 2,000 customers' scores).
    from: `SELECT first_record_id AS copy_key, * FROM score_pages WHERE installation_id = ?`,
    columns: [c('installation_id', 'text'), c('first_record_id', 'text'), c('last_record_id', 'text'), c('scores', 'json')],
    page: 20,
  },
  {
    table: 'customer_list',
    from: `SELECT record_id AS copy_key, * FROM customer_list WHERE installation_id = ?`,
    columns: [
      c('installation_id', 'text'), c('record_id', 'text'), c('name', 'text'), c('email', 'text'), c('company', 'text'), c('search_text', 'text'), c('stage', 'text'), c('churn_band', 'text'),
      c('value_tier', 'text'), c('clv', 'double precision'), c('churn_risk', 'double precision'), c('ltv', 'double precision'), c('conversion_likelihood', 'double precision'), c('changed_in_run', 'text'),
    ],
  },
  { table: 'customer_list_runs', from: 'SELECT installation_id AS copy_key, * FROM customer_list_runs WHERE installation_id = ?', columns: [c('installation_id', 'text'), c('run_id', 'text')] },
  {
    table: 'deal_customers',
    from: byInstallation('deal_customers'),
    columns: [c('installation_id', 'text'), c('deal_id', 'text'), c('customer_id', 'text'), c('status', 'text'), c('amount', 'double precision'), c('close_day', 'integer'), c('deleted', 'boolean'), c('created_day', 'integer')],
  },
  {
    table: 'audit',
    // In id order: the database numbers them anew, in the same order.
    from: `SELECT id AS copy_key, * FROM audit WHERE installation_id = ?`,
    columns: [c('run_id', 'text'), c('installation_id', 'text'), c('record_id', 'text'), c('field', 'text'), c('previous_value', 'text'), c('new_value', 'text'), c('state', 'text'), c('at', 'bigint')],
  },
  {
    table: 'planned_changes',
    from: byRun('planned_changes'),
    withInstallation: true,
    columns: [c('run_id', 'text'), c('priority', 'integer'), c('record_seq', 'integer'), c('record_id', 'text'), c('field', 'text'), c('previous_value', 'text'), c('new_value', 'text')],
  },
  { table: 'retry_queue', from: byInstallation('retry_queue'), columns: [c('installation_id', 'text'), c('record_id', 'text'), c('reason', 'text'), c('attempts', 'integer')] },
  { table: 'model_fits', from: `SELECT id AS copy_key, * FROM model_fits WHERE installation_id = ?`, columns: [c('installation_id', 'text'), c('run_id', 'text'), c('at', 'bigint'), c('fit', 'jsonb')] },
  { table: 'cursors', from: byInstallation('cursors'), columns: [c('installation_id', 'text'), c('name', 'text'), c('value', 'jsonb'), c('updated_at', 'bigint')] },
  {
    table: 'stage_pages',
    // Keyed without a rowid (a run's pages by their first record id), a few at a time (2,000 customers each).
    from: `SELECT run_id || char(0) || first_record_id AS copy_key, * FROM stage_pages WHERE installation_id = ?`,
    columns: [c('run_id', 'text'), c('installation_id', 'text'), c('first_record_id', 'text'), c('last_record_id', 'text'), c('customers', 'integer'), c('ids', 'bytea'), c('stages', 'text'), c('codes', 'bytea'), c('last', 'boolean')],
    page: 50,
  },
  {
    table: 'settings_changes',
    from: `SELECT id AS copy_key, * FROM settings_changes WHERE installation_id = ?`,
    columns: [c('installation_id', 'text'), c('at', 'bigint'), c('actor', 'text'), c('key', 'text'), c('before_value', 'jsonb'), c('after_value', 'jsonb')],
  },
  // Pending webhook work moves with the installation (the seen keys do not: they expire within days).
  {
    table: 'webhook_work',
    from: byInstallation('webhook_work'),
    columns: [c('installation_id', 'text'), c('object', 'text'), c('record_id', 'text'), c('action', 'text'), c('occurred_at', 'bigint'), c('version', 'integer'), c('updated_at', 'bigint')],
  },
  {
    table: 'open_deals',
    from: `SELECT deal_id AS copy_key, * FROM open_deals WHERE installation_id = ?`,
    columns: [
      c('installation_id', 'text'), c('deal_id', 'text'), c('name', 'text'), c('stage', 'text'), c('amount', 'double precision'), c('meddic_score', 'double precision'),
      c('win_probability', 'double precision'), c('biggest_gap', 'text'), c('next_action', 'text'), c('basis', 'text'), c('scored_at', 'bigint'), c('run_id', 'text'),
    ],
  },
  { table: 'request_usage', from: byInstallation('request_usage'), columns: [c('installation_id', 'text'), c('day', 'text'), c('requests', 'bigint')] },
  // The conversion model's engagement readings: what makes engagement known at past cut-offs.
  {
    table: 'engagement_readings',
    from: byInstallation('engagement_readings'),
    columns: [c('installation_id', 'text'), c('record_id', 'text'), c('seen_day', 'integer'), c('last_engagement_day', 'integer')],
  },
];

const PAGE = 2000;

/** A SQLite value as the Postgres column wants it (SQLite keeps flags as 0/1, JSON as text). */
function value(v: SQLInputValue | undefined, cast: Column['cast']): PgValue {
  if (v === null || v === undefined) return null;
  if (cast === 'boolean') return Number(v) !== 0;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' || typeof v === 'number') return v;
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

async function copyTable(source: SqliteDb, target: PgQueryable, spec: TableCopy, installationId: string): Promise<number> {
  const columns = [...(spec.withInstallation ? [c('installation_id', 'text')] : []), ...spec.columns];
  const width = columns.length;
  let after: SQLInputValue | null = null;
  let copied = 0;
  for (;;) {
    const rows: Row[] =
      after === null
        ? source.all(`${spec.from} ORDER BY copy_key LIMIT ?`, installationId, spec.page ?? PAGE)
        : source.all(`${spec.from} AND copy_key > ? ORDER BY copy_key LIMIT ?`, installationId, after, spec.page ?? PAGE);
    if (rows.length === 0) return copied;
    const params: PgValue[] = [];
    const tuples = rows.map((row, i) => {
      for (const col of columns) params.push(col.name === 'installation_id' && spec.withInstallation ? installationId : value(row[col.name], col.cast));
      return `(${columns.map((col, j) => `$${i * width + j + 1}::${col.cast}`).join(', ')})`;
    });
    await target.query(`INSERT INTO ${spec.table} (${columns.map((col) => col.name).join(', ')}) VALUES ${tuples.join(', ')}`, params);
    copied += rows.length;
    after = rows[rows.length - 1].copy_key ?? null;
  }
}

export interface CopyOptions {
  /** The SQLite file. */
  from: string;
  /** The Postgres database (postgres://…). */
  to: string;
  /** One installation; default: every installation in the file. */
  installationId?: string;
  encryptionKey?: string;
}

export interface CopyReport {
  installations: { id: string; rows: Record<string, number>; credentials: boolean }[];
}

export async function copyStore(o: CopyOptions): Promise<CopyReport> {
  // Opening a missing file would create an empty store: a mistyped path must not "copy" nothing.
  if (!existsSync(o.from)) throw new LifecycleSyncError('INPUT_INVALID', `no SQLite state file at ${o.from}: nothing to copy (give it with --from, or LIFECYCLE_SYNC_DB)`);
  const sourceStore = openStore(o.from, { encryptionKey: o.encryptionKey });
  const source = new SqliteDb(o.from, { busyTimeoutMs: 15_000 });
  const targetDb = new PostgresDb(o.to);
  try {
    await migrate(targetDb);
    const all = await sourceStore.listInstallations();
    const chosen = o.installationId ? all.filter((i) => i.id === o.installationId) : all;
    if (o.installationId && chosen.length === 0) throw new LifecycleSyncError('NOT_FOUND', `no installation ${o.installationId} in ${o.from}`);
    const report: CopyReport = { installations: [] };
    for (const installation of chosen) {
      const there = await targetDb.query('SELECT 1 FROM installations WHERE id = $1', [installation.id]);
      if (there.rowCount > 0) throw new LifecycleSyncError('INPUT_INVALID', `${targetDb.where} already holds an installation ${installation.id}: nothing was copied (remove it there first, or copy another)`);
      const credentials = await sourceStore.loadCredentials(installation.id);
      const accountEnv = await sourceStore.loadAccountEnv(installation.id);
      const rows: Record<string, number> = {};
      await targetDb.transaction(async (tx) => {
        await tx.query(
          'INSERT INTO installations (id, crm, name, account_id, status, settings, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)',
          [installation.id, installation.crm, installation.name, installation.accountId, installation.status, JSON.stringify(installation.settings), installation.createdAt, installation.updatedAt],
        );
        for (const spec of TABLES) rows[spec.table] = await copyTable(source, tx, spec, installation.id);
      });
      // Stored again under the database's own key derivation (its salt), through the store.
      if (credentials || accountEnv) {
        const target = await openPostgresStore(o.to, { encryptionKey: o.encryptionKey });
        try {
          if (credentials) await target.saveCredentials(installation.id, credentials);
          if (accountEnv) await target.saveAccountEnv(installation.id, accountEnv);
        } finally {
          await target.close();
        }
      }
      report.installations.push({ id: installation.id, rows, credentials: credentials !== null || accountEnv !== null });
    }
    return report;
  } finally {
    source.close();
    await sourceStore.close();
    await targetDb.close();
  }
}
