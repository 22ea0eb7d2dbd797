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

/**
 * `rescore`: customers waiting to be rescored (a watch cycle or a webhook found them changed while a
 * run held the lease, or the rescore stopped): kept until a rescore has scored them.
 */
const pendingRescores = z.object({ ids: z.array(z.string()) });

export async function readPendingRescores(store: Store, installationId: string): Promise<string[]> {
  const parsed = pendingRescores.safeParse(await store.getCursor(installationId, 'rescore'));
  return parsed.success ? parsed.data.ids : [];
}

/** Adds ids to the waiting ones (in one transaction, so two callers do not drop each other's). */
export async function addPendingRescores(store: Store, installationId: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return readPendingRescores(store, installationId);
  return store.transaction(async (tx) => {
    const all = [...new Set([...(await readPendingRescores(tx, installationId)), ...ids])];
    await tx.setCursor(installationId, 'rescore', { ids: all });
    return all;
  });
}

/** Removes the ids a rescore has scored (those added meanwhile stay). */
export async function removePendingRescores(store: Store, installationId: string, done: readonly string[]): Promise<void> {
  if (done.length === 0) return;
  const gone = new Set(done);
  await store.transaction(async (tx) => {
    const left = (await readPendingRescores(tx, installationId)).filter((id) => !gone.has(id));
    await tx.setCursor(installationId, 'rescore', left.length > 0 ? { ids: left } : null);
  });
}
