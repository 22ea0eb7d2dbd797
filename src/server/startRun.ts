/**
 * Starting a run from the admin API. With Postgres the run is a job on the queue (src/jobs/runQueue.ts)
 * for whichever worker is free, so the server answers "queued" and the run's record appears when a worker
 * starts it; with SQLite the server's own RunManager runs it at once on a thread. Until its record exists,
 * a queued run is shown from its job (queued, starting, skipped or failed before it could start).
 */
import { LifecycleSyncError } from '../errors.ts';
import type { JobView } from '../jobs/runQueue.ts';
import type { InstallationScope } from '../service/installation.ts';
import type { RunRequest } from '../service/runJob.ts';
import type { RunKind } from '../store/types.ts';
import type { AdminContext } from './context.ts';

export interface StartAnswer {
  runId: string;
  kind: RunKind;
  /** `queued`: a worker will start it; `running`: started here. */
  status: 'queued' | 'running';
}

export async function startRun(ctx: AdminContext, scope: InstallationScope, request: RunRequest): Promise<StartAnswer> {
  if (!ctx.queue) {
    const started = await ctx.runs.start(request, scope);
    return { runId: started.runId, kind: started.kind, status: 'running' };
  }
  // The worker would skip it; said now, as the in-process manager says it.
  if (scope.installation?.status === 'paused') throw pausedError(scope.installationId);
  const queued = await ctx.queue.enqueue(scope.installationId, request);
  ctx.log.info('run queued', { installation: scope.installationId, runId: queued.runId, jobId: queued.jobId, kind: request.kind });
  return { runId: queued.runId, kind: request.kind, status: 'queued' };
}

export function pausedError(installationId: string): LifecycleSyncError {
  return new LifecycleSyncError('SYNC_LOCKED', `installation ${installationId} is paused: resume it first (the page, or \`lifecycle-sync installations resume ${installationId}\`)`);
}

/** A run as the API shows it before (or without) its record: from its job. */
export interface QueuedRunView {
  id: string;
  installationId: string;
  kind: RunKind;
  mode: null;
  status: 'queued' | 'starting' | 'skipped' | 'failed' | 'cancelled';
  asOf: null;
  startedAt: null;
  finishedAt: number | null;
  stats: Record<string, never>;
  message: string | null;
  rollbackOf: null;
  trigger: string | null;
  jobId: string;
  queuedAt: number;
}

function viewOf(installationId: string, job: JobView & { runId: string }): QueuedRunView {
  const status = job.state === 'created' || job.state === 'retry' ? 'queued' : job.state === 'active' ? 'starting' : job.state === 'completed' ? 'skipped' : job.state === 'failed' ? 'failed' : 'cancelled';
  const waiting = status === 'queued' ? (job.attempts > 0 ? `waiting to be retried (attempt ${job.attempts + 1} of ${job.retryLimit + 1})` : 'waiting for a worker (`lifecycle-sync worker`)') : null;
  return {
    id: job.runId,
    installationId,
    kind: job.kind === 'dry_run' || job.kind === 'rollback' ? job.kind : 'sync',
    mode: null,
    status,
    asOf: null,
    startedAt: null,
    finishedAt: job.completedAt ? Date.parse(job.completedAt) : null,
    stats: {},
    message: job.error ?? waiting,
    rollbackOf: null,
    trigger: job.trigger,
    jobId: job.jobId,
    queuedAt: Date.parse(job.createdAt),
  };
}

/** The installation's jobs whose run has no record yet (newest first). */
export async function queuedRuns(ctx: AdminContext, installationId: string, limit: number): Promise<QueuedRunView[]> {
  if (!ctx.queue) return [];
  const jobs = await ctx.queue.list({ installationId, limit });
  const out: QueuedRunView[] = [];
  for (const job of jobs) {
    if (job.runId === null || job.installationId !== installationId) continue;
    if (await ctx.store.getRun(job.runId)) continue;
    out.push(viewOf(installationId, { ...job, runId: job.runId }));
  }
  return out;
}

/** One queued run by its run id, or null. */
export async function queuedRun(ctx: AdminContext, installationId: string, runId: string): Promise<QueuedRunView | null> {
  if (!ctx.queue) return null;
  const job = (await ctx.queue.list({ installationId, limit: 200 })).find((j) => j.runId === runId && j.installationId === installationId);
  return job ? viewOf(installationId, { ...job, runId }) : null;
}
