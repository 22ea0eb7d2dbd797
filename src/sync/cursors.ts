/**
 * The engine's saved positions, validated on the way in (a checkpoint may come from an older version):
 * - `sync`: where the next incremental pull starts, when the last full reconcile ran, and the marker of
 *   the plugin's own last writes (so they are not read back);
 * - `pull`: a pull that was interrupted, with the connector's resume point.
 */
import { z } from 'zod';
import type { PullCursor } from '../../connectors/contract/index.ts';
import type { Store } from '../store/types.ts';

const syncCursor = z.object({
  since: z.number().nullable(),
  lastFullAt: z.number().nullable(),
  ownWrites: z.object({ value: z.string(), unlessModifiedAfter: z.number() }).nullable(),
});
export type SyncCursor = z.infer<typeof syncCursor>;

const pullCursor = z.object({
  mode: z.enum(['full', 'incremental']),
  pullId: z.string(),
  startedAt: z.number(),
  since: z.number().nullable(),
  resume: z.record(z.string(), z.unknown()).nullable(),
});
export type PullState = z.infer<typeof pullCursor> & { resume: PullCursor | null };

export async function readSyncCursor(store: Store, installationId: string): Promise<SyncCursor> {
  const raw = await store.getCursor(installationId, 'sync');
  const parsed = syncCursor.safeParse(raw);
  return parsed.success ? parsed.data : { since: null, lastFullAt: null, ownWrites: null };
}

export function writeSyncCursor(store: Store, installationId: string, cursor: SyncCursor): Promise<void> {
  return store.setCursor(installationId, 'sync', cursor);
}

export async function readPullState(store: Store, installationId: string): Promise<PullState | null> {
  const parsed = pullCursor.safeParse(await store.getCursor(installationId, 'pull'));
  return parsed.success ? parsed.data : null;
}

export function writePullState(store: Store, installationId: string, state: PullState | null): Promise<void> {
  return store.setCursor(installationId, 'pull', state);
}
