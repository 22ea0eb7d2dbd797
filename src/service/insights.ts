/**
 * What the admin page and the metrics show about the customer base: the latest classification's summary
 * and model fit (stored with every run, validated on the way out since an older version may have written
 * it) and the churn-risk distribution of the stored scores (computed once per run, then reused).
 */
import { z } from 'zod';
import { MODEL_CHOICES, STAGES_IN_LIFECYCLE_ORDER, TRANSACTION_MODELS } from '../classifier/types.ts';
import { modelSelectionSchema } from '../sync/modelFit.ts';
import type { Store } from '../store/types.ts';

const count = z.number();
const money = z.number().nullable();
const stageCounts = z.object(Object.fromEntries(STAGES_IN_LIFECYCLE_ORDER.map((s) => [s, count])) as Record<(typeof STAGES_IN_LIFECYCLE_ORDER)[number], typeof count>);
const tier = z.object({ customers: count, predictedClv: z.number(), ltv: z.number(), minClv: z.number().nullable() });

export const summarySchema = z.object({
  customers: count,
  purchasers: count,
  prospects: count,
  stages: stageCounts,
  churnTypes: z.object({ natural: count, preventable: count }),
  churnRiskBands: z.object({ low: count, medium: count, high: count }),
  valueTiers: z.object({ top: tier, middle: tier, bottom: tier }),
  totals: z.object({ ltv: z.number(), predictedClv: z.number(), expectedPurchases: z.number() }),
  means: z.object({ pAlive: money, clv: money, ltv: money, churnRisk: money }),
  pareto: z.object({ topShare: z.number(), clvShare: money, ltvShare: money }),
  ltvFigures: z.object({
    periodDays: count,
    currency: z.string(),
    revenueInPeriod: z.number(),
    customersInPeriod: count,
    newCustomersInPeriod: count,
    purchasesInPeriod: count,
    averageOrderValue: money,
    purchasesPerCustomer: money,
    simpleLtv: money,
    retentionRate: money,
    averageRetentionYears: money,
    grossMargin: money,
    profitPerCustomer: money,
    retentionLtv: money,
    acquisitionSpend: money,
    cac: money,
    ltvToCac: money,
  }),
});

const params = z.record(z.string(), z.number());
const fitSchema = z.object({
  asOf: z.string(),
  fittedAsOf: z.string().optional(),
  timeUnit: z.enum(['day', 'week']).optional(),
  model: z.object({
    name: z.enum([...TRANSACTION_MODELS, 'recency_heuristic']),
    requested: z.enum(MODEL_CHOICES),
    params,
    logLikelihood: z.number().nullable(),
    converged: z.boolean(),
    iterations: z.number().nullable(),
    standardErrors: params.nullable(),
    fallbackReason: z.string().nullable(),
    customers: count,
    repeatBuyers: count,
    fitMs: z.number(),
    reused: z.boolean().default(false),
    selection: modelSelectionSchema.nullable().default(null),
    warnings: z.array(z.string()).default([]),
  }),
  spendModel: z
    .object({ name: z.literal('gamma_gamma'), params: z.object({ p: z.number(), q: z.number(), gamma: z.number() }), logLikelihood: z.number(), converged: z.boolean(), customers: count })
    .nullable(),
  spendFallbackReason: z.string().nullable().optional(),
  summary: summarySchema,
});

export type ClassificationSummaryView = z.infer<typeof summarySchema>;
export type ModelFitView = z.infer<typeof fitSchema> & { runId: string; at: number };

export interface HistogramBucket {
  from: number;
  to: number;
  customers: number;
}

const histogramSchema = z.object({ churnRiskHistogram: z.array(z.number().int().min(0)).length(10) });
/** The part of a stored fit a trend needs: its as-of day and the base's counts. */
const snapshotSchema = z.object({ asOf: z.string(), summary: summarySchema.pick({ customers: true, stages: true, churnRiskBands: true, valueTiers: true, totals: true }) });

/** One run's snapshot of the base: customers per stage, churn-risk band and value tier, and the totals. */
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

export class Insights {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  /**
   * The installation's runs as snapshots of its base, oldest first (a chart's order): one per run that
   * classified (syncs and dry runs, told apart by `kind`). Fits an older version stored in another shape
   * are left out, never a failure of the trend.
   */
  async history(installationId: string, limit: number): Promise<RunSnapshot[]> {
    const fits = await this.store.modelFits(installationId, limit);
    const runs = new Map((await this.store.listRuns(installationId, Math.max(limit * 3, 50))).map((r) => [r.id, r]));
    const out: RunSnapshot[] = [];
    for (const f of fits) {
      const parsed = snapshotSchema.safeParse(f.fit);
      if (!parsed.success) continue;
      const { asOf, summary } = parsed.data;
      const run = runs.get(f.runId) ?? (await this.store.getRun(f.runId));
      out.push({
        runId: f.runId,
        kind: run?.kind ?? null,
        status: run?.status ?? null,
        at: f.at,
        asOf,
        customers: summary.customers,
        stages: summary.stages,
        churnRiskBands: summary.churnRiskBands,
        valueTiers: { top: summary.valueTiers.top.customers, middle: summary.valueTiers.middle.customers, bottom: summary.valueTiers.bottom.customers },
        totals: summary.totals,
      });
    }
    return out.reverse();
  }

  /** The latest run's classification (sync or dry run), or null before the first run. */
  async latestFit(installationId: string): Promise<ModelFitView | null> {
    const latest = await this.store.latestModelFit(installationId);
    if (!latest) return null;
    const parsed = fitSchema.safeParse(latest.fit);
    return parsed.success ? { ...parsed.data, runId: latest.runId, at: latest.at } : null;
  }

  /**
   * Customers (people with a purchase) by churn risk, in ten buckets of 10 points: counted by the run
   * that classified them (on its own thread), never by loading the base here. Fits stored by versions
   * before it have no histogram: empty until the next run.
   */
  async churnRiskHistogram(installationId: string): Promise<HistogramBucket[]> {
    const latest = await this.store.latestModelFit(installationId);
    const parsed = histogramSchema.safeParse(latest?.fit);
    const counts = parsed.success ? parsed.data.churnRiskHistogram : Array.from({ length: 10 }, () => 0);
    return counts.map((customers, i) => ({ from: i * 10, to: (i + 1) * 10, customers }));
  }
}
