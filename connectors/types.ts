/**
 * The CRM connector interface: small, CRM-agnostic I/O primitives. A connector describes and creates
 * the plugin's fields, pulls customers and deals a page at a time from a cursor, writes batches of field
 * updates with a result per record, reads current field values, and reports its quota. Everything that
 * is policy — what to write and when, rounding, retries of failed records, dry runs, checkpoints, audit,
 * quota shares — lives in the sync engine (src/sync/), once for every CRM.
 */
import type { CustomerSignals } from '../src/classifier/types.ts';
import type { RecordProblem } from '../src/errors.ts';

export type CrmName = 'hubspot' | 'salesforce';

/** The fields the plugin writes, by CRM-agnostic key. */
export const FIELD_KEYS = [
  'stage',
  'stageReason',
  'stageChangedAt',
  'ltv',
  'predictedClv',
  'churnRisk',
  'churnRiskBand',
  'valueTier',
  'expectedPurchases',
  'nextAction',
  'scoredAt',
] as const;
export type FieldKey = (typeof FIELD_KEYS)[number];

export type FieldType = 'enumeration' | 'text' | 'number' | 'datetime';

/** What the engine wants a field to be; the connector maps it to its CRM's types and names. */
export interface FieldSpec {
  key: FieldKey;
  label: string;
  description: string;
  type: FieldType;
  /** Enumerations: the allowed values, in display order. */
  options?: { value: string; label: string }[];
  /** Text: the longest value the engine will write. */
  maxLength?: number;
  /** Numbers: the decimals the engine rounds to (CRMs with fixed-scale numbers size the field by it). */
  decimals?: number;
}

/**
 * Field values in canonical form: numbers as plain decimal strings ("12.5"), datetimes as ISO-8601 UTC
 * with milliseconds, enumerations as the option value, text as is; null means empty.
 */
export type FieldValues = Partial<Record<FieldKey, string | null>>;

export interface FieldsReport {
  /** Fields that exist with a compatible definition, by key, with their CRM name. */
  ok: { key: FieldKey; name: string }[];
  /** Fields created (or, in a dry run, that would be). */
  created: { key: FieldKey; name: string }[];
  /** Fields whose definition was (or would be) changed, e.g. new enumeration options. */
  updated: { key: FieldKey; name: string; change: string }[];
  /** Anything else the connector did or would do (a field group, a permission set). */
  other: string[];
}

/** A customer record (HubSpot contact, Salesforce Contact or Account) as the engine stores it. */
export interface PulledCustomer {
  recordId: string;
  /** The CRM's last-modified time of this version, epoch ms. */
  modifiedAt: number;
  signals: CustomerSignals;
  /** The plugin's fields as the CRM holds them now. */
  fieldValues: FieldValues;
}

export type DealStatus = 'won' | 'open' | 'lost';

export interface PulledDeal {
  recordId: string;
  customerIds: string[];
  status: DealStatus;
  /** In the account's currency; null when the CRM has none (reported if the deal is won). */
  amount: number | null;
  /** Close day (UTC days since 1970-01-01); null when missing. */
  closeDay: number | null;
  modifiedAt: number;
}

/** Opaque to the engine: where a pull stands, saved after every page so a killed run can resume. */
export type PullCursor = Record<string, unknown>;

export interface PullRequest {
  mode: 'full' | 'incremental';
  /** Resume point of an interrupted pull, or null to start one. */
  resume: PullCursor | null;
  /** Incremental pulls: records modified at or after this time (epoch ms). */
  since: number | null;
  /**
   * Incremental pulls: skip customers whose `field` equals `value` — the plugin's own writes of the last
   * run — unless they were modified after `unlessModifiedAfter`, so a run does not re-read what it wrote.
   */
  skipOwnWrites?: { field: FieldKey; value: string; unlessModifiedAfter: number } | null;
}

export interface PulledPage {
  customers: PulledCustomer[];
  deals: PulledDeal[];
  /** Records that could not be mapped: reported with their id, skipped. */
  problems: RecordProblem[];
  /** Where to resume after this page. */
  cursor: PullCursor;
}

export interface RecordUpdate {
  recordId: string;
  values: FieldValues;
}

/** Failure codes every connector uses where they apply (others pass the CRM's own code through). */
export const RECORD_NOT_FOUND = 'RECORD_NOT_FOUND';

export type WriteResult =
  | { recordId: string; ok: true; modifiedAt: number | null }
  /** `code` is RECORD_NOT_FOUND when the record no longer exists in the CRM, else the CRM's code. */
  | { recordId: string; ok: false; code: string; message: string };

export interface QuotaState {
  /** Requests sent by this connector instance. */
  requests: number;
  /** 429 responses seen. */
  rateLimited: number;
  /** Retries of transient failures (429, 5xx, dropped connections). */
  retries: number;
  /** The CRM's daily allowance and what remains of it, when the CRM says. */
  daily: { limit: number; remaining: number } | null;
  /** The short-window limit the connector paces itself by. */
  window: { max: number; intervalMs: number } | null;
}

/**
 * Called before every request: the engine's daily-share policy. Throws (a ConnectorError with code
 * QUOTA_SHARE_SPENT) to stop the run cleanly.
 */
export type RequestGuard = () => void;

export interface Connector {
  readonly crm: CrmName;
  /** Largest batch of updates the CRM accepts per write call. */
  readonly maxBatchSize: number;
  /** Checks the fields exist with compatible definitions; creates or updates them unless dryRun. */
  ensureFields(fields: FieldSpec[], options: { dryRun: boolean }): Promise<FieldsReport>;
  pull(request: PullRequest): AsyncIterable<PulledPage>;
  write(updates: RecordUpdate[]): Promise<WriteResult[]>;
  /**
   * A bulk path for large runs, when the CRM has one (Salesforce Bulk API 2.0): the engine sends runs
   * with more than `threshold` changes through it, `jobSize` records at a time.
   */
  readonly bulk?: { threshold: number; jobSize: number; write(updates: RecordUpdate[]): Promise<WriteResult[]> };
  /** The plugin's fields as the CRM holds them now, for the given records (missing records absent). */
  readFieldValues(recordIds: string[]): Promise<Map<string, FieldValues>>;
  quota(): QuotaState;
  setRequestGuard(guard: RequestGuard | null): void;
  /** Checks the credentials work (a cheap authenticated call). */
  verify(): Promise<Verification>;
}

/**
 * A credentials check. A failure carries its error code and HTTP status (null when unknown), so a
 * caller can say what is wrong in its own words (/readyz shows no CRM text).
 */
export type Verification = { ok: true; account: string } | { ok: false; message: string; code: string | null; status: number | null };

/** The failed Verification for an error thrown by the check. */
export function verificationFailure(error: unknown): Verification & { ok: false } {
  const status = (error as { status?: unknown } | null)?.status;
  const code = (error as { code?: unknown } | null)?.code;
  return {
    ok: false,
    message: error instanceof Error ? error.message : String(error),
    code: error instanceof Error && typeof code === 'string' ? code : null,
    status: typeof status === 'number' ? status : null,
  };
}

export type ConnectorErrorCode =
  | 'AUTH_FAILED'
  | 'QUOTA_SHARE_SPENT'
  | 'QUOTA_EXHAUSTED'
  | 'FIELD_CONFLICT'
  | 'CRM_UNAVAILABLE'
  | 'CRM_REJECTED'
  | 'INVALID_RESPONSE';

/** A failure of a whole connector operation (record-level failures are WriteResults). */
export class ConnectorError extends Error {
  readonly code: ConnectorErrorCode;
  readonly status: number | null;
  constructor(code: ConnectorErrorCode, message: string, options: { status?: number | null; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ConnectorError';
    this.code = code;
    this.status = options.status ?? null;
  }
}
