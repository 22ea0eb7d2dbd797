/**
 * `lifecycle-sync worker`: takes run jobs from the queue (runQueue.ts) and executes each on a thread of its
 * own, as the admin server does (runOnThread.ts), with the installation's own settings over the
 * configuration file. A job whose run fails is failed for pg-boss to retry (then dead); a job for an
 * installation that was paused or removed meanwhile completes without a run. On SIGTERM the worker stops
 * taking jobs, lets the runs in hand finish for a grace period, then marks the rest interrupted and
 * releases their leases, so the jobs' retries on other workers continue them at once.
 */
import type { JobWithMetadata } from 'pg-boss';
import { effectiveConfig, readOverrides } from '../config/installationSettings.ts';
import type { Config } from '../config/schema.ts';
import type { Env } from '../crm.ts';
import { LifecycleSyncError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { FinishedRun } from '../service/runner.ts';
import { runOnThread, type RunThread } from '../service/runOnThread.ts';
import { SAME_SLOT_MS } from '../scheduler/scheduler.ts';
import type { Store } from '../store/types.ts';
import { newRunId } from '../sync/engine.ts';
import { queuedRunSchema, RunQueue } from './runQueue.ts';
import { reconcileSchedules } from './schedules.ts';

export interface WorkerOptions {
  url: string;
  config: Config;
  env: Env;
  store: Store;
  log: Logger;
  concurrency: number;
  /** Told of each run's end, failed ones included (metrics); its failure is logged, never the job's. */
  onRunEnded?: (run: FinishedRun) => Promise<void> | void;
}

export interface JobOutcome {
  runId: string | null;
  status: string;
  message?: string;
}

export interface RunningWorker {
  /** Runs in hand, by run id. */
  active(): string[];
  /** The queue's jobs by state (metrics). */
  queueCounts(): ReturnType<RunQueue['counts']>;
  stop(graceMs: number): Promise<void>;
}

export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const queue = await RunQueue.open({ url: o.url, settings: o.config.jobs, log: o.log, role: 'worker' });
  const inHand = new Map<string, RunThread>();

  const execute = async (job: JobWithMetadata<unknown>): Promise<JobOutcome> => {
    const parsed = queuedRunSchema.safeParse(job.data);
    if (!parsed.success) throw new LifecycleSyncError('INPUT_INVALID', `job ${job.id} holds no run: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const { installationId, request } = parsed.data;
    const log = o.log.child({ installation: installationId, jobId: job.id });
    const installation = await o.store.getInstallation(installationId);
    const skip = (message: string): JobOutcome => {
      log.info('job completed without a run', { reason: message, trigger: request.trigger });
      return { runId: null, status: 'skipped', message };
    };
    if (installation?.status === 'uninstalled') return skip('the installation was removed');
    if (installation?.status === 'paused') return skip('the installation is paused');
    // The environment's installation (its id is the CRM's name) may have no row before its first run.
    const crm = installation?.crm ?? o.config.crm ?? installationId;
    const config = installation ? effectiveConfig(o.config, readOverrides(installation.settings, installationId), installationId) : o.config;
    // A retry of a job whose earlier attempt did run to success (pg-boss took it for lost: a worker too
    // busy to send its heartbeat in time) runs nothing more: one run per job, as per tick.
    if (job.retryCount > 0) {
      const done = (await o.store.listRuns(installationId, 20, [request.kind])).find((r) => r.status === 'succeeded' && r.startedAt >= job.createdOn.getTime());
      if (done) return skip(`the run ${done.id} of an earlier attempt succeeded`);
    }
    if (request.trigger === 'schedule') {
      const skipped = await scheduledRunSkipped(o.store, installationId, config, job.createdOn.getTime());
      if (skipped) return skip(skipped);
    }
    // A retry (or a second delivery) is a new run: the first attempt's run keeps its own record.
    const queuedId = parsed.data.runId;
    const runId = queuedId === undefined || (await o.store.getRun(queuedId)) ? newRunId(Date.now()) : queuedId;
    const startedAt = Date.now();
    const thread = runOnThread({ runId, request, installationId, crm, config, env: o.env, busyTimeoutMs: config.store.busyTimeoutMs, logLevel: log.level }, log);
    inHand.set(runId, thread);
    // pg-boss gave the job up (expired, or this worker's heartbeat lapsed): the run stops and is handed on.
    const onAbort = () => void thread.terminate();
    job.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await thread.started;
      log.info('run started', { runId, kind: request.kind, attempt: job.retryCount + 1 });
      const end = await thread.ended;
      if ('lost' in end) {
        await o.store.abandonRun(runId, end.lost).catch((error: unknown) => log.error('a stopped run could not be marked interrupted; the next run will', { runId, error: error instanceof Error ? error.message : String(error) }));
        throw new Error(`run ${runId}: ${end.lost}`);
      }
      if (!('summary' in end)) throw new Error(`run ${runId} did not start`);
      const { summary } = end;
      log.info('run ended', { runId, status: summary.status });
      try {
        await o.onRunEnded?.({ installationId, crm, trigger: request.trigger, summary, durationMs: Date.now() - startedAt });
      } catch (error) {
        log.warn('a run listener failed', { runId, error: error instanceof Error ? error.message : String(error) });
      }
      // Thrown, so pg-boss retries it with backoff and, once the retries are spent, moves it to the dead letters.
      if (summary.status === 'failed') throw new Error(`run ${runId} failed: ${summary.message ?? 'see its errors'}`);
      return { runId, status: summary.status, ...(summary.message ? { message: summary.message } : {}) };
    } finally {
      job.signal.removeEventListener('abort', onAbort);
      inHand.delete(runId);
    }
  };

  // The schedules follow the installations (added, paused, their settings changed) on whichever machine changed them.
  const reconcile = () => reconcileSchedules(queue, o.store, o.config, o.log);
  try {
    await reconcile();
  } catch (error) {
    await queue.close({ graceful: false });
    throw error;
  }
  const reconciling = setInterval(() => {
    reconcile().catch((error: unknown) => o.log.error('the schedules could not be brought up to date', { error: error instanceof Error ? error.message : String(error) }));
  }, o.config.jobs.superviseSeconds * 1000);
  reconciling.unref();
  await queue.work(o.concurrency, execute);
  o.log.info('worker ready', { concurrency: o.concurrency });
  return {
    active: () => [...inHand.keys()],
    queueCounts: () => queue.counts(),
    async stop(graceMs) {
      clearInterval(reconciling);
      // Stops taking jobs and waits for those in hand; past the grace, their runs are interrupted here.
      const closed = queue.close({ graceful: true, timeoutMs: graceMs });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
      for (const [runId, thread] of inHand) {
        await thread.terminate();
        await o.store.abandonRun(runId, 'the worker stopped before the run finished').catch((error: unknown) => o.log.error('a run could not be marked interrupted at shutdown', { runId, error: error instanceof Error ? error.message : String(error) }));
      }
      await closed.catch(() => undefined);
    },
  };
}

/**
 * Why a scheduled run does not start, or null: the schedule was turned off meanwhile, the first run by
 * hand has not succeeded yet, or this tick's run has started already (on a loaded machine pg-boss was
 * seen to send a second job for the same tick half a minute later): the in-process scheduler's same-slot rule.
 */
async function scheduledRunSkipped(store: Store, installationId: string, config: Config, sentAt: number): Promise<string | null> {
  if (!config.schedule.enabled) return 'scheduled runs are off for this installation';
  const runs = await store.listRuns(installationId, 200, ['sync']);
  const sameTick = runs.find((r) => r.kind === 'sync' && r.startedAt >= sentAt - SAME_SLOT_MS);
  if (sameTick) return `this tick's run ${sameTick.id} has started already`;
  if (!config.schedule.requireFirstRun) return null;
  return runs.some((r) => r.kind === 'sync' && r.status === 'succeeded') ? null : 'waiting for the first successful run by hand (schedule.requireFirstRun)';
}
