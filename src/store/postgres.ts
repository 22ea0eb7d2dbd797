/** The Postgres store (issue 10, step 2): not yet implemented. */
import { LifecycleSyncError } from '../errors.ts';
import type { Store } from './types.ts';

export function openPostgresStore(_url: string, _options: { encryptionKey?: string; clock?: () => number }): Promise<Store> {
  return Promise.reject(new LifecycleSyncError('STORE_FAILED', 'the Postgres store is not available in this build yet'));
}
