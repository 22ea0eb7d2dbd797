/** Request counters for tests and the benchmark. */
export interface SandboxStats {
  requests: number;
  byRoute: Record<string, number>;
  rateLimited: { TEN_SECONDLY_ROLLING: number; DAILY: number; SECONDLY: number };
  injected: { '429': number; '5xx': number; drop: number };
  batchUpdateInputs: number;
  reset(): void;
}

export function createStats(): SandboxStats {
  const stats: SandboxStats = {
    requests: 0,
    byRoute: {},
    rateLimited: { TEN_SECONDLY_ROLLING: 0, DAILY: 0, SECONDLY: 0 },
    injected: { '429': 0, '5xx': 0, drop: 0 },
    batchUpdateInputs: 0,
    // In place, so references a caller holds to the nested objects stay live.
    reset() {
      stats.requests = 0;
      for (const k of Object.keys(stats.byRoute)) delete stats.byRoute[k];
      Object.assign(stats.rateLimited, { TEN_SECONDLY_ROLLING: 0, DAILY: 0, SECONDLY: 0 });
      Object.assign(stats.injected, { '429': 0, '5xx': 0, drop: 0 });
      stats.batchUpdateInputs = 0;
    },
  };
  return stats;
}
