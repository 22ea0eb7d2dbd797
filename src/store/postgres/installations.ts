/** Installations and their credentials (AES-256-GCM at rest, bound to the installation id), on Postgres. */
import { LifecycleSyncError } from '../../errors.ts';
import { rememberSecrets } from '../../secrets.ts';
import type { CredentialCipher } from '../crypto.ts';
import type { PgRow } from '../postgresDb.ts';
import { openCredentials } from '../rowMappers.ts';
import type { Installation, InstallationStore, StoredCredentials } from '../types.ts';
import { bytes, num, text } from './rows.ts';
import type { PgSession } from './session.ts';

function toInstallation(row: PgRow): Installation {
  return { id: text(row, 'id'), crm: text(row, 'crm'), name: text(row, 'name'), createdAt: num(row, 'created_at'), updatedAt: num(row, 'updated_at') };
}

export class PostgresInstallations implements InstallationStore {
  private readonly db: PgSession;
  private readonly cipher: CredentialCipher | null;
  private readonly now: () => number;
  constructor(db: PgSession, cipher: CredentialCipher | null, now: () => number) {
    this.db = db;
    this.cipher = cipher;
    this.now = now;
  }

  readonly upsertInstallation = async (i: { id: string; crm: Installation['crm']; name: string }): Promise<Installation> => {
    const now = this.now();
    const r = await this.db.query(
      `INSERT INTO installations (id, crm, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (id) DO UPDATE SET crm = excluded.crm, name = excluded.name, updated_at = excluded.updated_at
       RETURNING *`,
      [i.id, i.crm, i.name, now],
    );
    const row = r.rows[0];
    if (!row) throw new Error('store: installation vanished');
    return toInstallation(row);
  };

  readonly getInstallation = async (id: string): Promise<Installation | null> => {
    const row = (await this.db.query('SELECT * FROM installations WHERE id = $1', [id])).rows[0];
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
}
