/** Installations and their credentials (AES-256-GCM at rest, bound to the installation id), on Postgres. */
import { LifecycleSyncError } from '../../errors.ts';
import { environmentSecrets, rememberSecrets } from '../../secrets.ts';
import type { CredentialCipher } from '../crypto.ts';
import type { PgRow } from '../postgresDb.ts';
import { accountEnvContext, installationFromRow, newInstallationId, openAccountEnv, openCredentials, REMOVED_ERROR_MESSAGE, REMOVED_NAME } from '../rowMappers.ts';
import type { Installation, InstallationStatus, InstallationStore, StoredCredentials } from '../types.ts';
import { bytes, COLUMNS, jsonText, text } from './rows.ts';
import type { PgSession } from './session.ts';

const toInstallation = (row: PgRow): Installation => installationFromRow(COLUMNS, row);

export class PostgresInstallations implements InstallationStore {
  private readonly db: PgSession;
  private readonly cipher: CredentialCipher | null;
  private readonly now: () => number;
  constructor(db: PgSession, cipher: CredentialCipher | null, now: () => number) {
    this.db = db;
    this.cipher = cipher;
    this.now = now;
  }

  readonly upsertInstallation = async (i: { id: string; crm: Installation['crm']; name: string; accountId?: string }): Promise<Installation> => {
    const now = this.now();
    const r = await this.db.query(
      `INSERT INTO installations (id, crm, name, account_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (id) DO UPDATE SET crm = excluded.crm, name = excluded.name, account_id = COALESCE(excluded.account_id, installations.account_id), updated_at = excluded.updated_at
       RETURNING *`,
      [i.id, i.crm, i.name, i.accountId ?? null, now],
    );
    const row = r.rows[0];
    if (!row) throw new Error('store: installation vanished');
    return toInstallation(row);
  };

  readonly addInstallation = async (i: { crm: Installation['crm']; name: string; accountId: string | null }): Promise<{ installation: Installation; created: boolean }> => {
    const now = this.now();
    // One statement: two installs of one account at once (two replicas answering OAuth) make one installation.
    const r = await this.db.query(
      `INSERT INTO installations (id, crm, name, account_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (crm, account_id) WHERE account_id IS NOT NULL DO UPDATE SET name = excluded.name, status = 'active', updated_at = excluded.updated_at
       RETURNING *, (xmax = 0) AS created`,
      [newInstallationId(), i.crm, i.name, i.accountId, now],
    );
    const row = r.rows[0];
    if (!row) throw new Error('store: installation vanished');
    return { installation: toInstallation(row), created: row.created === true };
  };

  readonly updateInstallation = async (id: string, patch: { name?: string; status?: InstallationStatus; settings?: Record<string, unknown> }): Promise<Installation | null> => {
    const r = await this.db.query(
      `UPDATE installations SET name = COALESCE($2, name), status = COALESCE($3, status), settings = COALESCE($4::jsonb, settings), updated_at = $5
       WHERE id = $1 RETURNING *`,
      [id, patch.name ?? null, patch.status ?? null, patch.settings === undefined ? null : jsonText(patch.settings), this.now()],
    );
    const row = r.rows[0];
    return row ? toInstallation(row) : null;
  };

  readonly removeInstallation = async (id: string): Promise<boolean> => {
    return this.db.atomic(async (q) => {
      const found = await q.query('SELECT id FROM installations WHERE id = $1 FOR UPDATE', [id]);
      if (found.rows.length === 0) return false;
      // Our own table names, never text from elsewhere.
      for (const table of ['credentials', 'account_env', 'locks', 'customers', 'deals', 'deal_customers', 'score_pages', 'customer_list', 'customer_list_runs', 'audit', 'planned_changes', 'retry_queue', 'model_fits', 'cursors', 'alerts_sent', 'stage_pages', 'settings_changes', 'webhook_work', 'open_deals', 'engagement_readings']) {
        await q.query(`DELETE FROM ${table} WHERE installation_id = $1`, [id]);
      }
      await q.query('UPDATE run_errors SET record_id = NULL, message = $2 WHERE installation_id = $1', [id, REMOVED_ERROR_MESSAGE]);
      await q.query("UPDATE installations SET name = $2, account_id = NULL, status = 'uninstalled', settings = '{}', updated_at = $3 WHERE id = $1", [id, REMOVED_NAME, this.now()]);
      return true;
    });
  };

  readonly getInstallation = async (id: string): Promise<Installation | null> => {
    const row = (await this.db.query('SELECT * FROM installations WHERE id = $1', [id])).rows[0];
    return row ? toInstallation(row) : null;
  };

  readonly installationOfAccount = async (crm: Installation['crm'], accountId: string): Promise<Installation | null> => {
    const row = (await this.db.query('SELECT * FROM installations WHERE crm = $1 AND account_id = $2', [crm, accountId])).rows[0];
    return row ? toInstallation(row) : null;
  };

  readonly listInstallations = async (): Promise<Installation[]> => {
    return (await this.db.query('SELECT * FROM installations ORDER BY id')).rows.map(toInstallation);
  };

  private readonly requireCipher = (): CredentialCipher => {
    if (!this.cipher) throw new LifecycleSyncError('CONFIG_INVALID', 'ENCRYPTION_KEY is not set: it is needed to store or read CRM credentials (OAuth tokens)');
    return this.cipher;
  };

  readonly saveCredentials = async (installationId: string, credentials: StoredCredentials): Promise<void> => {
    rememberSecrets(credentials.accessToken, credentials.refreshToken);
    const payload = this.requireCipher().encrypt(JSON.stringify(credentials), installationId);
    await this.db.query(
      `INSERT INTO credentials (installation_id, payload, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (installation_id) DO UPDATE SET payload = excluded.payload, updated_at = excluded.updated_at`,
      [installationId, payload, this.now()],
    );
  };

  readonly installationsWithCredentials = async (): Promise<string[]> => {
    return (await this.db.query('SELECT installation_id FROM credentials ORDER BY updated_at DESC, installation_id')).rows.map((r) => text(r, 'installation_id'));
  };

  readonly loadCredentials = async (installationId: string): Promise<StoredCredentials | null> => {
    const row = (await this.db.query('SELECT payload FROM credentials WHERE installation_id = $1', [installationId])).rows[0];
    if (!row) return null;
    return openCredentials(this.requireCipher(), bytes(row, 'payload'), installationId);
  };

  readonly saveAccountEnv = async (installationId: string, variables: Record<string, string>): Promise<void> => {
    rememberSecrets(...environmentSecrets(variables));
    const payload = this.requireCipher().encrypt(JSON.stringify(variables), accountEnvContext(installationId));
    await this.db.query(
      `INSERT INTO account_env (installation_id, payload, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (installation_id) DO UPDATE SET payload = excluded.payload, updated_at = excluded.updated_at`,
      [installationId, payload, this.now()],
    );
  };

  readonly loadAccountEnv = async (installationId: string): Promise<Record<string, string> | null> => {
    const row = (await this.db.query('SELECT payload FROM account_env WHERE installation_id = $1', [installationId])).rows[0];
    if (!row) return null;
    return openAccountEnv(this.requireCipher(), bytes(row, 'payload'), installationId);
  };
}
