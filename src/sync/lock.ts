/**
 * One sync per installation at a time, across processes and machines sharing the store: a lease in the
 * store, renewed by a heartbeat. A holder that crashed stops renewing, so its lease expires; on the same
 * machine a dead holder is recognised at once.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LifecycleSyncError } from '../errors.ts';
import type { Store } from '../store/types.ts';

export interface Lease {
  owner: string;
  release(): void;
}

export function acquireLease(store: Store, installationId: string, ttlMs: number, onHeartbeat?: () => void): Lease {
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const result = store.acquireLock(installationId, owner, ttlMs);
  if (!result.acquired) {
    throw new LifecycleSyncError(
      'SYNC_LOCKED',
      `a run for ${installationId} is already in progress (${result.owner}, lease until ${new Date(result.expiresAt).toISOString()}); try again when it has finished`,
    );
  }
  const timer = setInterval(() => {
    store.renewLock(installationId, owner, ttlMs);
    onHeartbeat?.();
  }, Math.max(1000, ttlMs / 3));
  timer.unref();
  return {
    owner,
    release() {
      clearInterval(timer);
      store.releaseLock(installationId, owner);
    },
  };
}
