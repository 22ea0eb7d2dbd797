/** Installations and their credentials (AES-256-GCM at rest, bound to the installation id). */
import type { Synchronous } from './promised.ts';
import { LifecycleSyncError } from '../../errors.ts';
import { environmentSecrets, rememberSecrets } from '../../secrets.ts';
import type { CredentialCipher } from '../crypto.ts';
import type { SqliteDb } from '../sqliteDb.ts';
import type { Installation, InstallationStatus, InstallationStore, StoredCredentials } from '../types.ts';
import { accountEnvContext, installationFromRow, newInstallationId, openAccountEnv, openCredentials, REMOVED_ERROR_MESSAGE, REMOVED_NAME } from '../rowMappers.ts';
import { COLUMNS, text } from './rows.ts';
import type { Row } from '../sqliteDb.ts';

export class SqliteInstallations implements Synchronous<InstallationStore> {
  private readonly db: SqliteDb;
  private readonly now: () => number;
  private readonly cipher: CredentialCipher | null;
  constructor(db: SqliteDb, cipher: CredentialCipher | null, now: () => number) {
    this.db = db;
    this.cipher = cipher;
    this.now = now;
  }

  readonly upsertInstallation = (i: { id: string; crm: Installation['crm']; name: string; accountId?: string }): Installation => {
    const now = this.now();
    this.db.run(
      `INSERT INTO installations (id, crm, name, account_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET crm = excluded.crm, name = excluded.name, account_id = COALESCE(excluded.account_id, installations.account_id), updated_at = excluded.updated_at`,
      i.id, i.crm, i.name, i.accountId ?? null, now, now,
    );
    const installation = this.getInstallation(i.id);
    if (!installation) throw new Error('store: installation vanished');
    return installation;
  };

  readonly getInstallation = (id: string): Installation | null => {
    const row = this.db.get('SELECT * FROM installations WHERE id = ?', id);
    return row ? this.toInstallation(row) : null;
  };

  readonly installationOfAccount = (crm: Installation['crm'], accountId: string): Installation | null => {
    const row = this.db.get('SELECT * FROM installations WHERE crm = ? AND account_id = ?', crm, accountId);
    return row ? this.toInstallation(row) : null;
  };

  readonly listInstallations = (): Installation[] => {
    return this.db.all('SELECT * FROM installations ORDER BY id').map((r) => this.toInstallation(r));
  };

  private readonly toInstallation = (row: Row): Installation => installationFromRow(COLUMNS, row);

  readonly addInstallation = (i: { crm: Installation['crm']; name: string; accountId: string | null }): { installation: Installation; created: boolean } => {
    const now = this.now();
    return this.db.transaction(() => {
      const existing = i.accountId === null ? undefined : this.db.get("SELECT id FROM installations WHERE crm = ? AND account_id = ?", i.crm, i.accountId);
      const id = existing ? text(existing, 'id') : newInstallationId();
      if (existing) this.db.run("UPDATE installations SET name = ?, status = 'active', updated_at = ? WHERE id = ?", i.name, now, id);
      else this.db.run('INSERT INTO installations (id, crm, name, account_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', id, i.crm, i.name, i.accountId, now, now);
      const installation = this.getInstallation(id);
      if (!installation) throw new Error('store: installation vanished');
      return { installation, created: !existing };
    });
  };

  readonly updateInstallation = (id: string, patch: { name?: string; status?: InstallationStatus; settings?: Record<string, unknown> }): Installation | null => {
    const before = this.getInstallation(id);
    if (!before) return null;
    this.db.run(
      'UPDATE installations SET name = ?, status = ?, settings = ?, updated_at = ? WHERE id = ?',
      patch.name ?? before.name, patch.status ?? before.status, JSON.stringify(patch.settings ?? before.settings), this.now(), id,
    );
    return this.getInstallation(id);
  };

  readonly removeInstallation = (id: string): boolean => {
    if (!this.getInstallation(id)) return false;
    this.db.transaction(() => {
      for (const table of ['credentials', 'account_env', 'locks']) this.db.run(`DELETE FROM ${table} WHERE installation_id = ?`, id);
      for (const table of ['customers', 'deals', 'deal_customers', 'score_pages', 'customer_list', 'customer_list_runs', 'audit', 'retry_queue', 'model_fits', 'cursors', 'alerts_sent', 'stage_pages', 'settings_changes', 'webhook_work', 'open_deals', 'engagement_readings']) this.db.run(`DELETE FROM ${table} WHERE installation_id = ?`, id);
      // The run-scoped tables know their installation through their run.
      this.db.run('DELETE FROM planned_changes WHERE run_id IN (SELECT id FROM runs WHERE installation_id = ?)', id);
      this.db.run('UPDATE run_errors SET record_id = NULL, message = ? WHERE run_id IN (SELECT id FROM runs WHERE installation_id = ?)', REMOVED_ERROR_MESSAGE, id);
      this.db.run("UPDATE installations SET name = ?, account_id = NULL, status = 'uninstalled', settings = '{}', updated_at = ? WHERE id = ?", REMOVED_NAME, this.now(), id);
    });
    return true;
  };

  private readonly requireCipher = (): CredentialCipher => {
    if (!this.cipher) throw new LifecycleSyncError('CONFIG_INVALID', 'ENCRYPTION_KEY is not set: it is needed to store or read CRM credentials (OAuth tokens)');
    return this.cipher;
  };

  readonly saveCredentials = (installationId: string, credentials: StoredCredentials): void => {
    rememberSecrets(credentials.accessToken, credentials.refreshToken);
    const payload = this.requireCipher().encrypt(JSON.stringify(credentials), installationId);
    this.db.run(
      `INSERT INTO credentials (installation_id, payload, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (installation_id) DO UPDATE SET payload = excluded.payload, updated_at = excluded.updated_at`,
      installationId, payload, this.now(),
    );
  };

  readonly installationsWithCredentials = (): string[] => {
    return this.db.all('SELECT installation_id FROM credentials ORDER BY updated_at DESC, installation_id').map((r) => text(r, 'installation_id'));
  };

  readonly loadCredentials = (installationId: string): StoredCredentials | null => {
    const row = this.db.get('SELECT payload FROM credentials WHERE installation_id = ?', installationId);
    if (!row || !(row.payload instanceof Uint8Array)) return null;
    return openCredentials(this.requireCipher(), row.payload, installationId);
  };

  readonly saveAccountEnv = (installationId: string, variables: Record<string, string>): void => {
    rememberSecrets(...environmentSecrets(variables));
    const payload = this.requireCipher().encrypt(JSON.stringify(variables), accountEnvContext(installationId));
    this.db.run(
      `INSERT INTO account_env (installation_id, payload, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (installation_id) DO UPDATE SET payload = excluded.payload, updated_at = excluded.updated_at`,
      installationId, payload, this.now(),
    );
  };

  readonly loadAccountEnv = (installationId: string): Record<string, string> | null => {
    const row = this.db.get('SELECT payload FROM account_env WHERE installation_id = ?', installationId);
    if (!row || !(row.payload instanceof Uint8Array)) return null;
    return openAccountEnv(this.requireCipher(), row.payload, installationId);
  };
}
