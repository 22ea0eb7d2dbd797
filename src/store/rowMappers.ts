/**
 * Rows read back into the store's types (runs, run errors, audit entries, deals), once for both stores: each store passes its own column readers
 * (SQLite keeps JSON as text and may give BIGINTs; node-postgres parses JSONB and gives `unknown`), the
 * mapping from columns to fields is here. Credentials are opened here too, with the same words for a
 * wrong key in both.
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { LifecycleSyncError } from '../errors.ts';
import { environmentSecrets, rememberSecrets } from '../secrets.ts';
import type { CredentialCipher } from './crypto.ts';
import {
  auditStateSchema,
  credentialsSchema,
  customerIdsSchema,
  dealStatusSchema,
  errorPhaseSchema,
  auditFieldSchema,
  installationSettingsSchema,
  installationStatusSchema,
  runKindSchema,
  runModeSchema,
  runStatusSchema,
  statsSchema,
  accountEnvSchema,
} from './rowSchemas.ts';
import type { AuditEntry, Installation, RunErrorRecord, RunRecord, StoredCredentials, StoredDeal } from './types.ts';

/** A store's typed column readers; each fails loudly on a value of another type. */
export interface ColumnReaders<R> {
  text(row: R, column: string): string;
  textOrNull(row: R, column: string): string | null;
  num(row: R, column: string): number;
  numOrNull(row: R, column: string): number | null;
  json<T>(row: R, column: string, schema: z.ZodType<T>): T;
}

export function installationFromRow<R>(c: ColumnReaders<R>, row: R): Installation {
  return {
    id: c.text(row, 'id'),
    crm: c.text(row, 'crm'),
    name: c.text(row, 'name'),
    accountId: c.textOrNull(row, 'account_id'),
    status: installationStatusSchema.parse(c.text(row, 'status')),
    settings: c.json(row, 'settings', installationSettingsSchema),
    createdAt: c.num(row, 'created_at'),
    updatedAt: c.num(row, 'updated_at'),
  };
}

/** A generated installation id: short enough for a URL and a command line, random enough never to repeat. */
export function newInstallationId(): string {
  return `in_${randomBytes(8).toString('hex')}`;
}

/** What an installation removed keeps (removeInstallation): its id, CRM and runs, nothing of the CRM account. */
export const REMOVED_NAME = 'removed';
export const REMOVED_ERROR_MESSAGE = 'removed with its installation';

export function runFromRow<R>(c: ColumnReaders<R>, row: R): RunRecord {
  const mode = c.textOrNull(row, 'mode');
  return {
    id: c.text(row, 'id'),
    installationId: c.text(row, 'installation_id'),
    kind: runKindSchema.parse(c.text(row, 'kind')),
    mode: mode === null ? null : runModeSchema.parse(mode),
    status: runStatusSchema.parse(c.text(row, 'status')),
    asOf: c.text(row, 'as_of'),
    startedAt: c.num(row, 'started_at'),
    finishedAt: c.numOrNull(row, 'finished_at'),
    heartbeatAt: c.num(row, 'heartbeat_at'),
    stats: c.json(row, 'stats', statsSchema),
    message: c.textOrNull(row, 'message'),
    rollbackOf: c.textOrNull(row, 'rollback_of'),
    scoredAt: c.numOrNull(row, 'scored_at'),
    owner: c.textOrNull(row, 'owner'),
  };
}

export function runErrorFromRow<R>(c: ColumnReaders<R>, row: R): RunErrorRecord {
  return {
    runId: c.text(row, 'run_id'),
    recordId: c.textOrNull(row, 'record_id'),
    phase: errorPhaseSchema.parse(c.text(row, 'phase')),
    code: c.text(row, 'code'),
    message: c.text(row, 'message'),
    at: c.num(row, 'at'),
  };
}

export function auditFromRow<R>(c: ColumnReaders<R>, row: R): AuditEntry {
  return {
    id: c.num(row, 'id'),
    runId: c.text(row, 'run_id'),
    recordId: c.text(row, 'record_id'),
    field: auditFieldSchema.parse(c.text(row, 'field')),
    previous: c.textOrNull(row, 'previous_value'),
    next: c.textOrNull(row, 'new_value'),
    state: auditStateSchema.parse(c.text(row, 'state')),
    at: c.num(row, 'at'),
  };
}

export function dealFromRow<R>(c: ColumnReaders<R>, row: R): StoredDeal {
  return {
    recordId: c.text(row, 'record_id'),
    customerIds: c.json(row, 'customer_ids', customerIdsSchema),
    status: dealStatusSchema.parse(c.text(row, 'status')),
    amount: c.numOrNull(row, 'amount'),
    closeDay: c.numOrNull(row, 'close_day'),
    modifiedAt: c.num(row, 'modified_at'),
    createdDay: c.numOrNull(row, 'created_day'),
  };
}

/** Stored credentials decrypted (bound to their installation) and validated; a wrong key says so. */
export function openCredentials(cipher: CredentialCipher, payload: Uint8Array, installationId: string): StoredCredentials {
  const credentials = credentialsSchema.parse(JSON.parse(decrypted(cipher, payload, installationId, installationId)));
  // Known from now on, so no error text that repeats them is shown or stored (src/secrets.ts).
  rememberSecrets(credentials.accessToken, credentials.refreshToken);
  return credentials;
}

/** The cipher's context for an installation's account variables: a credentials ciphertext moved here does not decrypt. */
export const accountEnvContext = (installationId: string): string => `${installationId}#account-env`;

/** The account's variables, decrypted and checked; the secret ones are masked in output from now on. */
export function openAccountEnv(cipher: CredentialCipher, payload: Uint8Array, installationId: string): Record<string, string> {
  const variables = accountEnvSchema.parse(JSON.parse(decrypted(cipher, payload, accountEnvContext(installationId), installationId)));
  rememberSecrets(...environmentSecrets(variables));
  return variables;
}

/** A stored secret's plaintext, or the same words for a wrong key (or a ciphertext moved) wherever it was kept. */
function decrypted(cipher: CredentialCipher, payload: Uint8Array, context: string, installationId: string): string {
  try {
    return cipher.decrypt(payload, context);
  } catch (error) {
    if (error instanceof LifecycleSyncError) throw error;
    throw new LifecycleSyncError('CONFIG_INVALID', `stored credentials for ${installationId} cannot be decrypted: is ENCRYPTION_KEY the one they were saved with?`);
  }
}
