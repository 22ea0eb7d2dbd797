// Shapes of the admin API's answers, as the page uses them (the server's zod-validated data).
export type Stage = 'awareness' | 'consideration' | 'purchase' | 'retention' | 'loyalty' | 'advocacy' | 'at_risk' | 'churned';
export type Tier = 'top' | 'middle' | 'bottom';

export interface Status {
  crm: string | null;
  installation: { id: string; name: string; accountId: string | null; status: InstallationStatus } | null;
  connection: { ok: true; account: string } | { ok: false; message: string };
  fields: { inPlace: string[]; missing: string[]; toUpdate: { name: string; change: string }[]; error: string | null } | null;
  schedule: { enabled: boolean; cron: string; timezone: string; nextRunAt: string | null; note: string | null } | null;
  /** In progress here or on a worker, or queued for one (Postgres). */
  running: { runId: string; kind: string; status: 'running' | 'queued' | 'starting' } | null;
  demo: { description: string } | null;
  install: { crm: string; label: string; available: boolean; missing: string | null }[];
}

export interface RunStats {
  pulledCustomers: number;
  pulledDeals: number;
  classified: number;
  changed: number;
  changedFields: Record<string, number>;
  stageTransitions: Record<string, number>;
  written: number;
  failed: number;
  skippedRecords: number;
  /** Of `failed`, refused by the CRM's own validation rules (absent when none). */
  refused?: number;
  requests: number;
  rateLimited: number;
  retries: number;
  /** Deal scoring's counts (sync.deals.enabled; absent otherwise). */
  deals?: { pulled: number; open: number; closed: number; changed: number; written: number; failed: number; closedSincePull: number; skipped: number; changedFields?: Record<string, number> };
}

export interface Run {
  id: string;
  kind: 'sync' | 'dry_run' | 'rollback' | 'rescore';
  mode: 'full' | 'incremental' | null;
  status: 'running' | 'succeeded' | 'failed' | 'stopped' | 'interrupted';
  asOf: string;
  startedAt: number;
  finishedAt: number | null;
  stats: RunStats;
  message: string | null;
  rollbackOf: string | null;
}

/** A run queued for the workers (Postgres) that has no record yet: shown from its job. */
export interface QueuedRun {
  id: string;
  kind: 'sync' | 'dry_run' | 'rollback' | 'rescore';
  mode: null;
  /** `skipped`: a worker took the job and found nothing to run; `failed`: it failed before it could start. */
  status: 'queued' | 'starting' | 'skipped' | 'failed' | 'cancelled';
  asOf: null;
  startedAt: null;
  finishedAt: number | null;
  stats: Record<string, never>;
  message: string | null;
  rollbackOf: null;
  jobId: string;
  queuedAt: number;
}

/** What `GET runs` and `GET runs/:id` answer: a run's record, or a queued run's job. */
export type AnyRun = Run | QueuedRun;

/** A run's errors counted by phase and code (`GET runs/:id`). */
export interface ErrorCount {
  phase: string;
  code: string;
  count: number;
  example: string;
}

export interface RunError {
  recordId: string | null;
  phase: string;
  code: string;
  message: string;
  at: number;
}

export interface PlannedChange {
  recordId: string;
  field: string;
  previous: string | null;
  next: string | null;
}

export interface Plan {
  runId: string;
  status: string;
  asOf: string;
  records: number;
  changedFields: Record<string, number>;
  stageTransitions: Record<string, number>;
  /** Open deals whose outputs would change (deal scoring on), after the customers in the plan as `deal:<id>` records. */
  deals: number;
  dealChangedFields: Record<string, number>;
  /** Records (grouped plan): customers and deals. */
  total: number;
  offset: number;
  byRecord: { recordId: string; changes: PlannedChange[] }[];
}

export interface TierFigures {
  customers: number;
  predictedClv: number;
  ltv: number;
}

export interface Summary {
  customers: number;
  purchasers: number;
  prospects: number;
  stages: Record<Stage, number>;
  churnTypes: { natural: number; preventable: number };
  churnRiskBands: { low: number; medium: number; high: number };
  valueTiers: Record<Tier, TierFigures>;
  totals: { ltv: number; predictedClv: number; expectedPurchases: number };
  means: { pAlive: number | null; clv: number | null; ltv: number | null; churnRisk: number | null };
  pareto: { topShare: number; clvShare: number | null; ltvShare: number | null };
  ltvFigures: {
    periodDays: number;
    currency: string;
    revenueInPeriod: number;
    customersInPeriod: number;
    newCustomersInPeriod: number;
    averageOrderValue: number | null;
    purchasesPerCustomer: number | null;
    simpleLtv: number | null;
    retentionRate: number | null;
    averageRetentionYears: number | null;
    grossMargin: number | null;
    retentionLtv: number | null;
    acquisitionSpend: number | null;
    cac: number | null;
    ltvToCac: number | null;
  };
}

export interface Overview {
  installation: string;
  runId: string | null;
  runKind: 'sync' | 'dry_run' | 'rollback' | null;
  asOf: string | null;
  summary: Summary | null;
  churnRiskHistogram: { from: number; to: number; customers: number }[];
  labels: { stages: Record<Stage, string>; stageOrder: Stage[]; valueTiers: Record<Tier, string> };
  settings: { clvHorizonMonths: number; churnRiskBands: { mediumFrom: number; highFrom: number }; currency: string };
  /** The newest rollback that wrote something after the figures' run, if any. */
  rolledBack: { id: string; rollbackOf: string | null; finishedAt: number | null } | null;
  lastRun: { id: string; kind: string; status: string; asOf: string; finishedAt: number | null; stageTransitions: Record<string, number> } | null;
}

export interface ModelFit {
  runId: string;
  at: number;
  asOf: string;
  fittedAsOf?: string;
  timeUnit?: 'day' | 'week';
  model: {
    name: string;
    requested: string;
    params: Record<string, number>;
    logLikelihood: number | null;
    converged: boolean;
    fallbackReason: string | null;
    customers: number;
    repeatBuyers: number;
    fitMs: number;
    reused: boolean;
    /** Under classifier.model auto: the model chosen and why. */
    selection?: { chosen: string; reason: string; calibrationEnd: string | null; holdoutEnd: string | null } | null;
    warnings?: string[];
  };
  spendModel: { params: { p: number; q: number; gamma: number }; logLikelihood: number; converged: boolean; customers: number } | null;
  spendFallbackReason?: string | null;
}

export interface Explanation {
  recordId: string;
  /** Who it is, as the CRM showed it at the last pull. */
  display: { name?: string; email?: string; company?: string } | null;
  /** Its record in the CRM's own UI, when the CRM says where. */
  crmUrl: string | null;
  /** What a customer record is in the CRM ("contact", "company", "account"), when the check says. */
  recordLabel?: string | null;
  deleted: boolean;
  /** Won deals, oldest first. */
  purchases: { dealId: string; day: string; amount: number }[];
  openDeals: number;
  scores: { asOf: string; values: Record<string, string | null>; features: Record<string, unknown> } | null;
  history: { runId: string; field: string; previous: string | null; next: string | null; state: string; at: number; runKind: string | null; rolledBackBy: string | null }[];
  /** The same in words (src/sync/describe.ts: what `lifecycle-sync explain` prints). */
  description: CustomerDescription;
}

/** src/sync/describe.ts CustomerDescription. */
export interface CustomerDescription {
  title: string;
  record: string;
  stage: string | null;
  scores: string[];
  reason: string | null;
  purchases: string;
  signals: string[];
  history: { at: number; when: string; runId: string; run: string; field: string; label: string; from: string; to: string; state: string; outcome: string; rolledBackBy: string | null }[];
}

export type InstallationStatus = 'active' | 'paused';
export type Health = 'ok' | 'running' | 'failing' | 'paused' | 'never_run';

/** One row of `GET /api/installations`. */
export interface InstallationView {
  id: string;
  crm: string;
  name: string;
  accountId: string | null;
  status: InstallationStatus;
  health: Health;
  lastRun: { id: string; kind: string; status: string; startedAt: number; finishedAt: number | null; message: string | null } | null;
  nextRunAt: string | null;
  /** Why there is no next run (paused, no first run yet, schedule off). */
  scheduleNote: string | null;
}

export interface InstallationList {
  installations: InstallationView[];
  /** Every installation in the store, whatever the filter and search. */
  total: number;
  /** How many match the filter and search (the list holds at most `limit` of them). */
  matching: number;
  /** Every installation's health, counted over all of them. */
  counts: Record<Health, number>;
}

/** One run job on the Postgres queue (`GET jobs`). */
export interface Job {
  jobId: string;
  installationId: string | null;
  runId: string | null;
  kind: string | null;
  trigger: string | null;
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  attempts: number;
  retryLimit: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  error: string | null;
}

export interface JobList {
  installation: string;
  /** null: runs are not queued (SQLite), so there are no jobs. */
  queue: 'pg-boss' | null;
  jobs: Job[];
}

/** `GET /api/backtest`: each model fitted up to a cut-off and scored on the holdout that follows. */
export interface Backtest {
  calibrationEnd: string;
  holdoutEnd: string;
  holdoutDays: number;
  customers: number;
  repeatBuyers: number;
  actual: { purchases: number; buyers: number; revenue: number };
  models: {
    model: string;
    fitted: boolean;
    reason: string | null;
    accuracy: { mae: number; rmse: number; correlation: number | null; aggregateErrorPct: number | null; churnAuc: number | null; topRevenueCapture: number | null } | null;
  }[];
  calibration: { frequency: number; orMore: boolean; customers: number; meanActual: number; meanPredicted: Record<string, number> }[];
  labels: { topShare: number };
  /** The conversion model's holdout AUC on the prospects (or why not). */
  conversion?:
    | { available: true; calibrationEnd: string; holdoutEnd: string; horizonDays: number; prospects: number; converted: number; auc: number | null; aucStandardError: number | null; brier: number | null; model: string; reason: string | null }
    | { available: false; reason: string };
}

/** One run's snapshot of the base (`GET history`). */
export interface RunSnapshot {
  runId: string;
  kind: string | null;
  status: string | null;
  at: number;
  asOf: string;
  customers: number;
  stages: Record<string, number>;
  churnRiskBands: { low: number; medium: number; high: number };
  valueTiers: { top: number; middle: number; bottom: number };
  totals: { ltv: number; predictedClv: number; expectedPurchases: number };
}

/** A row of GET /customers (the customer list): the values written, rounded; the link to the record in the CRM. */
export interface CustomerListRow {
  recordId: string;
  name: string | null;
  email: string | null;
  company: string | null;
  stage: Stage | null;
  churnRiskBand: 'low' | 'medium' | 'high' | null;
  valueTier: Tier | null;
  clv: number | null;
  churnRisk: number | null;
  ltv: number | null;
  /** A prospect's conversion likelihood (0–100); null for anyone who has bought. */
  conversionLikelihood?: number | null;
  /** The last run that scored the customer planned changes for it. */
  changedInLastRun: boolean;
  crmUrl: string | null;
}

/** GET /prospects: the conversion model's line and the prospects most likely to convert. */
export interface Prospects {
  model: { basis: string; label: string; auc: number | null; prospects: number } | null;
  top: { recordId: string; name: string | null; likelihood: number; strongestFactor: string | null; crmUrl: string | null }[];
}

export interface CustomerList {
  total: number;
  page: number;
  pageSize: number;
  /** What a customer record is in the CRM ("contact", "company", "account"); null with no rows or no check. */
  recordLabel: string | null;
  rows: CustomerListRow[];
}

/** A run whose stage per customer is kept (GET /api/history/flow/runs), newest first. */
export interface StageRecordRun {
  runId: string;
  kind: 'sync' | 'dry_run' | 'rollback' | 'rescore';
  status: string;
  asOf: string;
  startedAt: number;
  customers: number;
}

/** GET /api/history/flow: customers from each stage ('new': not in `from`) to each stage ('gone': not in `to`). */
export interface StageFlow {
  from: Omit<StageRecordRun, 'status'>;
  to: Omit<StageRecordRun, 'status'>;
  flows: { from: string; to: string; count: number }[];
}

/** GET /api/runs/:id/writes: a page of the records a real run wrote. */
export interface RunWrites {
  runId: string;
  kind: string;
  status: string;
  asOf: string;
  search: string;
  field: string | null;
  page: number;
  pageSize: number;
  total: number;
  records: {
    recordId: string;
    display?: { name?: string; email?: string; company?: string };
    writes: { field: string; previous: string | null; next: string | null; status: 'written' | 'failed' | 'rolled_back' | 'unconfirmed'; at: number }[];
  }[];
}

/** GET /settings: the settings the page edits, in effect for the installation (issue #12). */
export type SettingGroup = 'thresholds' | 'stages' | 'spend' | 'schedule';
export type SettingKind = 'number' | 'integer' | 'nullableNumber' | 'text' | 'longText' | 'boolean';
export interface SettingField {
  key: string;
  group: SettingGroup;
  kind: SettingKind;
  label: string;
  help: string;
  value: string | number | boolean | null;
  fileValue: string | number | boolean | null;
  overridden: boolean;
}
export interface SettingChange {
  id: number;
  at: number;
  actor: string;
  key: string;
  before: unknown;
  after: unknown;
}
export interface SettingChanges {
  total: number;
  page: number;
  pageSize: number;
  changes: SettingChange[];
}
export interface SettingsView {
  installationId: string;
  stored: boolean;
  paused: boolean;
  settings: SettingField[];
  schedule: { enabled: boolean; cron: string; timezone: string; nextRunAt: string | null; note: string | null } | null;
  changes: SettingChanges;
}
/** POST /settings/preview: the stage moves the proposed settings would make. */
export interface SettingsPreview {
  asOf: string;
  customers: number;
  moves: number;
  transitions: { from: Stage; to: Stage; count: number }[];
  model: string;
  reusedFit: boolean;
  ms: number;
}

/** GET /deals/pipeline: the open deals by MEDDIC score band × win probability band, and the win model's card. */
export interface DealPipeline {
  enabled: boolean;
  /** Where deal scoring is off: how to turn it on. */
  howToEnable: string | null;
  currency: string;
  /** Each band's lower bound (0–100), on both axes. */
  bands: number[];
  deals: number;
  amount: number;
  runId: string | null;
  scoredAt: number | null;
  cells: { meddicBand: number; winBand: number; deals: number; amount: number }[];
  winModel: {
    runId: string;
    basis: 'fitted' | 'meddic_fallback';
    label: string;
    reason: string | null;
    closedDeals: number;
    won: number;
    validation: {
      method: string;
      folds: number | null;
      deals: number;
      won: number;
      auc: number | null;
      aucStandardError: number | null;
      brier: number;
      calibration: { from: number; to: number; deals: number; meanPredicted: number; observedWinRate: number }[];
    } | null;
  } | null;
}

export interface OpenDeal {
  dealId: string;
  name: string | null;
  stage: string | null;
  amount: number | null;
  meddicScore: number;
  winProbability: number;
  biggestGap: string | null;
  nextAction: string;
  basis: 'fitted' | 'meddic_fallback';
  scoredAt: number;
  runId: string;
  crmUrl: string | null;
}

export interface OpenDealList {
  total: number;
  page: number;
  pageSize: number;
  rows: OpenDeal[];
}
