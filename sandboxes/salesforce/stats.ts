/**
 * Request counters for tests and the benchmark. `byKind` names what a request did (query, queryMore,
 * collections.update, bulk.ingest.upload...), so a test can stop a client after the Nth write; the
 * `onRequest` hook fires as each request arrives, before it is handled.
 */
export interface RequestEvent {
  method: string;
  route: string;
  kind: string;
}

export interface SandboxStats {
  /** Every request that matched a route (OAuth included), faulted or refused ones too. */
  requests: number;
  /** Keyed like 'PATCH /services/data/{version}/composite/sobjects'. */
  byRoute: Record<string, number>;
  byKind: Record<string, number>;
  /** Requests counted against DailyApiRequests. */
  apiRequests: number;
  /** Answers refused by the sandbox's own rules: 401 INVALID_SESSION_ID, 403 REQUEST_LIMIT_EXCEEDED. */
  rejected: { invalidSession: number; requestLimit: number };
  injected: { '500': number; '503': number; drop: number; requestLimit: number; invalidSession: number; lockRow: number };
  /** Records written by collections and Bulk ingest (successful rows only). */
  recordsWritten: number;
  onRequest(listener: (event: RequestEvent) => void): () => void;
  reset(): void;
}

export function createStats(): SandboxStats & { emit(event: RequestEvent): void } {
  const listeners = new Set<(event: RequestEvent) => void>();
  const stats = {
    requests: 0,
    byRoute: {} as Record<string, number>,
    byKind: {} as Record<string, number>,
    apiRequests: 0,
    rejected: { invalidSession: 0, requestLimit: 0 },
    injected: { '500': 0, '503': 0, drop: 0, requestLimit: 0, invalidSession: 0, lockRow: 0 },
    recordsWritten: 0,
    onRequest(listener: (event: RequestEvent) => void) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    emit(event: RequestEvent) {
      stats.requests++;
      stats.byRoute[event.route] = (stats.byRoute[event.route] ?? 0) + 1;
      stats.byKind[event.kind] = (stats.byKind[event.kind] ?? 0) + 1;
      for (const l of listeners) l(event);
    },
    // In place, so references a caller holds to the nested objects stay live.
    reset() {
      stats.requests = 0;
      stats.apiRequests = 0;
      stats.recordsWritten = 0;
      for (const k of Object.keys(stats.byRoute)) delete stats.byRoute[k];
      for (const k of Object.keys(stats.byKind)) delete stats.byKind[k];
      Object.assign(stats.rejected, { invalidSession: 0, requestLimit: 0 });
      Object.assign(stats.injected, { '500': 0, '503': 0, drop: 0, requestLimit: 0, invalidSession: 0, lockRow: 0 });
    },
  };
  return stats;
}
