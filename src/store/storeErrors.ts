/** Errors both stores raise in the same words. */
import { LifecycleSyncError } from '../errors.ts';

/** Audit, plans and run errors take their installation from their run: a run the store does not hold is refused. */
export function unknownRun(runId: string): LifecycleSyncError {
  return new LifecycleSyncError('NOT_FOUND', `no run ${runId} in the state database`);
}
