/**
 * Lease owners are `host:pid:nonce`. Across machines a crashed holder is recognised by its lease expiring;
 * on the holder's own machine a dead process id is recognised at once, so a restart after a crash need not
 * wait out the lease. Both stores use this shortcut.
 */
import { hostname } from 'node:os';

/** The process holding a lease is gone: same machine and no such process. */
export function ownerIsDead(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname() || !pid || !/^\d+$/.test(pid)) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
