/**
 * Starts runs in the background for the admin API and the schedule, through the same engine as the CLI,
 * each on its own worker thread (runJob.ts): pulling, classifying a large base or waiting for a locked
 * database never holds up the server's event loop. At most one run per installation (in this process,
 * and across processes and replicas through the store's lease). A start answers at once with the run id,
 * or fails with the engine's reason (SYNC_LOCKED, NOT_FOUND, a store or CRM error). A run's end is always
 * answered: a thread that dies is cleaned up (run marked, lease released), a run whose end the store
 * refused to record is recorded later, when the store allows.
 */
import type { Env } from '../crm.ts';
import { LifecycleSyncError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { RunKind, RunRecord, Store } from '../store/types.ts';
import { newRunId, type SyncProgress, type SyncSummary } from '../sync/engine.ts';
import type { InstallationScope, Installations } from './installation.ts';
import type { RunJob, RunRequest, RunTrigger } from './runJob.ts';
import { runOnThread, type RunThread } from './runOnThread.ts';

export type { RunRequest, RunTrigger } from './runJob.ts';

export interface StartedRun {
  runId: string;
  kind: RunKind;
  installationId: string;
  /** Settles when the run ends; never rejects (a failed run is a summary with status failed; null if its thread died or it was abandoned). */
  done: Promise<SyncSummary | null>;
}

export interface FinishedRun {
  installationId: string;
  crm: string;
  trigger: RunTrigger;
  summary: SyncSummary;
  durationMs: number;
}

export interface RunManagerOptions {
  /** The server's own connection (short busy timeout). */
  store: Store;
  installations: Installations;
  env: Env;
  log: Logger;
  clock?: () => number;
  /** How long a run's own connection waits for a locked database (it blocks only the run's thread). */
  runBusyTimeoutMs?: number;
}

interface InFlight extends StartedRun {
  thread: RunThread;
  /** Ends the run as seen from here (idempotent). */
  end(summary: SyncSummary | null): void;
}

/** Retries of recording an end the store refused (e.g. a database locked by another process). */
const SETTLE_EVERY_MS = 2000;
const SETTLE_FOR_MS = 15 * 60_000;

export class RunManager {
  private readonly o: RunManagerOptions;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly listeners: ((run: FinishedRun) => void)[] = [];

  constructor(options: RunManagerOptions) {
    this.o = options;
  }

  /** Called after every run this process ran (metrics). */
  onFinished(listener: (run: FinishedRun) => void): void {
    this.listeners.push(listener);
  }

  /** The run this process has in progress for the installation, if any. */
  current(installationId: string): StartedRun | null {
    return this.inFlight.get(installationId) ?? null;
  }

  /** Where the run in progress stands (phase and counts), if it runs here. */
  progress(installationId: string): SyncProgress | null {
    return this.inFlight.get(installationId)?.thread.progress() ?? null;
  }

  /** Resolves when every run in progress has ended (shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.inFlight.values()].map((r) => r.done));
  }

  /** Starts a run of the installation (the default one when none is given) with its own settings. */
  async start(request: RunRequest, scope?: InstallationScope): Promise<StartedRun> {
    const { installationId, crm, config } = scope ?? (await this.o.installations.defaultScope());
    // Paused from the page or the CLI: neither "Run now" nor the schedule starts it.
    if ((await this.o.store.getInstallation(installationId))?.status === 'paused') {
      throw new LifecycleSyncError('SYNC_LOCKED', `installation ${installationId} is paused: resume it first (the page, or \`lifecycle-sync installations resume ${installationId}\`)`);
    }
    const busy = this.inFlight.get(installationId);
    if (busy) throw new LifecycleSyncError('SYNC_LOCKED', `a run for ${installationId} is already in progress (${busy.runId}); try again when it has finished`);
    const clock = this.o.clock ?? Date.now;
    const startedAt = clock();
    const runId = newRunId(startedAt);
    const job: RunJob = {
      runId,
      request,
      installationId,
      crm,
      config,
      env: this.o.env,
      busyTimeoutMs: this.o.runBusyTimeoutMs ?? 15_000,
      logLevel: this.o.log.level,
    };
    const thread = runOnThread(job, this.o.log);
    let resolveDone: (summary: SyncSummary | null) => void = () => {};
    const done = new Promise<SyncSummary | null>((resolve) => (resolveDone = resolve));
    let ended = false;
    const entry: InFlight = {
      runId,
      kind: request.kind,
      installationId,
      done,
      thread,
      end: (summary) => {
        if (ended) return;
        ended = true;
        if (this.inFlight.get(installationId) === entry) this.inFlight.delete(installationId);
        void thread.terminate();
        if (summary) {
          this.settle(summary, installationId);
          const finished: FinishedRun = { installationId, crm, trigger: request.trigger, summary, durationMs: clock() - startedAt };
          for (const listener of this.listeners) {
            try {
              listener(finished);
            } catch (error) {
              this.o.log.warn('a run listener failed', { runId, error: error instanceof Error ? error.message : String(error) });
            }
          }
        }
        resolveDone(summary);
      },
    };
    // Taken at once, so two starts at the same moment cannot both pass the check above.
    this.inFlight.set(installationId, entry);
    void thread.ended.then((end) => {
      // A run abandoned here has ended already: its thread's exit is not a crash.
      if (!ended && 'lost' in end) this.orphaned(runId, end.lost);
      entry.end('summary' in end ? end.summary : null);
    });
    try {
      await thread.started;
    } catch (error) {
      entry.end(null);
      throw error;
    }
    return entry;
  }

  /**
   * Gives up on a run that is stuck (or whose process is gone): its thread here is stopped, it is marked
   * interrupted with what its audit shows, and its lease is released so the next run can start at once.
   * Returns null when the run is not running.
   */
  async abandon(runId: string, reason = 'abandoned by an admin'): Promise<RunRecord | null> {
    const entry = [...this.inFlight.values()].find((r) => r.runId === runId);
    if (entry) {
      // Ended here first, so its thread's exit is not taken for a crash; then stopped before it is marked.
      entry.end(null);
      await entry.thread.terminate();
    }
    return this.o.store.abandonRun(runId, reason);
  }

  /** Stops: waits for runs in progress up to `graceMs`, then stops their threads and marks them interrupted. */
  async close(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const entry of [...this.inFlight.values()]) {
      await this.abandon(entry.runId, 'the service stopped before the run finished').catch((error: unknown) => {
        this.o.log.error('a run could not be marked interrupted at shutdown', { runId: entry.runId, error: error instanceof Error ? error.message : String(error) });
      });
    }
  }

  /** A run whose thread died: marked interrupted and its lease released, when the store allows. */
  private orphaned(runId: string, reason: string): void {
    this.o.store.abandonRun(runId, reason).catch((error: unknown) => {
      this.o.log.error('a stopped run could not be marked interrupted; the next run will', { runId, error: error instanceof Error ? error.message : String(error) });
    });
  }

  /**
   * The engine records a run's end itself; when the store refused (locked, full), its row still says
   * running and its lease may still stand. Record the end and give the lease back when the store allows.
   */
  private settle(summary: SyncSummary, installationId: string): void {
    const deadline = (this.o.clock ?? Date.now)() + SETTLE_FOR_MS;
    const attempt = async () => {
      try {
        const run = await this.o.store.getRun(summary.runId);
        if (!run || run.status !== 'running') return;
        await this.o.store.updateRun(summary.runId, { status: summary.status, message: summary.message, finishedAt: (this.o.clock ?? Date.now)() });
        if (run.owner) await this.o.store.releaseLock(installationId, run.owner);
        this.o.log.info('recorded the end of a run the store had refused', { runId: summary.runId, status: summary.status });
      } catch (error) {
        if ((this.o.clock ?? Date.now)() > deadline) {
          this.o.log.error('gave up recording the end of a run; the next run marks it interrupted', { runId: summary.runId, error: error instanceof Error ? error.message : String(error) });
          return;
        }
        setTimeout(() => void attempt(), SETTLE_EVERY_MS).unref();
      }
    };
    void attempt();
  }
}
