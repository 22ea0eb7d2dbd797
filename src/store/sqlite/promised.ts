/**
 * The SQLite store is synchronous inside (node:sqlite is): its concerns implement the synchronous form of
 * the Store's interfaces, and this makes the asynchronous store from them, one wrapper for every method,
 * so the two cannot drift. A call waits while an explicit transaction is open (`gate`), so it cannot land
 * inside another caller's transaction.
 */

/** The synchronous form of an async interface: every method returns its value directly. */
export type Synchronous<T> = { [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : T[K] };

export function promised<T extends object>(sync: Synchronous<T>, gate: () => Promise<void>): T {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(sync)) {
    if (typeof value !== 'function') continue;
    const fn = value as (...args: unknown[]) => unknown;
    out[name] = async (...args: unknown[]) => {
      await gate();
      return fn(...args);
    };
  }
  // Every method of `sync` (typed as T's synchronous form) now returns a promise: T itself.
  return out as T;
}
