/** Installations and their credentials (AES-256-GCM at rest, bound to the installation id). */
import type { Synchronous } from './promised.ts';
import { LifecycleSyncError } from '../../errors.ts';
import { rememberSecrets } from '../../secrets.ts';
import type { CredentialCipher } from '../crypto.ts';
import type { SqliteDb } from '../sqliteDb.ts';
import type { Installation, InstallationStore, StoredCredentials } from '../types.ts';
import { openCredentials } from '../rowMappers.ts';
import { num, text } from './rows.ts';
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

  readonly upsertInstallation = (i: { id: string; crm: Installation['crm']; name: string }): Installation => {
    const now = this.now();
    this.db.run(
      `INSERT INTO installations (id, crm, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET crm = excluded.crm, name = excluded.name, updated_at = excluded.updated_at`,
      i.id, i.crm, i.name, now, now,
    );
    const installation = this.getInstallation(i.id);
    if (!installation) throw new Error('store: installation vanished');
    return installation;
  };

  readonly getInstallation = (id: string): Installation | null => {
    const row = this.db.get('SELECT * FROM installations WHERE id = ?', id);
    return row ? this.toInstallation(row) : null;
  };

  readonly listInstallations = (): Installation[] => {
    return this.db.all('SELECT * FROM installations ORDER BY id').map((r) => this.toInstallation(r));
  };

  private readonly toInstallation = (row: Row): Installation => {
    const crm = text(row, 'crm');
    return { id: text(row, 'id'), crm, name: text(row, 'name'), createdAt: num(row, 'created_at'), updatedAt: num(row, 'updated_at') };
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
}
