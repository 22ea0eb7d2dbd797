/**
 * The Postgres store (DATABASE_URL): many installations, workers on several machines. Its concerns
 * (postgres/*.ts) run over one pool (`postgresDb.ts`); migrated on open (`postgres/migrate.ts`). An explicit
 * transaction gets the same concerns bound to one client. Time comes from the caller's clock, never the
 * server's, so leases and runs agree with the rest of the program (and with tests' clocks).
 */
import { randomBytes } from 'node:crypto';
import { CredentialCipher } from './crypto.ts';
import { migrate } from './postgres/migrate.ts';
import { PostgresAudit } from './postgres/audit.ts';
import { PostgresCrmData } from './postgres/crmData.ts';
import { PostgresCustomerList } from './postgres/customerList.ts';
import { PostgresHistory } from './postgres/history.ts';
import { PostgresInstallations } from './postgres/installations.ts';
import { PostgresOpenDeals } from './postgres/openDeals.ts';
import { bytes } from './postgres/rows.ts';
import { PostgresRuns } from './postgres/runs.ts';
import { poolSession, transactionSession, type PgSession } from './postgres/session.ts';
import { PostgresState } from './postgres/state.ts';
import { PostgresSettingsLog } from './postgres/settingsLog.ts';
import { PostgresProspects } from './postgres/prospects.ts';
import { PostgresWebhooks } from './postgres/webhooks.ts';
import { vacuumWhereAutovacuumIsOff } from './postgres/vacuum.ts';
import { PostgresDb, type PostgresDbOptions } from './postgresDb.ts';
import type { AuditStore, CrmDataStore, CustomerListStore, HistoryStore, InstallationStore, OpenDealStore, RunStore, ProspectStore, SettingsLogStore, StateStore, Store, WebhookStore } from './types.ts';

type Concerns = WebhookStore & InstallationStore & RunStore & CrmDataStore & CustomerListStore & OpenDealStore & AuditStore & StateStore & HistoryStore & SettingsLogStore & ProspectStore;

export interface PostgresStoreOptions extends PostgresDbOptions {
  /** Secret for credentials at rest (ENCRYPTION_KEY); without it credentials cannot be saved or read. */
  encryptionKey?: string;
  clock?: () => number;
}

/** The key derivation's salt, made once per database (whoever inserts first, every process reads the same). */
async function salt(db: PostgresDb): Promise<Buffer> {
  await db.query("INSERT INTO meta (key, value) VALUES ('credential_salt', $1) ON CONFLICT (key) DO NOTHING", [randomBytes(16)]);
  const row = (await db.query("SELECT value FROM meta WHERE key = 'credential_salt'")).rows[0];
  if (!row) throw new Error('store: the credential salt vanished');
  return bytes(row, 'value');
}

/** `lifecycle-sync migrate`: brings the database to the newest schema and disconnects; the versions applied. */
export async function migratePostgres(url: string, options: PostgresStoreOptions = {}): Promise<number[]> {
  const db = new PostgresDb(url, { ...options, maxConnections: 1 });
  try {
    return await migrate(db, { now: options.clock });
  } finally {
    await db.close().catch(() => undefined);
  }
}

/** Connects, migrates and returns the store; any fault is one STORE_FAILED line naming the database. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const db = new PostgresDb(url, options);
  const now = options.clock ?? Date.now;
  try {
    await migrate(db, { now });
    const cipher = options.encryptionKey ? new CredentialCipher(options.encryptionKey, await salt(db)) : null;
    const concerns = (session: PgSession): Concerns => ({
      ...new PostgresInstallations(session, cipher, now),
      ...new PostgresRuns(session, now),
      ...new PostgresCrmData(session),
      ...new PostgresCustomerList(session),
      ...new PostgresOpenDeals(session),
      ...new PostgresAudit(session),
      ...new PostgresState(session, now),
      ...new PostgresHistory(session),
      ...new PostgresSettingsLog(session),
      ...new PostgresWebhooks(session),
      ...new PostgresProspects(session),
    });
    const base = { kind: 'postgres', where: db.where };
    return {
      ...concerns(poolSession(db)),
      ...base,
      // Inside, a nested transaction is part of the one already open (as on SQLite).
      transaction: (fn) =>
        db.transaction((client) => {
          const tx: Store = { ...concerns(transactionSession(client)), ...base, transaction: (inner) => inner(tx), reclaimSpace: () => Promise.resolve([]), close: () => Promise.resolve() };
          return fn(tx);
        }),
      reclaimSpace: () => vacuumWhereAutovacuumIsOff(db),
      close: () => db.close(),
    };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}
