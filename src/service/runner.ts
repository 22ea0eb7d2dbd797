/**
 * Starts runs in the background for the admin API and the schedule, through the same engine as the CLI:
 * at most one per installation (in this process, and across processes and replicas through the store's
 * lock). A start answers at once with the run id, or fails with SYNC_LOCKED / NOT_FOUND.
 */
import type { ClassifierSettings } from '../classifier/settings.ts';
import { LifecycleSyncError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { RunKind, Store } from '../store/types.ts';
import { newRunId, runSync, type SyncSummary } from '../sync/engine.ts';
import { runRollback } from '../sync/rollback.ts';
import type { SyncSettings } from '../sync/settings.ts';
import type { Installations } from './installation.ts';

export type RunTrigger = 'admin' | 'schedule' | 'catch-up' | 'demo';

export type RunRequest =
  | { kind: 'sync' | 'dry_run'; full?: boolean; asOfDay?: number | null; trigger: RunTrigger }
  | { kind: 'rollback'; rollbackOf: string; trigger: RunTrigger };

export interface StartedRun {
  runId: string;
  kind: RunKind;
  installationId: string;
  /** Settles when the run ends; never rejects (a failed run is a summary with status failed). */
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
  store: Store;
  installations: Installations;
  classifier: ClassifierSettings;
  sync: SyncSettings;
  log: Logger;
  clock?: () => number;
}

export class RunManager {
  private readonly o: RunManagerOptions;
  private readonly inFlight = new Map<string, StartedRun>();
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

  /** Resolves when every run in progress has ended (shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.inFlight.values()].map((r) => r.done));
  }

  async start(request: RunRequest): Promise<StartedRun> {
    const { installationId, connector } = this.o.installations.connection();
    const busy = this.inFlight.get(installationId);
    if (busy) throw new LifecycleSyncError('SYNC_LOCKED', `a run for ${installationId} is already in progress (${busy.runId}); try again when it has finished`);
    const clock = this.o.clock ?? Date.now;
    const startedAt = clock();
    const runId = newRunId(startedAt);
    const log = this.o.log.child({ trigger: request.trigger });
    const base = { store: this.o.store, connector, installationId, log, clock: this.o.clock };
    const promise =
      request.kind === 'rollback'
        ? runRollback({ ...base, runId: request.rollbackOf, newRunId: runId, sync: this.o.sync })
        : runSync({
            ...base,
            runId,
            classifier: this.o.classifier,
            sync: this.o.sync,
            dryRun: request.kind === 'dry_run',
            full: request.full,
            asOfDay: request.asOfDay ?? null,
          });
    // The engine checks and takes the lock before its first await: no run row means it refused to start.
    if (this.o.store.getRun(runId) === null) {
      await promise; // rejects with the reason (locked elsewhere, unknown run, ...)
      throw new Error(`run ${runId} did not start`);
    }
    const done = promise.then(
      (summary) => {
        this.inFlight.delete(installationId);
        const finished: FinishedRun = { installationId, crm: connector.crm, trigger: request.trigger, summary, durationMs: clock() - startedAt };
        for (const listener of this.listeners) listener(finished);
        return summary;
      },
      (error: unknown) => {
        this.inFlight.delete(installationId);
        log.error('run ended with an unexpected error', { runId, error: error instanceof Error ? error.message : String(error) });
        return null;
      },
    );
    const started: StartedRun = { runId, kind: request.kind, installationId, done };
    this.inFlight.set(installationId, started);
    return started;
  }
}
