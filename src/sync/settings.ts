/** The sync engine's settings (config/default.yaml `sync` and `store`). */
import { z } from 'zod';

const share = z.number().gt(0, 'must be above 0').max(1, 'must be at most 1');
const nonNegative = z.number().min(0, 'must not be negative');

export const syncSettingsSchema = z
  .object({
    /** Days between full reconciles (a full pull of every record); incremental pulls in between. */
    fullReconcileDays: z.number().min(0, 'must not be negative'),
    /** Days a model fit is reused before the next refit (a full reconcile always refits). */
    refitDays: z.number().min(0, 'must not be negative'),
    /** Share of the CRM's daily API allowance this plugin may use (the rest is the customer's other integrations). */
    dailyQuotaShare: share,
    /** Share of the CRM's short-window rate limit to pace at. */
    burstShare: share,
    /** Changes smaller than these are not written, so daily drift does not rewrite everyone. */
    minChange: z
      .object({
        churnRisk: nonNegative,
        money: nonNegative,
        clvRelative: z.number().min(0).max(1),
        expectedPurchases: nonNegative,
      })
      .strict(),
    rounding: z.object({ moneyDecimals: z.number().int().min(0).max(4), expectedPurchasesDecimals: z.number().int().min(0).max(4) }).strict(),
    /** How far incremental pulls look back before the last cursor, for the CRM's search index lag. */
    searchLagSeconds: z.number().int().min(0),
    /** A crashed holder's lock expires after this. */
    lockTtlSeconds: z.number().int().min(10, 'must be at least 10'),
    /** Longest stage reason written (characters). */
    maxReasonLength: z.number().int().min(50).max(10000),
    /** Write batches in flight at once (each still waits for the CRM's rate limit). */
    writeConcurrency: z.number().int().min(1).max(16),
    /**
     * Scored runs (syncs and dry runs) whose stage per customer is kept for the page's flow between two
     * runs (store/stagePages.ts, about 4 bytes a customer a run); older ones are pruned at a run's end.
     * Their counts per stage (the trends) stay.
     */
    stageHistoryRuns: z.number().int().min(2, 'must be at least 2 (a flow compares two runs)').max(10_000).default(60),
    /**
     * Seconds between the light watch's cycles (sync/watch.ts) in the service; null: no watch. The
     * `watch` command uses it too when --interval is not given.
     */
    watchIntervalSeconds: z.number().int().min(5, 'must be at least 5').max(86_400).nullable().default(null),
    /**
     * Deal scoring (issue #14): with `enabled`, set-up creates the deal fields and every sync scores the
     * open deals (MEDDIC score, win probability, biggest gap, next action). Off by default.
     */
    deals: z
      .object({
        enabled: z.boolean().default(false),
        /** Win-probability and MEDDIC-score changes below this many percentage points are not written. */
        minChange: z.number().min(0, 'must not be negative').max(100).default(1),
      })
      .strict()
      .default({ enabled: false, minChange: 1 }),
    /** Retries of transient CRM failures (429, 5xx, dropped connections) within a run. */
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).max(20),
        baseDelayMs: z.number().int().min(0),
        rateLimitDelayMs: z.number().int().min(0),
        maxDelayMs: z.number().int().min(0),
      })
      .strict(),
  })
  .strict();

export type SyncSettings = z.infer<typeof syncSettingsSchema>;

export const storeSettingsSchema = z
  .object({
    /** The SQLite file (LIFECYCLE_SYNC_DB overrides). */
    path: z.string().min(1),
    /** How long a run (or a CLI command) waits for the file's write lock held by another process (ms). */
    busyTimeoutMs: z.number().int().min(0).max(600_000),
  })
  .strict();
