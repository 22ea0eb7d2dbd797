/**
 * The CRM connector interface: small, CRM-agnostic I/O primitives. A connector describes and creates
 * the plugin's fields, pulls customers and deals a page at a time from a cursor, writes batches of field
 * updates with a result per record, reads current field values, and reports its quota. Everything that
 * is policy — what to write and when, rounding, retries of failed records, dry runs, checkpoints, audit,
 * quota shares — lives in the sync engine (src/sync/), once for every CRM.
 */
import type { Verification } from './errors.ts';
import type { DealFieldKey, DealFieldValues, FieldKey, FieldPlan, FieldSpec, FieldsState, FieldValues, MeddicElement, MeddicLevel } from './fields.ts';
import type { CustomerSignals, RecordProblem } from './host.ts';

/** A connector's name in the registry (connectors/registry.ts): 'hubspot', 'salesforce'. */
export type CrmName = string;

/** A customer record (HubSpot contact, Salesforce Contact or Account) as the engine stores it. */
export interface PulledCustomer {
  recordId: string;
  /** The CRM's last-modified time of this version, epoch ms. */
  modifiedAt: number;
  signals: CustomerSignals;
  /** The plugin's fields as the CRM holds them now. */
  fieldValues: FieldValues;
  /** Who it is, for people reading the page (never used to score): absent when the CRM has none. */
  display?: CustomerDisplay;
}

/**
 * A customer's name, e-mail and company as the CRM shows them (HubSpot contact, Salesforce Contact or Account).
 * A HubSpot company shows its name, and its web domain as `company`.
 */
export interface CustomerDisplay {
  name?: string;
  email?: string;
  company?: string;
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
  /** Day the deal was created (UTC days since 1970-01-01; HubSpot createdate, Salesforce CreatedDate); null when missing or unreadable. */
  createdDay?: number | null;
}

/** Opaque to the engine: where a pull stands, saved after every page so a killed run can resume. */
export type PullCursor = Record<string, unknown>;

export interface PullRequest {
  mode: 'full' | 'incremental';
  /** The plugin's fields to read with each customer: those that exist and the integration user can read. */
  fields: FieldKey[];
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
/**
 * The CRM's own validation rules, set by its admin, refused the record (HubSpot from API 2026-09). It
 * repeats until the record's data or the rule changes, so the engine does not queue it to go first.
 */
export const CRM_VALIDATION = 'CRM_VALIDATION';

export type WriteResult =
  | { recordId: string; ok: true; modifiedAt: number | null }
  /**
   * `code` is RECORD_NOT_FOUND when the record no longer exists in the CRM, CRM_VALIDATION when the CRM's
   * admin-set validation rules refused it, else the CRM's code.
   */
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

/**
 * The field set-up of one object's field set, the same for customer fields (`FieldKey`, the Connector
 * itself) and deal fields (`DealFieldKey`, `Connector.deals`): the engine's field policy
 * (src/sync/fieldPolicy.ts) reads, plans and applies either through this.
 */
export interface FieldSetup<K extends string = FieldKey> {
  /** For people: "HubSpot". */
  readonly label: string;
  /** What the CRM holds of the plugin's fields (for the engine's field policy, src/sync/fieldPolicy.ts). */
  readFields(specs: FieldSpec<K>[]): Promise<FieldsState<K>>;
  /**
   * Carries out the engine's plan: creates and updates fields, runs the connector's set-up steps, then
   * checks the fields are usable. Returns the set-up it did, in words. Never called in a dry run.
   */
  applyFields(plan: FieldPlan<K>): Promise<{ other: string[] }>;
}

export interface Connector extends FieldSetup<FieldKey> {
  /** Its name in the registry. */
  readonly crm: CrmName;
  /** For people: "HubSpot". */
  readonly label: string;
  /** Largest batch of updates the CRM accepts per write call. */
  readonly maxBatchSize: number;
  /**
   * The deal object (HubSpot deals, Salesforce Opportunity) with the plugin's deal fields: present when
   * the connector was given deal field specifications (`ConnectInput.dealFields`), else absent, and no
   * run touches deals.
   */
  readonly deals?: DealConnector;
  pull(request: PullRequest): AsyncIterable<PulledPage>;
  write(updates: RecordUpdate[]): Promise<WriteResult[]>;
  /**
   * A bulk path for large runs, when the CRM has one (Salesforce Bulk API 2.0): the engine sends runs
   * with more than `threshold` changes through it, `jobSize` records at a time.
   */
  readonly bulk?: { threshold: number; jobSize: number; write(updates: RecordUpdate[]): Promise<WriteResult[]> };
  /**
   * Optional: the given customers as the CRM holds them now, with every deal of theirs (each deal with
   * all its customers), in one page: a webhook's refresh of a few records before they are rescored
   * (src/sync/rescore.ts). Customers the CRM no longer has are absent.
   */
  pullCustomers?(request: { customerIds: string[]; fields: FieldKey[] }): Promise<PulledPage>;
  /** The plugin's fields as the CRM holds them now, for the given records (missing records absent). */
  readFieldValues(recordIds: string[]): Promise<Map<string, FieldValues>>;
  quota(): QuotaState;
  setRequestGuard(guard: RequestGuard | null): void;
  /**
   * Checks the credentials work with one cheap authenticated call, which also says whose they are (the
   * account id: `installations add` keeps one installation per account with it).
   */
  verify(): Promise<Verification>;
}


/** What the win model may use of a deal, as the CRM has it (null: the CRM has no value). */
export interface DealFeatures {
  /** When the deal was created, epoch ms. */
  createdAt: number | null;
  /** In the account's currency. */
  amount: number | null;
  /** When the deal entered its current stage, epoch ms (HubSpot hs_date_entered_<stage>, Salesforce LastStageChangeDate). */
  stageEnteredAt: number | null;
  /** The last logged activity, epoch ms (HubSpot notes_last_updated, Salesforce LastActivityDate). */
  lastActivityAt: number | null;
  /** Contacts associated with the deal (HubSpot num_associated_contacts, Salesforce contact roles). */
  contactCount: number | null;
  /** The deal's owner (HubSpot hubspot_owner_id, Salesforce OwnerId). */
  ownerId: string | null;
  /** Close day (UTC days since 1970-01-01): the expected one of an open deal, the actual of a closed. */
  closeDay: number | null;
}

/** A deal with what a rep recorded of its MEDDIC elements and the plugin's outputs as the CRM holds them. */
export interface PulledDealRecord {
  recordId: string;
  status: DealStatus;
  /** The CRM's last-modified time of this version, epoch ms. */
  modifiedAt: number;
  /** Each element's level; null when empty, unreadable (reported) or its field not read. */
  meddic: Record<MeddicElement, MeddicLevel | null>;
  features: DealFeatures;
  /** The plugin's deal outputs as the CRM holds them now (the keys asked for). */
  fieldValues: DealFieldValues;
  /** What a person recognises the deal by (never used to score): absent when the CRM shows neither. */
  display?: DealDisplay;
}

/** A deal's name and its stage's label as the CRM shows them (HubSpot dealname and the pipeline stage's label, Salesforce Name and StageName). */
export interface DealDisplay {
  name?: string;
  stage?: string;
}

export interface DealPullRequest {
  /** The plugin's deal fields to read (inputs and outputs): those that exist and the integration user can read. */
  fields: DealFieldKey[];
  /** Resume point of an interrupted deal pull, or null to start one. Deal pulls are full: every deal. */
  resume: PullCursor | null;
}

export interface PulledDealPage {
  deals: PulledDealRecord[];
  problems: RecordProblem[];
  cursor: PullCursor;
}

/** The plugin's outputs for one deal; the MEDDIC inputs are the rep's and cannot be written. */
export interface DealUpdate {
  recordId: string;
  values: DealFieldValues;
}

/** The write's per-record failure code for a deal left alone because it is closed (`skipClosed`). */
export const DEAL_CLOSED = 'DEAL_CLOSED';

/**
 * The deal object's I/O, beside the customer object's: its own field set (`FieldSetup<DealFieldKey>`,
 * planned by the same field policy), a full pull of deals with their MEDDIC levels and features, and
 * batch writes of the plugin's outputs with a result per record.
 */
export interface DealConnector extends FieldSetup<DealFieldKey> {
  /** Largest batch of deal updates per write call. */
  readonly maxBatchSize: number;
  pull(request: DealPullRequest): AsyncIterable<PulledDealPage>;
  /**
   * Writes the plugin's outputs (never an input: a ConnectorError). With `skipClosed`, the deals' state
   * is read first and a closed deal is not written: its result is `DEAL_CLOSED`, so a deal closed since
   * the pull keeps its last values.
   */
  write(updates: DealUpdate[], options: { skipClosed: boolean }): Promise<WriteResult[]>;
  /** The plugin's deal outputs as the CRM holds them now (missing records absent). */
  readFieldValues(recordIds: string[]): Promise<Map<string, DealFieldValues>>;
}
