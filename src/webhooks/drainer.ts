/**
 * Drains the pending webhook work, one drainer per installation: a short debounce after the first event
 * lets a burst coalesce (10,000 events about 300 contacts are 300 rows), then up to `batchSize` rows at a
 * time — the forgets done here (the person's stored data removed), the rescores handed to the handler.
 * A row is removed only after its work succeeded, and only if no event about it came in meanwhile (its
 * version): a failing handler leaves the rows pending, tried again with backoff.
 *
 * One drainer per installation across processes: a lease in the store (`<installation>#webhooks`, as runs
 * hold theirs), renewed as it goes. Work recorded by a process that stopped before draining it is found by
 * the periodic sweep of every process, so nothing recorded is lost.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '../log.ts';
import type { Store, WebhookWork } from '../store/types.ts';

/**
 * The hand-off to the rescore side: refresh these contacts (and the contacts of these deals) from the CRM,
 * score them with the stored model and write what changed, under the run policy. It resolves when done;
 * a rejection leaves the work pending.
 */
export type RescoreHandler = (installationId: string, work: { customerIds: string[]; dealIds: string[] }) => Promise<void>;

export interface DrainerOptions {
  store: Store;
  log: Logger;
  /** Null: rescores stay pending (only deletions are carried out) until a handler is given. */
  handler: RescoreHandler | null;
  /** Rows handed over at a time. */
  batchSize?: number;
  debounceMs?: number;
  /** The first retry's delay after a failure, doubled each time up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  leaseMs?: number;
  /** How often every installation's pending work is looked for (work another process left), and old keys pruned. */
  sweepMs?: number;
  clock?: () => number;
}

export const lockKey = (installationId: string): string => `${installationId}#webhooks`;

export class WebhookDrainer {
  private readonly o: Required<Omit<DrainerOptions, 'handler' | 'clock'>> & { handler: RescoreHandler | null; clock: () => number };
  // As runs' lease owners (host:pid:nonce): a holder that crashed on this machine is recognised at once.
  private readonly owner = `${hostname()}:${process.pid}:webhooks-${randomUUID()}`;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly failures = new Map<string, number>();
  private sweeper: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(options: DrainerOptions) {
    this.o = {
      batchSize: 100,
      debounceMs: 2000,
      backoffMs: 5000,
      maxBackoffMs: 5 * 60_000,
      leaseMs: 60_000,
      sweepMs: 30_000,
      ...options,
      // After the spread: a caller passing `clock: undefined` (the service, outside tests) gets the real clock.
      clock: options.clock ?? Date.now,
    };
  }

  /** Starts the periodic sweep (and one now). */
  start(): void {
    if (this.sweeper || this.stopped) return;
    const sweep = () => void this.sweep().catch((error: unknown) => this.o.log.warn('webhook sweep failed', { error: message(error) }));
    this.sweeper = setInterval(sweep, this.o.sweepMs);
    this.sweeper.unref();
    sweep();
  }

  /** Every installation with pending work gets a drain; expired keys go. */
  async sweep(): Promise<void> {
    await this.o.store.pruneWebhookKeys(this.o.clock());
    for (const id of await this.o.store.installationsWithWebhookWork()) this.poke(id);
  }

  /** New work for the installation: a drain after the debounce (once, however many pokes). */
  poke(installationId: string, delayMs = this.o.debounceMs): void {
    if (this.stopped || this.timers.has(installationId)) return;
    const timer = setTimeout(() => {
      this.timers.delete(installationId);
      void this.drain(installationId);
    }, delayMs);
    timer.unref();
    this.timers.set(installationId, timer);
  }

  /** Drains the installation now (waits for a drain already under way here instead of starting another). */
  drain(installationId: string): Promise<void> {
    const current = this.running.get(installationId);
    if (current) return current.then(() => this.poke(installationId));
    const run = this.drainOnce(installationId)
      .catch((error: unknown) => {
        this.o.log.warn('webhook work failed', { installation: installationId, error: message(error) });
      })
      .finally(() => this.running.delete(installationId));
    this.running.set(installationId, run);
    return run;
  }

  private async drainOnce(installationId: string): Promise<void> {
    const { store } = this.o;
    const lease = await store.acquireLock(lockKey(installationId), this.owner, this.o.leaseMs);
    // Another process drains it and will likely take this work too; but it may be finishing its last
    // page, so look again shortly rather than when its lease would expire.
    if (!lease.acquired) {
      this.poke(installationId);
      return;
    }
    let failed = false;
    try {
      // Rows a null handler cannot take are skipped over by their position, not retried in a loop.
      let skip = 0;
      for (;;) {
        if (this.stopped) return;
        const rows = (await store.pendingWebhookWork(installationId, this.o.batchSize + skip)).slice(skip);
        if (rows.length === 0) break;
        const forgets = rows.filter((r) => r.action === 'forget');
        const rescores = rows.filter((r) => r.action === 'rescore');
        if (forgets.length > 0) {
          await store.forgetCustomers(installationId, forgets.map((r) => r.recordId));
          await store.finishWebhookWork(installationId, forgets);
        }
        if (rescores.length > 0) {
          if (!this.o.handler) {
            skip += rescores.length;
          } else {
            try {
              await this.o.handler(installationId, split(rescores));
            } catch (error) {
              failed = true;
              this.o.log.warn('webhook rescore failed; the work stays pending', { installation: installationId, error: message(error) });
              break;
            }
            await store.finishWebhookWork(installationId, rescores);
          }
        }
        if (!(await store.renewLock(lockKey(installationId), this.owner, this.o.leaseMs))) return;
      }
    } finally {
      await store.releaseLock(lockKey(installationId), this.owner);
    }
    if (failed) {
      const attempt = (this.failures.get(installationId) ?? 0) + 1;
      this.failures.set(installationId, attempt);
      this.poke(installationId, Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** (attempt - 1)));
    } else {
      this.failures.delete(installationId);
    }
  }

  /** Stops the timers and waits for drains under way (their rows stay pending if cut short). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.running.values());
  }
}

function split(rows: WebhookWork[]): { customerIds: string[]; dealIds: string[] } {
  return {
    customerIds: rows.filter((r) => r.object === 'contact').map((r) => r.recordId),
    dealIds: rows.filter((r) => r.object === 'deal').map((r) => r.recordId),
  };
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
