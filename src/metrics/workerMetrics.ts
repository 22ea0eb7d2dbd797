/**
 * A worker's Prometheus metrics: what the runs it executed did (runMetrics.ts, the same series as the
 * server's, summed across workers by Prometheus), the runs in hand, and the job queue's counts. State
 * read from the store (last success, quota left, installations by health) is the server's to expose:
 * once, and not a different value per worker.
 */
import { Gauge, Registry } from 'prom-client';
import type { Logger } from '../log.ts';
import type { FinishedRun } from '../service/runner.ts';
import type { Store } from '../store/types.ts';
import { collectProcessMetrics } from './defaultMetrics.ts';
import { InstallationLabels } from './installationLabels.ts';
import { runMetrics } from './runMetrics.ts';

export interface WorkerMetricsSource {
  /** Run ids in hand. */
  active(): string[];
  queueCounts(): Promise<{ queue: string; queued: number; active: number; failed: number }[]>;
}

export interface WorkerMetrics {
  registry: Registry;
  /** Counts a run's end; the installation labels follow the store's installations first. */
  recordRun(run: FinishedRun): Promise<void>;
  /** The worker, once started: its runs in hand and the queue. */
  attach(worker: WorkerMetricsSource): void;
}

export function createWorkerMetrics(o: { store: Pick<Store, 'listInstallations'>; maxInstallationLabels: number; log: Logger; defaultMetrics?: boolean }): WorkerMetrics {
  const registry = new Registry();
  if (o.defaultMetrics ?? true) collectProcessMetrics(registry);
  const labels = new InstallationLabels(o.maxInstallationLabels);
  const runs = runMetrics(registry, labels);
  let worker: WorkerMetricsSource | null = null;
  new Gauge({
    name: 'lifecycle_sync_worker_runs_in_hand',
    help: 'Runs this worker is executing now.',
    registers: [registry],
    collect() {
      this.set(worker?.active().length ?? 0);
    },
  });
  new Gauge({
    name: 'lifecycle_sync_queue_jobs',
    help: 'Jobs of the run queue and of its dead letters (lifecycle-sync-run-dead, as queued) by state; the same on every worker: aggregate with max().',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      if (!worker) return;
      const counts = await worker.queueCounts();
      this.reset();
      for (const c of counts) for (const state of ['queued', 'active', 'failed'] as const) this.set({ queue: c.queue, state }, c[state]);
    },
  });
  return {
    registry,
    async recordRun(run) {
      try {
        labels.update(await o.store.listInstallations());
      } catch (error) {
        // Counted all the same, with the labels as they were.
        o.log.warn('the installations could not be read for the metrics labels', { error: error instanceof Error ? error.message : String(error) });
      }
      runs.record(run);
    },
    attach(w) {
      worker = w;
    },
  };
}
