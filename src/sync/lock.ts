/**
 * One run per installation at a time, across processes and machines sharing the store: a lease in the
 * store, renewed by a heartbeat. A holder that crashed stops renewing, so its lease expires (on every
 * store, whatever machine the holder was on); on the same machine a dead holder is recognised at once. A
 * holder whose renewal finds the lease no longer its own (abandoned by an admin, or taken over after it
 * lapsed) knows it has lost it and stops.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LifecycleSyncError } from '../errors.ts';
import type { Store } from '../store/types.ts';

export interface Lease {
  owner: string;
  /** The store said the lease is no longer this holder's. */
  lost(): boolean;
  /** Stops the heartbeat and gives the lease back; never throws (a lease it cannot delete expires). */
  release(): Promise<void>;
}

export interface LeaseHooks {
  /** Called with every renewal (the run's heartbeat). */
  onHeartbeat?: () => Promise<void>;
  /** A renewal failed (the store is locked or broken): the lease lapses if this goes on. */
  onError?: (error: unknown) => void;
}

/** Ends the owner of a watch cycle's lease (sync/watch.ts): held for a second or so, worth waiting for. */
const WATCH_SUFFIX = ':watch';

export function leaseOwner(purpose: 'run' | 'watch' = 'run'): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}${purpose === 'watch' ? WATCH_SUFFIX : ''}`;
}

export interface LeaseOptions {
  /** The lease is a watch cycle's (others may wait for it). */
  watch?: boolean;
  /**
   * How long to wait when a watch cycle holds the lease (a cycle is short): a nightly run must not be
   * skipped because its tick fell inside one. Another holder is refused at once.
   */
  waitForWatchMs?: number;
}

const WATCH_POLL_MS = 200;

export async function acquireLease(store: Store, installationId: string, ttlMs: number, hooks: LeaseHooks = {}, options: LeaseOptions = {}): Promise<Lease> {
  const owner = leaseOwner(options.watch ? 'watch' : 'run');
  const waitUntil = Date.now() + (options.waitForWatchMs ?? 0);
  let result = await store.acquireLock(installationId, owner, ttlMs);
  while (!result.acquired && result.owner.endsWith(WATCH_SUFFIX) && Date.now() < waitUntil) {
    await new Promise((resolve) => setTimeout(resolve, WATCH_POLL_MS));
    result = await store.acquireLock(installationId, owner, ttlMs);
  }
  if (!result.acquired) {
    throw new LifecycleSyncError(
      'SYNC_LOCKED',
      `a run for ${installationId} is already in progress (${result.owner}, lease until ${new Date(result.expiresAt).toISOString()}); try again when it has finished`,
    );
  }
  let lost = false;
  let stopped = false;
  const renew = async () => {
    if (!(await store.renewLock(installationId, owner, ttlMs))) {
      lost = true;
      stopped = true;
      clearInterval(timer);
      return;
    }
    await hooks.onHeartbeat?.();
  };
  const timer = setInterval(() => {
    // A failure here must not escape as an unhandled rejection: it is reported, and the lease may lapse.
    if (!stopped) renew().catch((error: unknown) => hooks.onError?.(error));
  }, Math.max(1000, ttlMs / 3));
  timer.unref();
  return {
    owner,
    lost: () => lost,
    async release() {
      stopped = true;
      clearInterval(timer);
      try {
        await store.releaseLock(installationId, owner);
      } catch (error) {
        hooks.onError?.(error);
      }
    },
  };
}
