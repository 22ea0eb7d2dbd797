/**
 * The state store: what the sync engine remembers between runs. An interface, so that a Postgres
 * implementation can replace the embedded SQLite one for many installations on several machines.
 */
import { FIELD_KEYS } from '../../connectors/contract/index.ts';
import type { CrmName, CustomerDisplay, CustomerSignals, DealOutputKey, FieldKey, FieldValues, PullCursor, PulledDeal, StoredCredentials } from '../../connectors/contract/index.ts';
import type { CustomerListEntry, CustomerListPage, CustomerListQuery } from './customerList.ts';
import type { OpenDealPage, OpenDealPipeline, OpenDealQuery, OpenDealScore } from './openDeals.ts';
import type { ScorePage } from './scorePages.ts';
import type { StagePage, StagePageRows } from './stagePages.ts';

export type { StoredCredentials } from '../../connectors/contract/index.ts';

export type InstallationStatus = 'active' | 'paused' | 'uninstalled';

/**
 * The tenant: one CRM account (a HubSpot portal, a Salesforce org) the plugin works for, at most one
 * installation per account. Installations from the environment's credentials (the single-machine quick
 * start) have the CRM's name as their id, and so does an OAuth install made while that one is free for
 * its account (src/server/oauth/installGrant.ts); installations added through the CLI or OAuth installs
 * of other accounts have a generated one.
 */
export interface Installation {
  id: string;
  crm: CrmName;
  name: string;
  /** The CRM account: HubSpot portal id, Salesforce org id; null when not known. */
  accountId: string | null;
  status: InstallationStatus;
  /** Its own settings over the configuration file's (config/installationSettings.ts), as stored. */
  settings: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}


/** A rescore: a few customers scored and written between runs, with the last scored run's fit (sync/rescore.ts). */
export type RunKind = 'sync' | 'dry_run' | 'rollback' | 'rescore';
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
  /** Of `failed`, records the CRM's own validation rules refused (not retried first; absent in older runs). */
  refused?: number;
  /** Records skipped because the CRM data could not be read (bad amounts, dates...). */
  skippedRecords: number;
  requests: number;
  rateLimited: number;
  retries: number;
  /** Wall time per phase in milliseconds (fields, pull, classify, write). */
  phaseMs: Partial<Record<'fields' | 'pull' | 'classify' | 'write', number>>;
  /** The CRM's daily API allowance as it said at the run's end (null: it did not say; absent in older runs). */
  dailyQuota?: { limit: number; remaining: number } | null;
  /** Deal scoring's counts (sync.deals.enabled; absent otherwise and in older runs). */
  deals?: DealRunStats;
}

export interface DealRunStats {
  /** Deals pulled: open and closed. */
  pulled: number;
  open: number;
  /** Closed deals the win model was fitted on (closed by the as-of day). */
  closed: number;
  /** Open deals whose outputs differ enough to be written (a dry run's plan). */
  changed: number;
  written: number;
  failed: number;
  /** Closed between the pull and the write: left alone (DEAL_CLOSED), not retried. */
  closedSincePull: number;
  /** Deals skipped because their data could not be read (reported as run errors). */
  skipped: number;
  /** Of `changed`, the outputs to write by key (absent in older runs). */
  changedFields?: Partial<Record<DealOutputKey, number>>;
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
  /** Who it is, as the CRM showed it at the last pull (absent when it showed nothing). */
  display?: CustomerDisplay;
}

/** A deal as the store keeps it: as the connector pulled it. */
export type StoredDeal = PulledDeal;

export type AuditState = 'pending' | 'applied' | 'failed' | 'superseded';

/**
 * A field an audit entry is of: a customer field, or a deal output (deal scoring). Deal entries' record
 * ids are `deal:<CRM id>` (DEAL_RECORD_PREFIX): on HubSpot a contact and a deal can share an id.
 */
export type AuditField = FieldKey | DealOutputKey;
export const DEAL_RECORD_PREFIX = 'deal:';

export interface AuditEntry {
  id: number;
  runId: string;
  recordId: string;
  field: AuditField;
  previous: string | null;
  next: string | null;
  state: AuditState;
  at: number;
}

/** An audit entry of a customer field (not a deal output). */
export type CustomerAuditEntry = AuditEntry & { field: FieldKey };

export function isCustomerAudit(entry: AuditEntry): entry is CustomerAuditEntry {
  return !entry.recordId.startsWith(DEAL_RECORD_PREFIX) && (FIELD_KEYS as readonly string[]).includes(entry.field);
}

/** A change a run plans: a customer field, or (a dry run's deal scoring) a deal output of a `deal:<id>` record. */
export interface PlannedChange {
  recordId: string;
  field: AuditField;
  previous: string | null;
  next: string | null;
}

/** Named positions: pull cursors ('contacts', 'deals'), an interrupted pull, the last own-write marker. */
export type CursorName = string;

/** A customer as the plan phase reads it: no scores (a page of a streamed read). */
export type CustomerCore = Omit<StoredCustomer, 'deleted' | 'scores'>;

/** A deal's link to one of its customers, as the plan phase reads purchases (ordered by customer, deal). */
export interface DealLink {
  customerId: string;
  dealId: string;
  status: StoredDeal['status'];
  amount: number | null;
  closeDay: number | null;
  /** The deal's created day (UTC days since 1970-01-01); null when the CRM gave none. */
  createdDay?: number | null;
}

/**
 * Where a planned record stands in its run's plan: retries first (0), then stage moves (1), then the rest
 * (2), each in the order planned. The write phase and the page read records in this order.
 */
/** A planned change of a customer field (not a deal output). */
export type CustomerChange = PlannedChange & { field: FieldKey };

export function isCustomerChange(change: PlannedChange): change is CustomerChange {
  return !change.recordId.startsWith(DEAL_RECORD_PREFIX) && (FIELD_KEYS as readonly string[]).includes(change.field);
}

export interface PlanKey {
  priority: number;
  seq: number;
}

export interface PlannedRecord {
  key: PlanKey;
  recordId: string;
  changes: PlannedChange[];
}

/** Installations and their credentials (stored encrypted). */
export interface InstallationStore {
  /**
   * The installation of the environment's credentials (id: the CRM's name), created or renamed; its
   * account id set when given (an OAuth install of its account), else left as it is.
   */
  upsertInstallation(installation: { id: string; crm: CrmName; name: string; accountId?: string }): Promise<Installation>;
  /** The installation of a CRM account (one not removed: removing an installation forgets its account), or null. */
  installationOfAccount(crm: CrmName, accountId: string): Promise<Installation | null>;
  /**
   * A new installation with a generated id; or, when the CRM account already has one (a reinstall), that
   * one, renamed and active again. `created` says which.
   */
  addInstallation(installation: { crm: CrmName; name: string; accountId: string | null }): Promise<{ installation: Installation; created: boolean }>;
  /** Changes its name, status or settings; null when there is no such installation. */
  updateInstallation(id: string, patch: { name?: string; status?: InstallationStatus; settings?: Record<string, unknown> }): Promise<Installation | null>;
  /**
   * Deletes its credentials and everything stored of its CRM (customers, deals, scores, open deals' scores, audit, plans,
   * cursors, fits) and its settings' change log; its runs stay, their errors without record ids or messages, and it stays listed as
   * uninstalled under the name "removed". False when there is no such installation.
   */
  removeInstallation(id: string): Promise<boolean>;
  getInstallation(id: string): Promise<Installation | null>;
  listInstallations(): Promise<Installation[]>;
  saveCredentials(installationId: string, credentials: StoredCredentials): Promise<void>;
  /** Installations that have stored credentials, most recently saved first (nothing is decrypted). */
  installationsWithCredentials(): Promise<string[]>;
  loadCredentials(installationId: string): Promise<StoredCredentials | null>;
  /**
   * The account's environment variables (its token, its API's base URL...) as \`installations add\` found
   * them, encrypted like credentials: the installation connects with these instead of the process's.
   */
  saveAccountEnv(installationId: string, variables: Record<string, string>): Promise<void>;
  loadAccountEnv(installationId: string): Promise<Record<string, string> | null>;
}

/** Runs, their errors, and the lease that keeps one run per installation at a time. */
export interface RunStore {
  /** Takes the lease unless another owner holds one that has not expired (or, on this machine, whose process lives). */
  acquireLock(installationId: string, owner: string, ttlMs: number): Promise<{ acquired: true } | { acquired: false; owner: string; expiresAt: number }>;
  /** Extends the lease; false when it is no longer this owner's. */
  renewLock(installationId: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLock(installationId: string, owner: string): Promise<void>;
  createRun(run: NewRun): Promise<RunRecord>;
  updateRun(id: string, patch: Partial<Pick<RunRecord, 'status' | 'mode' | 'stats' | 'message' | 'finishedAt' | 'heartbeatAt' | 'scoredAt'>>): Promise<void>;
  getRun(id: string): Promise<RunRecord | null>;
  /** The installation's newest runs, of the kinds given (all kinds when left out): a watch's rescores must not push its syncs out of a schedule's look. */
  listRuns(installationId: string, limit: number, kinds?: readonly RunKind[]): Promise<RunRecord[]>;
  /**
   * Each stored installation's newest run of the kind and status given (either may be left out), one per
   * installation that has one, in one query however many installations there are (metrics, when scraped).
   */
  latestRuns(filter: { kind?: RunKind; status?: RunStatus }): Promise<RunRecord[]>;
  /**
   * Runs still marked running whose holder is gone (no live lease held by their owner): marked
   * interrupted, with the counts their audit shows. `null`: every installation. Returns them.
   */
  markRunsInterrupted(installationId: string | null, exceptRunId?: string): Promise<RunRecord[]>;
  /** An admin gives up on a running run: marked interrupted (counts from its audit), its lease released. Null if it was not running. */
  abandonRun(runId: string, reason: string): Promise<RunRecord | null>;
  addRunErrors(errors: RunErrorRecord[]): Promise<void>;
  listRunErrors(runId: string, limit?: number): Promise<RunErrorRecord[]>;
  /** A run's errors counted by phase and code, the most frequent first, each with its first message (the page groups them). */
  runErrorCounts(runId: string): Promise<{ phase: string; code: string; count: number; example: string }[]>;
}

/** Where a page of scores belongs: the customers after `after` (null: from the first) through `through` (null: to the last). */
export interface ScoreSpan {
  after: string | null;
  through: string | null;
}

/** What the store knows of the CRM's customers and deals; the large tables are read in pages. */
export interface CrmDataStore {
  upsertCustomers(installationId: string, customers: CustomerCore[], seenInPull?: string): Promise<void>;
  upsertDeals(installationId: string, deals: StoredDeal[], seenInPull?: string): Promise<void>;
  /** After a full pull: records not seen in it are gone from the CRM. Returns how many were marked. */
  markUnseenDeleted(installationId: string, pullId: string): Promise<{ customers: number; deals: number }>;
  /** Records the CRM says no longer exist (e.g. a write found them gone). */
  markCustomersDeleted(installationId: string, recordIds: string[]): Promise<void>;
  /** A page of the customers (not deleted) after `after` in record id order. */
  customerPage(installationId: string, after: string | null, limit: number): Promise<CustomerCore[]>;
  /** The same page with each customer's signals only (the plan phase's first pass: no CRM values to parse). */
  customerSignalsPage(installationId: string, after: string | null, limit: number): Promise<Pick<CustomerCore, 'recordId' | 'signals'>[]>;
  /** The same page with the plugin's values as the CRM holds them and who each is (the plan phase's second pass). */
  customerValuesPage(installationId: string, after: string | null, limit: number): Promise<Pick<CustomerCore, 'recordId' | 'crmValues' | 'display'>[]>;
  /** A page of (customer, deal) links of deals not deleted, after `after` in (customer, deal) order. */
  dealLinkPage(installationId: string, after: { customerId: string; dealId: string } | null, limit: number): Promise<DealLink[]>;
  /** How many customers (not deleted) the store holds. */
  countCustomers(installationId: string): Promise<number>;
  getCustomer(installationId: string, recordId: string): Promise<StoredCustomer | null>;
  dealsOf(installationId: string, recordId: string): Promise<StoredDeal[]>;
  /** The customers these deals are (or, deleted, were) linked to, each once: whom a deal's change concerns. */
  customersOfDeals(installationId: string, dealIds: readonly string[]): Promise<string[]>;
  /** The CRM now holds these values (after a write or a rollback). */
  setCrmValues(installationId: string, updates: { recordId: string; values: FieldValues; modifiedAt: number | null }[]): Promise<void>;
  /**
   * The scores of a span of customers, in record order (scorePages.ts): they replace every stored page
   * that overlaps the span. A run saves its spans in order from the first customer to the last, so what a
   * dropped page held outside the span was saved just before, or is saved next.
   */
  saveScores(installationId: string, span: ScoreSpan, scores: ScorePage): Promise<void>;
  /**
   * Some customers' scores (a few rescored between runs, sync/rescore.ts), each replaced or added in the
   * stored page that reaches it; a customer no page reaches gets a page of its own (the next run's spans
   * replace it like any page they overlap).
   */
  patchScores(installationId: string, scores: { recordId: string; scores: StoredScores }[]): Promise<void>;
}

/** The customer list: each customer's latest scores, searchable (customerList.ts). */
export interface CustomerListStore {
  /**
   * The list's rows of a span of customers, as scored by `runId`: they replace every row in the span
   * (customers no longer there drop out), like saveScores, in the same transaction.
   */
  saveCustomerList(installationId: string, span: ScoreSpan, runId: string, entries: CustomerListEntry[]): Promise<void>;
  /**
   * Some customers' rows as rescored between runs: the values shown replaced (a new customer's row
   * added); which run last changed each row, and the list's run, left as they were.
   */
  updateCustomerListRows(installationId: string, entries: CustomerListEntry[]): Promise<void>;
  /** A page of the installation's customers matching the query, and how many match in all. */
  customerList(installationId: string, query: CustomerListQuery): Promise<CustomerListPage>;
}

/** The open-deal pipeline: each open deal's scores as the last real sync with deal scoring made them (openDeals.ts). */
export interface OpenDealStore {
  /** The installation's set replaced by these deals, scored by `runId` (deals not among them drop out). */
  replaceOpenDeals(installationId: string, runId: string, deals: OpenDealScore[]): Promise<void>;
  /** A page of the installation's open deals in the query's order, and how many it has in all. */
  openDeals(installationId: string, query: OpenDealQuery): Promise<OpenDealPage>;
  /** Counts and amounts by MEDDIC score band × win probability band. */
  openDealPipeline(installationId: string): Promise<OpenDealPipeline>;
}

/** The audit of every written value, plans, and the retry queue. */
export interface AuditStore {
  addAudit(entries: Omit<AuditEntry, 'id'>[]): Promise<number[]>;
  setAuditState(ids: number[], state: AuditState): Promise<void>;
  /** A page of a run's audit in (record, id) order: a record's entries together. */
  auditPage(runId: string, after: { recordId: string; id: number } | null, limit: number): Promise<AuditEntry[]>;
  /** How many records of a run's audit are in each state (a record counted once per state). */
  auditCounts(runId: string): Promise<Partial<Record<AuditState, number>>>;
  auditOfRecord(installationId: string, recordId: string, limit: number): Promise<AuditEntry[]>;
  /** Entries left pending by runs that did not finish. */
  supersedePendingAudit(installationId: string, exceptRunId: string): Promise<number>;
  /** Appends records to a run's plan (the plan phase streams them in batches). */
  addPlanned(runId: string, records: PlannedRecord[]): Promise<void>;
  /** The plan's records after `after` in plan order, each with its changes (the write phase's batches). */
  plannedAfter(runId: string, after: PlanKey | null, limit: number): Promise<PlannedRecord[]>;
  /** A page of the plan's records by position (the page, stage moves first). */
  planRecords(runId: string, page: { offset: number; limit: number }): Promise<PlannedRecord[]>;
  /** A page of the plan's changes (in the same order), optionally of one field. */
  planChanges(runId: string, page: { offset: number; limit: number; field?: AuditField }): Promise<PlannedChange[]>;
  deletePlan(runId: string): Promise<void>;
  setRetries(installationId: string, entries: { recordId: string; reason: string }[]): Promise<void>;
  clearRetries(installationId: string, recordIds: string[]): Promise<void>;
  listRetries(installationId: string): Promise<{ recordId: string; reason: string; attempts: number }[]>;
}

/** Model fits, cursors and request counts: what one run leaves for the next. */
export interface StateStore {
  saveModelFit(installationId: string, runId: string, fit: unknown): Promise<void>;
  latestModelFit(installationId: string): Promise<{ runId: string; at: number; fit: unknown } | null>;
  /** The installation's fits, newest first: one per run, each with the run's summary (the page's trends). */
  modelFits(installationId: string, limit: number): Promise<{ runId: string; at: number; fit: unknown }[]>;
  getCursor(installationId: string, name: CursorName): Promise<PullCursor | null>;
  setCursor(installationId: string, name: CursorName, value: PullCursor | null): Promise<void>;
  /** Requests counted against the CRM's daily quota on a UTC day (YYYY-MM-DD). */
  addRequestUsage(installationId: string, day: string, requests: number): Promise<void>;
  requestUsage(installationId: string, day: string): Promise<number>;
  /**
   * Records that the alert `key` (src/alerts) goes out for the installation: true for the first caller,
   * false for every later one in any process, so several workers send one alert, not one each.
   */
  claimAlert(installationId: string, key: string): Promise<boolean>;
}

/** A run whose every customer's stage is kept (stagePages.ts), newest first in `stageRecordRuns`. */
export interface StageRecordRun {
  runId: string;
  kind: RunKind;
  status: RunStatus;
  asOf: string;
  startedAt: number;
  customers: number;
}

/** What became of one value a run wrote: the CRM took it (and a rollback may have restored it since), refused it, or the run ended before it answered. */
export type WriteStatus = 'written' | 'failed' | 'rolled_back' | 'unconfirmed';

export interface RecordWrite {
  /** A deal output for a deal record (`deal:<id>`). */
  field: AuditField;
  previous: string | null;
  next: string | null;
  status: WriteStatus;
  at: number;
}

/** One record's writes in a run, with who it is when the CRM showed it. */
export interface RunWriteRecord {
  recordId: string;
  display?: CustomerDisplay;
  writes: RecordWrite[];
}

/** Which of a run's written records: a search in record id, name, e-mail or company (case-insensitive), one field. */
export interface RunWritesFilter {
  search?: string;
  field?: FieldKey;
}

/** Each scored run's stage per customer (the flow between two runs) and what each real run wrote, per record. */
export interface HistoryStore {
  /**
   * A page of the run's customers' stages, in record order after the pages saved before it (the plan
   * phase saves it with the page's scores). `last`: the run's record is complete (an empty last page too).
   */
  saveStagePage(installationId: string, runId: string, page: StagePage, last: boolean): Promise<void>;
  /** The installation's runs whose stage record is complete, newest first. */
  stageRecordRuns(installationId: string, limit: number): Promise<StageRecordRun[]>;
  /** The run's stage pages after `after` (a page's first record id; null: from the first), in record order. */
  stagePages(runId: string, after: string | null, limit: number): Promise<(StagePageRows & { firstRecordId: string })[]>;
  /** Keeps the stage records of the installation's newest `keep` complete runs (and `exceptRunId`'s); the runs whose records went. */
  pruneStageRecords(installationId: string, keep: number, exceptRunId: string): Promise<string[]>;
  /** A page of the run's written records in record order (from its audit), after the record `after` or from position `offset`. */
  runWrites(runId: string, filter: RunWritesFilter, page: { after?: string; offset?: number; limit: number }): Promise<RunWriteRecord[]>;
  /** How many of the run's written records match. */
  countRunWrites(runId: string, filter: RunWritesFilter): Promise<number>;
}

/** One change of an installation's settings, as the page's change log shows it (issue #12). */
export interface SettingChange {
  installationId: string;
  at: number;
  /** Who made it: "admin" (the admin token: the page or the API), "cli". */
  actor: string;
  /** The setting's dotted path (classifier.rules.atRiskMaxPAlive), or "status" for a pause or resume. */
  key: string;
  /** The values in effect before and after (JSON; the configuration file's where not overridden). */
  before: unknown;
  after: unknown;
}

/** The log of every change of an installation's settings. */
export interface SettingsLogStore {
  addSettingChanges(changes: SettingChange[]): Promise<void>;
  /** A page of the installation's changes, newest first, and how many it has in all. */
  settingChanges(installationId: string, page: { offset: number; limit: number }): Promise<{ total: number; changes: (SettingChange & { id: number })[] }>;
}

/** The whole store: its concerns over one database. */
/** One object's pending webhook work (src/webhooks/): the latest event about it decides its action. */
export interface WebhookWork {
  object: 'contact' | 'deal';
  recordId: string;
  /** `forget`: the person was deleted; `rescore`: refresh from the CRM and score. */
  action: 'rescore' | 'forget';
  occurredAt: number;
  /** Raised by every event about it: work done is removed only if no event came in meanwhile. */
  version: number;
}

export interface WebhookStore {
  /**
   * Remembers the keys (hashes) until `expiresAt`; returns those not already remembered (a key another
   * process claims at the same time is claimed once). Expired keys count as not remembered.
   */
  claimWebhookKeys(keys: string[], at: number, expiresAt: number): Promise<string[]>;
  /** The `at` of each remembered, unexpired key among these. */
  webhookKeysAt(keys: string[], now: number): Promise<Map<string, number>>;
  /** Remembers the keys with `at` (the later one when already remembered). */
  setWebhookKeys(entries: { key: string; at: number }[], expiresAt: number): Promise<void>;
  /** Forgets expired keys; how many. */
  pruneWebhookKeys(now: number): Promise<number>;
  /** Records work: one row per (installation, object, id); the later event's action stands, the version rises. */
  addWebhookWork(installationId: string, work: Omit<WebhookWork, 'version'>[], now: number): Promise<void>;
  /** Up to `limit` pending rows, oldest first. */
  pendingWebhookWork(installationId: string, limit: number): Promise<WebhookWork[]>;
  /** Removes the rows done, each only if its version is still the one handled. */
  finishWebhookWork(installationId: string, done: Pick<WebhookWork, 'object' | 'recordId' | 'version'>[]): Promise<void>;
  /** The installations with pending work. */
  installationsWithWebhookWork(): Promise<string[]>;
  /**
   * Removes everything stored about these customers (a deletion or privacy deletion in the CRM): their
   * rows, their links on deals, their place in score and stage pages, the customer list, audit entries,
   * plans, retries, run errors and pending work.
   */
  forgetCustomers(installationId: string, recordIds: string[]): Promise<void>;
}

/** What the CRM said a customer's last engagement day was, read on `seenDay` (a sync's UTC day). */
export interface EngagementReadingRow {
  recordId: string;
  seenDay: number;
  /** Null: no engagement as of that reading. */
  lastEngagementDay: number | null;
}

/** The customers' engagement readings over syncs (the conversion model's, sync/conversionPhase.ts). */
export interface ProspectStore {
  /** Adds readings; one already kept for the same customer and day is replaced. */
  addEngagementReadings(installationId: string, readings: EngagementReadingRow[]): Promise<void>;
  /** A page of the readings after `after`, in (record, seen day) order. */
  engagementReadingsPage(installationId: string, after: { recordId: string; seenDay: number } | null, limit: number): Promise<EngagementReadingRow[]>;
}

export interface Store extends WebhookStore, InstallationStore, RunStore, CrmDataStore, CustomerListStore, OpenDealStore, AuditStore, StateStore, HistoryStore, SettingsLogStore, ProspectStore {
  /** 'sqlite' or 'postgres'. */
  readonly kind: string;
  /** For messages: the file, or the database's URL without its password. */
  readonly where: string;
  /** Runs `fn` with a store whose writes stand or fall together. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * After a run: reclaims the space of the rows it replaced where the database does not do it by itself
   * (Postgres without autovacuum: postgres/vacuum.ts; SQLite reuses freed pages). The tables it tidied.
   * Nothing inside a transaction.
   */
  reclaimSpace(): Promise<string[]>;
  close(): Promise<void>;
}
