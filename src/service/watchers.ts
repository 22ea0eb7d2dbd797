/**
 * The light watch (sync/watch.ts) for every active installation whose `sync.watchIntervalSeconds` is
 * set, kept in the service's process and reconciled with the store every `everyMs` and after a settings
 * change: an installation added, paused, or given another interval starts, stops or restarts its watch.
 *
 * One watcher per installation across processes: each watch holds a lease of its own in the store
 * (`<installation>:watch`, renewed by a heartbeat), so several servers on one Postgres start one watch
 * per installation, and another takes over when its holder dies. Each cycle also takes the installation's
 * run lease, so a cycle never overlaps a run. The watch has its own store connection (SQLite: a longer
 * busy wait than the server's, for a run thread's writes) and its own connector.
 */
import type { Env } from '../crm.ts';
import { connect } from '../crm.ts';
import { LifecycleSyncError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import { acquireLease, type Lease } from '../sync/lock.ts';
import { watchLoop, type WatchCycle } from '../sync/watch.ts';
import type { InstallationScope, Installations } from './installation.ts';

export interface WatchersOptions {
  /** The watches' own store connection. */
  store: Store;
  installations: Installations;
  env: Env;
  log: Logger;
  everyMs: number;
  /** After each cycle (tests; the metrics could count them). */
  onCycle?: (installationId: string, cycle: WatchCycle) => void;
}

interface Kept {
  key: string;
  stop: AbortController;
  done: Promise<void>;
}

/** The store key of an installation's watcher lease (beside its run lease, which is the installation's id). */
export const watcherLeaseKey = (installationId: string): string => `${installationId}:watch`;

export class Watchers {
  private readonly o: WatchersOptions;
  private readonly kept = new Map<string, Kept>();
  private timer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(options: WatchersOptions) {
    this.o = options;
  }

  async start(): Promise<void> {
    await this.reconcile();
    this.timer = setInterval(() => {
      this.reconcile().catch((error: unknown) => this.o.log.error('the watches could not be brought up to date', { error: error instanceof Error ? error.message : String(error) }));
    }, this.o.everyMs);
    this.timer.unref();
  }

  /** The installations watched by this process now. */
  watching(): string[] {
    return [...this.kept.keys()];
  }

  /** One pass at a time. */
  reconcile(): Promise<void> {
    this.reconciling = this.reconciling.then(() => this.pass());
    return this.reconciling;
  }

  /** Stops every watch after its cycle in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.reconciling.catch(() => undefined);
    const all = [...this.kept.values()];
    this.kept.clear();
    for (const k of all) k.stop.abort();
    await Promise.all(all.map((k) => k.done));
  }

  private async wanted(): Promise<Map<string, InstallationScope>> {
    const out = new Map<string, InstallationScope>();
    for (const installation of await this.o.store.listInstallations()) {
      if (installation.status !== 'active') continue;
      try {
        const scope = await this.o.installations.scope(installation.id);
        if (scope.config.sync.watchIntervalSeconds !== null) out.set(installation.id, scope);
      } catch (error) {
        this.o.log.error('an installation is not watched: its settings do not load', { installation: installation.id, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return out;
  }

  private async pass(): Promise<void> {
    if (this.stopped) return;
    const wanted = await this.wanted();
    for (const [id, kept] of this.kept) {
      const scope = wanted.get(id);
      if (!scope || keyOf(scope) !== kept.key) {
        this.kept.delete(id);
        kept.stop.abort();
        await kept.done;
      }
    }
    for (const [id, scope] of wanted) {
      if (this.kept.has(id) || this.stopped) continue;
      let lease: Lease;
      try {
        lease = await acquireLease(this.o.store, watcherLeaseKey(id), Math.max(30, (scope.config.sync.watchIntervalSeconds ?? 0) * 3) * 1000, {
          onError: (error) => this.o.log.warn('the watch could not renew its lease', { installation: id, error: error instanceof Error ? error.message : String(error) }),
        });
      } catch (error) {
        // Another process watches it; this one takes over if that one stops renewing.
        if (error instanceof LifecycleSyncError && error.code === 'SYNC_LOCKED') continue;
        throw error;
      }
      const stop = new AbortController();
      const done = this.run(scope, lease, stop).finally(() => {
        if (this.kept.get(id)?.stop === stop) this.kept.delete(id);
      });
      this.kept.set(id, { key: keyOf(scope), stop, done });
    }
  }

  private async run(scope: InstallationScope, lease: Lease, stop: AbortController): Promise<void> {
    const id = scope.installationId;
    const log = this.o.log.child({ installation: id, watch: true });
    // A lost watcher lease (taken over after this process stalled) ends this watch at its next check.
    const check = setInterval(() => {
      if (lease.lost()) stop.abort();
    }, 1000);
    check.unref();
    try {
      const { connector } = await connect({ config: scope.config, env: this.o.env, store: this.o.store, crm: scope.crm, installationId: id, log });
      const intervalSeconds = scope.config.sync.watchIntervalSeconds ?? 60;
      log.info('watching for changes', { intervalSeconds });
      await watchLoop({
        store: this.o.store,
        connector,
        installationId: id,
        classifier: scope.config.classifier,
        sync: scope.config.sync,
        log,
        intervalSeconds,
        signal: stop.signal,
        onCycle: (cycle) => {
          if (cycle.status === 'rescored' && cycle.rescore?.status === 'done') log.info('rescored', { runId: cycle.rescore.summary.runId, customers: cycle.rescore.summary.classified, written: cycle.rescore.summary.written });
          this.o.onCycle?.(id, cycle);
        },
      });
    } catch (error) {
      log.error('the watch stopped', { error: error instanceof Error ? error.message : String(error) });
    } finally {
      clearInterval(check);
      await lease.release();
    }
  }
}

/** What restarts a watch: its interval, and the settings its cycles score with. */
function keyOf(scope: InstallationScope): string {
  return JSON.stringify([scope.crm, scope.config.sync, scope.config.classifier]);
}
