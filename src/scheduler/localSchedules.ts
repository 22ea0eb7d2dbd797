/**
 * The schedules of every installation in one process (SQLite, or Postgres without workers is not a
 * thing: there the workers keep them, src/jobs/schedules.ts). One Scheduler per active installation, on
 * its own cron and time zone, each starting runs through the same RunManager as "Run now". Reconciled
 * with the store every `everyMs`: an installation added, paused, resumed or given another schedule (from
 * the CLI, in another process) is followed without a restart. At most `concurrency` scheduled runs at
 * once (p-limit): the others wait their turn in tick order, each holding no slot while it waits.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from '../log.ts';
import type { InstallationScope, Installations } from '../service/installation.ts';
import type { RunManager, StartedRun } from '../service/runner.ts';
import type { RunRequest } from '../service/runJob.ts';
import type { Store } from '../store/types.ts';
import type { CronEngine } from './cron.ts';
import { plannedSchedule } from './plannedSchedule.ts';
import { Scheduler, type ScheduleStatusView } from './scheduler.ts';

export interface LocalSchedulesOptions {
  store: Store;
  installations: Installations;
  runs: Pick<RunManager, 'start' | 'current'>;
  cron: CronEngine;
  log: Logger;
  everyMs: number;
  /** Scheduled runs at once (jobs.localConcurrency): 200 installations' 2 a.m. must not start 200 threads. */
  concurrency: number;
}

interface Kept {
  /** The settings it was set with: a change replaces it. */
  key: string;
  scheduler: Scheduler;
}

export class LocalSchedules {
  private readonly o: LocalSchedulesOptions;
  private readonly kept = new Map<string, Kept>();
  private timer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> = Promise.resolve();
  private readonly slots: LimitFunction;

  constructor(options: LocalSchedulesOptions) {
    this.o = options;
    this.slots = pLimit(options.concurrency);
  }

  /** Starts a scheduled run when a slot is free; answers when it has started, keeps the slot until it ends. */
  private startInSlot(installationId: string, request: RunRequest): Promise<StartedRun> {
    return new Promise<StartedRun>((resolve, reject) => {
      void this.slots(async () => {
        try {
          // Read when its turn comes: settings changed since the schedule was set apply to this run.
          const started = await this.o.runs.start(request, await this.o.installations.scope(installationId));
          resolve(started);
          await started.done;
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }

  /** Sets every installation's schedule (catching up missed runs), then follows changes. */
  async start(): Promise<void> {
    await this.reconcile();
    this.timer = setInterval(() => {
      this.reconcile().catch((error: unknown) => this.o.log.error('the schedules could not be brought up to date', { error: error instanceof Error ? error.message : String(error) }));
    }, this.o.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const { scheduler } of this.kept.values()) scheduler.stop();
    this.kept.clear();
  }

  /** One pass at a time: a slow store must not let two passes set the same schedule twice. */
  reconcile(): Promise<void> {
    this.reconciling = this.reconciling.then(() => this.pass());
    return this.reconciling;
  }

  private async scopes(): Promise<InstallationScope[]> {
    const scopes: InstallationScope[] = [];
    // The environment's installation may have no row before its first run.
    const fallback = await this.o.installations.defaultScope().catch(() => null);
    if (fallback && !fallback.installation) scopes.push(fallback);
    for (const installation of await this.o.store.listInstallations()) {
      if (installation.status !== 'active') continue;
      try {
        scopes.push(await this.o.installations.scope(installation.id));
      } catch (error) {
        this.o.log.error('an installation has no schedule: its settings do not load', { installation: installation.id, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return scopes;
  }

  private async pass(): Promise<void> {
    const wanted = new Map((await this.scopes()).map((s) => [s.installationId, s]));
    for (const [id, kept] of this.kept) {
      const scope = wanted.get(id);
      if (!scope || keyOf(scope) !== kept.key) {
        kept.scheduler.stop();
        this.kept.delete(id);
      }
    }
    for (const [id, scope] of wanted) {
      if (this.kept.has(id)) continue;
      const scheduler = new Scheduler({
        settings: scope.config.schedule,
        store: this.o.store,
        runs: { start: (request) => this.startInSlot(id, request), current: (installationId) => this.o.runs.current(installationId) },
        installationId: () => id,
        cron: this.o.cron,
        log: this.o.log.child({ installation: id }),
      });
      this.kept.set(id, { key: keyOf(scope), scheduler });
      // Not awaited: a catch-up run may wait for a slot, and the other schedules must be set meanwhile.
      scheduler.start().catch((error: unknown) => this.o.log.error('a schedule could not start', { installation: id, error: error instanceof Error ? error.message : String(error) }));
    }
  }

  /** The installation's schedule: its scheduler's (with the real next tick), or what it would be. */
  async status(scope: InstallationScope): Promise<ScheduleStatusView> {
    const kept = this.kept.get(scope.installationId);
    // Paused a moment ago: its schedule goes at the next pass, and its ticks start nothing meanwhile.
    if (kept && kept.key === keyOf(scope) && scope.installation?.status !== 'paused') return kept.scheduler.status();
    return plannedSchedule(scope, await this.o.store.listRuns(scope.installationId, 200, ['sync']), 'service');
  }
}

function keyOf(scope: InstallationScope): string {
  return JSON.stringify(scope.config.schedule);
}
