/**
 * Runs as jobs on pg-boss, in the state store's own Postgres database (schema `pgboss`): the product's one
 * dependency for scale-out stays Postgres. pg-boss gives what a home-made queue would get wrong: jobs
 * taken with SKIP LOCKED by any number of workers, heartbeats and expiry (a dead worker's job goes to
 * another), retries with backoff, a dead-letter queue, and cron schedules that fire once across replicas.
 *
 * One queue for every installation, with the `exclusive` policy keyed by installation id: at most one job
 * per installation is queued or running at any time, across all workers. That is also the fairness rule:
 * an installation of a million contacts holds one worker slot, never more, and every other
 * installation's job is taken by the other slots in the order it was queued. The store's lease
 * (sync/lock.ts) stays the last word on "one run at a time" (a CLI `sync` does not queue).
 */
import { PgBoss, type JobWithMetadata } from 'pg-boss';
import { z } from 'zod';
import { LifecycleSyncError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { RunRequest } from '../service/runJob.ts';
import { newRunId } from '../sync/engine.ts';
import type { JobSettings } from './settings.ts';

export const RUN_QUEUE = 'lifecycle-sync-run';
/** Where a run's job lands once its retries are spent (kept for the admin to see). */
export const DEAD_RUN_QUEUE = 'lifecycle-sync-run-dead';
const SCHEMA = 'pgboss';

const triggerSchema = z.enum(['admin', 'schedule', 'catch-up', 'demo', 'cli']);

/** A queued run: plain data in the job's row, checked when a worker takes it. */
export const queuedRunSchema = z
  .object({
    /** The run's id when it is known at queueing (printed by `sync --enqueue`); a scheduled job's run, and a retry, get a new one. */
    runId: z.string().min(1).optional(),
    installationId: z.string().min(1),
    request: z.discriminatedUnion('kind', [
      z.object({ kind: z.enum(['sync', 'dry_run']), full: z.boolean().optional(), asOfDay: z.number().int().nullable().optional(), trigger: triggerSchema }).strict(),
      z.object({ kind: z.literal('rollback'), rollbackOf: z.string().min(1), trigger: triggerSchema }).strict(),
    ]),
  })
  .strict();

export type QueuedRun = z.infer<typeof queuedRunSchema>;

export interface QueuedJob {
  runId: string;
  jobId: string;
}

/** A run's job as `lifecycle-sync jobs` shows it. */
export interface JobView {
  jobId: string;
  installationId: string | null;
  /** The run id it was queued with (a scheduled job's runs, and retries, get their own). */
  runId: string | null;
  kind: string | null;
  trigger: string | null;
  /** created, retry, active, completed, cancelled, or failed (its retries spent: dead). */
  state: string;
  attempts: number;
  retryLimit: number;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  /** Why its last attempt failed. */
  error: string | null;
}

const failureSchema = z.object({ message: z.string() });

export interface RunQueueOptions {
  url: string;
  settings: JobSettings;
  log: Logger;
  /** A worker also keeps the queue healthy (expiry, heartbeats, retention); a client only sends. */
  role: 'client' | 'worker';
}

/** The queue's retry, heartbeat and retention options from the configuration. */
function queueOptions(s: JobSettings) {
  return {
    retryLimit: s.retryLimit,
    retryDelay: s.retryDelaySeconds,
    retryBackoff: true,
    retryDelayMax: 1800,
    heartbeatSeconds: s.heartbeatSeconds,
    expireInSeconds: Math.round(s.expireHours * 3600),
    // Finished jobs are the run history's business (the store keeps runs); a week for inspection.
    deleteAfterSeconds: 7 * 86_400,
  };
}

export class RunQueue {
  readonly boss: PgBoss;
  private readonly o: RunQueueOptions;

  private constructor(boss: PgBoss, options: RunQueueOptions) {
    this.boss = boss;
    this.o = options;
  }

  /** Connects, installs or migrates pg-boss's schema, and makes sure both queues exist with the configured options. */
  static async open(o: RunQueueOptions): Promise<RunQueue> {
    const worker = o.role === 'worker';
    const boss = new PgBoss({
      connectionString: o.url,
      schema: SCHEMA,
      application_name: `lifecycle-sync ${o.role}`,
      max: worker ? 4 : 2,
      supervise: worker,
      schedule: worker,
      registerInstance: worker,
      superviseIntervalSeconds: o.settings.superviseSeconds,
      monitorIntervalSeconds: o.settings.superviseSeconds,
    });
    // Registered before start: pg-boss reports background failures (a lost connection) as events.
    boss.on('error', (error: unknown) => o.log.error('job queue error', { error: error instanceof Error ? error.message : String(error) }));
    try {
      await boss.start();
      await boss.createQueue(DEAD_RUN_QUEUE, { retryLimit: 0, deleteAfterSeconds: 30 * 86_400 });
      const options = queueOptions(o.settings);
      await boss.createQueue(RUN_QUEUE, { policy: 'exclusive', deadLetter: DEAD_RUN_QUEUE, ...options });
      // A queue made by an earlier configuration keeps its options unless they are updated.
      await boss.updateQueue(RUN_QUEUE, options);
    } catch (error) {
      await boss.stop({ graceful: false }).catch(() => undefined);
      throw new LifecycleSyncError('STORE_FAILED', `the job queue could not start in the Postgres database: ${error instanceof Error ? error.message : String(error)}`);
    }
    return new RunQueue(boss, o);
  }

  /**
   * Queues a run of the installation and answers with its run id at once. Refused (SYNC_LOCKED) while the
   * installation has a job queued, retrying or running.
   */
  async enqueue(installationId: string, request: RunRequest): Promise<QueuedJob> {
    const runId = newRunId(Date.now());
    const run: QueuedRun = queuedRunSchema.parse({ runId, installationId, request });
    const jobId = await this.boss.send(RUN_QUEUE, run, { singletonKey: installationId });
    if (jobId === null) {
      const [waiting] = await this.boss.findJobs(RUN_QUEUE, { key: installationId, queued: true });
      const [active] = waiting ? [] : (await this.boss.findJobs(RUN_QUEUE, { key: installationId })).filter((j) => j.state === 'active');
      const other = waiting ?? active;
      const runId = other ? queuedRunSchema.safeParse(other.data).data?.runId : undefined;
      throw new LifecycleSyncError('SYNC_LOCKED', `installation ${installationId} already has a run ${other?.state === 'active' ? 'in progress' : 'queued'}${runId ? ` (${runId})` : ''}; try again when it has finished`);
    }
    return { runId, jobId };
  }

  /** The newest run jobs first (pg-boss keeps finished ones a week, failed ones until deleted), of one installation or all. */
  async list(o: { installationId?: string; failedOnly?: boolean; limit: number }): Promise<JobView[]> {
    const jobs = await this.boss.findJobs<unknown>(RUN_QUEUE, { ...(o.installationId === undefined ? {} : { key: o.installationId }), limit: 100_000 });
    return jobs
      .filter((j) => !o.failedOnly || j.state === 'failed')
      .sort((a, b) => b.createdOn.getTime() - a.createdOn.getTime())
      .slice(0, o.limit)
      .map((j) => {
        const data = queuedRunSchema.safeParse(j.data).data;
        return {
          jobId: j.id,
          installationId: data?.installationId ?? j.singletonKey,
          runId: data?.runId ?? null,
          kind: data?.request.kind ?? null,
          trigger: data?.request.trigger ?? null,
          state: j.state,
          attempts: j.retryCount + (j.state === 'created' ? 0 : 1),
          retryLimit: j.retryLimit,
          createdAt: j.createdOn.toISOString(),
          startedAt: j.startedOn ? j.startedOn.toISOString() : null,
          completedAt: j.completedOn ? j.completedOn.toISOString() : null,
          error: j.state === 'failed' || j.state === 'retry' ? (failureSchema.safeParse(j.output).data?.message ?? null) : null,
        };
      });
  }

  /**
   * Jobs of the run queue and the dead letters by state, as pg-boss counts them (its monitor refreshes
   * the counts every `jobs.superviseSeconds`). A dead job waits in the dead letters as queued.
   */
  async counts(): Promise<{ queue: string; queued: number; active: number; failed: number }[]> {
    return (await this.boss.getQueues([RUN_QUEUE, DEAD_RUN_QUEUE])).map((q) => ({ queue: q.name, queued: q.queuedCount, active: q.activeCount, failed: q.failedCount }));
  }

  /** Takes run jobs, `concurrency` at a time, until `close`. The handler's rejection fails the job (retried, then dead). */
  async work(concurrency: number, handler: (job: JobWithMetadata<unknown>) => Promise<object>): Promise<void> {
    const options = { batchSize: 1, localConcurrency: concurrency, pollingIntervalSeconds: this.o.settings.pollSeconds, includeMetadata: true } as const;
    await this.boss.work(RUN_QUEUE, options, async (jobs: JobWithMetadata<unknown>[]) => {
      const [job] = jobs;
      return job ? handler(job) : {};
    });
  }

  /** Stops taking jobs; with `graceful`, waits up to `timeoutMs` for the jobs in hand. */
  async close(o: { graceful: boolean; timeoutMs?: number } = { graceful: true }): Promise<void> {
    await this.boss.stop({ graceful: o.graceful, timeout: o.timeoutMs ?? 30_000, close: true });
  }
}
