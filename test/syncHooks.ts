/** Hooks the sync tests hang on a run's progress and on the harnesses they open. */
import type { SyncProgress } from '../src/sync/engine.ts';

/** A progress callback that does `action` once, as soon as the first page has been pulled (a run in mid-flight). */
export function onceAfterFirstPage(action: () => void): { onProgress: (p: SyncProgress) => void; fired: () => boolean } {
  let fired = false;
  return {
    onProgress: (p) => {
      if (p.phase === 'pull' && p.done > 0 && !fired) {
        fired = true;
        action();
      }
    },
    fired: () => fired,
  };
}

/** Opens harnesses through `create` and closes every one of them in `closeAll` (call it in afterEach). */
export function harnesses<A extends unknown[], H extends { close(): Promise<void> }>(create: (...args: A) => Promise<H>): { open: (...args: A) => Promise<H>; closeAll: () => Promise<void> } {
  const opened: H[] = [];
  return {
    async open(...args) {
      const h = await create(...args);
      opened.push(h);
      return h;
    },
    async closeAll() {
      for (const h of opened.splice(0)) await h.close();
    },
  };
}
