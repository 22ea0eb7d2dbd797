/**
 * One run per installation at a time, across processes and machines sharing the store: a lease in the
 * store, renewed by a heartbeat. A holder that crashed stops renewing, so its lease expires; on the same
 * machine a dead holder is recognised at once. A holder whose renewal finds the lease no longer its own
 * (abandoned by an admin, or taken over after it lapsed) knows it has lost it and stops.
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
  release(): void;
}

export interface LeaseHooks {
  /** Called with every renewal (the run's heartbeat). */
  onHeartbeat?: () => void;
  /** A renewal failed (the store is locked or broken): the lease lapses if this goes on. */
  onError?: (error: unknown) => void;
}

export function leaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export function acquireLease(store: Store, installationId: string, ttlMs: number, hooks: LeaseHooks = {}): Lease {
  const owner = leaseOwner();
  const result = store.acquireLock(installationId, owner, ttlMs);
  if (!result.acquired) {
    throw new LifecycleSyncError(
      'SYNC_LOCKED',
      `a run for ${installationId} is already in progress (${result.owner}, lease until ${new Date(result.expiresAt).toISOString()}); try again when it has finished`,
    );
  }
  let lost = false;
  const timer = setInterval(() => {
    // A timer callback that throws would crash the process: every failure here is reported, not thrown.
    try {
      if (!store.renewLock(installationId, owner, ttlMs)) {
        lost = true;
        clearInterval(timer);
        return;
      }
      hooks.onHeartbeat?.();
    } catch (error) {
      hooks.onError?.(error);
    }
  }, Math.max(1000, ttlMs / 3));
  timer.unref();
  return {
    owner,
    lost: () => lost,
    release() {
      clearInterval(timer);
      try {
        store.releaseLock(installationId, owner);
      } catch (error) {
        hooks.onError?.(error);
      }
    },
  };
}
