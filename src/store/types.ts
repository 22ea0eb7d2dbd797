/**
 * The state store: what the sync engine remembers between runs. An interface, so that a Postgres
 * implementation can replace the embedded SQLite one for many installations on several machines.
 */
import type { CrmName, CustomerSignals, FieldKey, FieldValues, PullCursor, PulledDeal, StoredCredentials } from '../../connectors/contract/index.ts';

export type { StoredCredentials } from '../../connectors/contract/index.ts';

export interface Installation {
  id: string;
  crm: CrmName;
  name: string;
  createdAt: number;
  updatedAt: number;
}


export type RunKind = 'sync' | 'dry_run' | 'rollback';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'stopped' | 'interrupted';

export interface RunStats {
  pulledCustomers: number;
  pulledDeals: number;
  classified: number;
  /** Records with at least one field to write. */
  changed: number;
  /** Fields to write, by key. */
  changedFields: Partial<Record<FieldKey, number>>;
  /** Stage moves, "from→to" (from "none" for a first score). */
  stageTransitions: Record<string, number>;
  written: number;
  failed: number;
  /** Records skipped because the CRM data could not be read (bad amounts, dates...). */
  skippedRecords: number;
  requests: number;
  rateLimited: number;
  retries: number;
  /** Wall time per phase in milliseconds (fields, pull, classify, write). */
  phaseMs: Partial<Record<'fields' | 'pull' | 'classify' | 'write', number>>;
}

export function emptyRunStats(): RunStats {
  return {
    pulledCustomers: 0,
    pulledDeals: 0,
    classified: 0,
    changed: 0,
    changedFields: {},
    stageTransitions: {},
    phaseMs: {},
    written: 0,
    failed: 0,
    skippedRecords: 0,
    requests: 0,
    rateLimited: 0,
    retries: 0,
  };
}

export interface RunRecord {
  id: string;
  installationId: string;
  kind: RunKind;
  mode: 'full' | 'incremental' | null;
  status: RunStatus;
  /** YYYY-MM-DD the scores are as of. */
  asOf: string;
  startedAt: number;
  finishedAt: number | null;
  heartbeatAt: number;
  stats: RunStats;
  message: string | null;
  /** For rollbacks: the run rolled back. */
  rollbackOf: string | null;
  /** The "scored at" value this run writes (epoch ms). */
  scoredAt: number | null;
  /** The lease owner running it (host:pid:nonce), so a restart can tell a live run from an orphan. */
  owner: string | null;
}

export type NewRun = Omit<RunRecord, 'finishedAt' | 'heartbeatAt' | 'message' | 'owner'> & { owner?: string | null };

export interface RunErrorRecord {
  runId: string;
  recordId: string | null;
  phase: 'pull' | 'classify' | 'write' | 'rollback' | 'setup';
  code: string;
  message: string;
  at: number;
}

/** The last scores computed for a customer (for `explain` and the admin API). */
export interface StoredScores {
  asOf: string;
  values: FieldValues;
  features: Record<string, unknown>;
}

export interface StoredCustomer {
  recordId: string;
  modifiedAt: number;
  signals: CustomerSignals;
  /** The plugin's fields as the CRM holds them (as last pulled, or as last written). */
  crmValues: FieldValues;
  deleted: boolean;
  scores: StoredScores | null;
}

/** A deal as the store keeps it: as the connector pulled it. */
export type StoredDeal = PulledDeal;

export type AuditState = 'pending' | 'applied' | 'failed' | 'superseded';

export interface AuditEntry {
  id: number;
  runId: string;
  recordId: string;
  field: FieldKey;
  previous: string | null;
  next: string | null;
  state: AuditState;
  at: number;
}

export interface PlannedChange {
  recordId: string;
  field: FieldKey;
  previous: string | null;
  next: string | null;
}

/** Named positions: pull cursors ('contacts', 'deals'), an interrupted pull, the last own-write marker. */
export type CursorName = string;

/** Installations and their credentials (stored encrypted). */
export interface InstallationStore {
  upsertInstallation(installation: { id: string; crm: CrmName; name: string }): Installation;
  getInstallation(id: string): Installation | null;
  listInstallations(): Installation[];
  saveCredentials(installationId: string, credentials: StoredCredentials): void;
  /** Installations that have stored credentials, most recently saved first (nothing is decrypted). */
  installationsWithCredentials(): string[];
  loadCredentials(installationId: string): StoredCredentials | null;
}

/** Runs, their errors, and the lease that keeps one run per installation at a time. */
export interface RunStore {
  acquireLock(installationId: string, owner: string, ttlMs: number): { acquired: true } | { acquired: false; owner: string; expiresAt: number };
  renewLock(installationId: string, owner: string, ttlMs: number): boolean;
  releaseLock(installationId: string, owner: string): void;
  createRun(run: NewRun): RunRecord;
  updateRun(id: string, patch: Partial<Pick<RunRecord, 'status' | 'mode' | 'stats' | 'message' | 'finishedAt' | 'heartbeatAt' | 'scoredAt'>>): void;
  getRun(id: string): RunRecord | null;
  listRuns(installationId: string, limit: number): RunRecord[];
  /**
   * Runs still marked running whose holder is gone (no live lease held by their owner): marked
   * interrupted, with the counts their audit shows. `null`: every installation. Returns them.
   */
  markRunsInterrupted(installationId: string | null, exceptRunId?: string): RunRecord[];
  /** An admin gives up on a running run: marked interrupted (counts from its audit), its lease released. Null if it was not running. */
  abandonRun(runId: string, reason: string): RunRecord | null;
  addRunErrors(errors: RunErrorRecord[]): void;
  listRunErrors(runId: string, limit?: number): RunErrorRecord[];
}

/** What the store knows of the CRM's customers and deals. */
export interface CrmDataStore {
  upsertCustomers(installationId: string, customers: Omit<StoredCustomer, 'deleted' | 'scores'>[], seenInPull?: string): void;
  upsertDeals(installationId: string, deals: StoredDeal[], seenInPull?: string): void;
  /** After a full pull: records not seen in it are gone from the CRM. Returns how many were marked. */
  markUnseenDeleted(installationId: string, pullId: string): { customers: number; deals: number };
  /** Records the CRM says no longer exist (e.g. a write found them gone). */
  markCustomersDeleted(installationId: string, recordIds: string[]): void;
  loadCustomers(installationId: string): StoredCustomer[];
  getCustomer(installationId: string, recordId: string): StoredCustomer | null;
  loadDeals(installationId: string): StoredDeal[];
  dealsOf(installationId: string, recordId: string): StoredDeal[];
  /** The CRM now holds these values (after a write or a rollback). */
  setCrmValues(installationId: string, updates: { recordId: string; values: FieldValues; modifiedAt: number | null }[]): void;
  saveScores(installationId: string, scores: { recordId: string; scores: StoredScores }[]): void;
}

/** The audit of every written value, dry-run plans, and the retry queue. */
export interface AuditStore {
  addAudit(entries: Omit<AuditEntry, 'id'>[]): number[];
  setAuditState(ids: number[], state: AuditState): void;
  listAudit(runId: string): AuditEntry[];
  auditOfRecord(installationId: string, recordId: string, limit: number): AuditEntry[];
  /** Entries left pending by runs that did not finish. */
  supersedePendingAudit(installationId: string, exceptRunId: string): number;
  savePlan(runId: string, changes: PlannedChange[]): void;
  /** The whole plan, records with stage moves first. */
  loadPlan(runId: string): PlannedChange[];
  /** A page of the plan's changes (in the same order), optionally of one field. */
  planChanges(runId: string, page: { offset: number; limit: number; field?: FieldKey }): PlannedChange[];
  /** A page of the plan's records (stage moves first), each with its changes. */
  planRecords(runId: string, page: { offset: number; limit: number }): { recordId: string; changes: PlannedChange[] }[];
  setRetries(installationId: string, entries: { recordId: string; reason: string }[]): void;
  clearRetries(installationId: string, recordIds: string[]): void;
  listRetries(installationId: string): { recordId: string; reason: string; attempts: number }[];
}

/** Model fits, cursors and request counts: what one run leaves for the next. */
export interface StateStore {
  saveModelFit(installationId: string, runId: string, fit: unknown): void;
  latestModelFit(installationId: string): { runId: string; at: number; fit: unknown } | null;
  getCursor(installationId: string, name: CursorName): PullCursor | null;
  setCursor(installationId: string, name: CursorName, value: PullCursor | null): void;
  /** Requests counted against the CRM's daily quota on a UTC day (YYYY-MM-DD). */
  addRequestUsage(installationId: string, day: string, requests: number): void;
  requestUsage(installationId: string, day: string): number;
}

/** The whole store: its concerns over one database. */
export interface Store extends InstallationStore, RunStore, CrmDataStore, AuditStore, StateStore {
  close(): void;
}
