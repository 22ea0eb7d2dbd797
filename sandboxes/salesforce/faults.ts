/**
 * Injected failures (FaultOptions), decided per API request by a seeded PRNG so that a run can be
 * replayed: latency, dropped connections, 500/503, REQUEST_LIMIT_EXCEEDED and INVALID_SESSION_ID
 * answers, and per-record UNABLE_TO_LOCK_ROW failures inside collections and Bulk ingest.
 */
import { seededRandom, type Random } from './random.ts';

export interface FaultOptions {
  /** Share of requests answered 500 or 503 (half each). */
  rate5xx?: number;
  /** Share of requests whose connection is destroyed without an answer. */
  rateDrop?: number;
  /** Share of requests answered 403 REQUEST_LIMIT_EXCEEDED although the budget is not used up. */
  rateRequestLimit?: number;
  /** Share of requests answered 401 INVALID_SESSION_ID although the session is valid. */
  rateInvalidSession?: number;
  /** Share of records in a collections write or Bulk ingest job that fail with UNABLE_TO_LOCK_ROW. */
  rateLockRow?: number;
  latencyMs?: number | [number, number];
  seed?: number;
}

export type Fault = { kind: 'none' } | { kind: 'drop' } | { kind: '5xx'; status: 500 | 503 } | { kind: 'requestLimit' } | { kind: 'invalidSession' };

const DEFAULT_SEED = 0x5eed;

export class FaultInjector {
  private options: FaultOptions = {};
  private random: Random = seededRandom(DEFAULT_SEED);
  private lockRandom: Random = seededRandom(DEFAULT_SEED + 1);

  constructor(options: FaultOptions = {}) {
    this.set(options);
  }

  /** Replaces the fault settings; a seed restarts the random sequences. */
  set(options: FaultOptions): void {
    for (const name of ['rate5xx', 'rateDrop', 'rateRequestLimit', 'rateInvalidSession', 'rateLockRow'] as const) {
      const rate = options[name];
      if (rate !== undefined && !(rate >= 0 && rate <= 1)) throw new Error(`${name} must be between 0 and 1, got ${rate}`);
    }
    this.options = { ...options };
    if (options.seed !== undefined) {
      this.random = seededRandom(options.seed);
      this.lockRandom = seededRandom(options.seed + 1);
    }
  }

  /** One draw per request, in arrival order: the fault (if any) and the delay before handling. */
  decide(): { fault: Fault; delayMs: number } {
    const { rate5xx = 0, rateDrop = 0, rateRequestLimit = 0, rateInvalidSession = 0, latencyMs = 0 } = this.options;
    const delayMs = typeof latencyMs === 'number' ? latencyMs : latencyMs[0] + this.random() * (latencyMs[1] - latencyMs[0]);
    if (rate5xx + rateDrop + rateRequestLimit + rateInvalidSession === 0) return { fault: { kind: 'none' }, delayMs };
    const r = this.random();
    let edge = rateDrop;
    if (r < edge) return { fault: { kind: 'drop' }, delayMs };
    edge += rate5xx;
    if (r < edge) return { fault: { kind: '5xx', status: this.random() < 0.5 ? 500 : 503 }, delayMs };
    edge += rateRequestLimit;
    if (r < edge) return { fault: { kind: 'requestLimit' }, delayMs };
    edge += rateInvalidSession;
    if (r < edge) return { fault: { kind: 'invalidSession' }, delayMs };
    return { fault: { kind: 'none' }, delayMs };
  }

  /** Whether one record of a write fails with UNABLE_TO_LOCK_ROW (a separate sequence from requests). */
  lockRow(): boolean {
    const rate = this.options.rateLockRow ?? 0;
    return rate > 0 && this.lockRandom() < rate;
  }
}
