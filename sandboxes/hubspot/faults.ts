/** Injected failures (FaultOptions): decided by a seeded PRNG so a run can be replayed. */
import { seededRandom, type Random } from './random.ts';

export interface FaultOptions {
  rate429?: number;
  rate5xx?: number;
  rateDrop?: number;
  latencyMs?: number | [number, number];
  seed?: number;
}

export type Fault = { kind: 'none' } | { kind: 'drop' } | { kind: '5xx'; status: number } | { kind: '429' };

const SERVER_ERRORS = [500, 502, 503, 504];
const DEFAULT_SEED = 0x5eed;

export class FaultInjector {
  private options: FaultOptions = {};
  private random: Random = seededRandom(DEFAULT_SEED);

  constructor(options: FaultOptions = {}) {
    this.set(options);
  }

  /** Replaces the fault settings; a seed restarts the random sequence. */
  set(options: FaultOptions): void {
    for (const [name, rate] of [['rate429', options.rate429], ['rate5xx', options.rate5xx], ['rateDrop', options.rateDrop]] as const) {
      if (rate !== undefined && !(rate >= 0 && rate <= 1)) throw new Error(`${name} must be between 0 and 1, got ${rate}`);
    }
    this.options = { ...options };
    if (options.seed !== undefined) this.random = seededRandom(options.seed);
  }

  /** One draw per request, in arrival order: the fault (if any) and the delay before handling. */
  decide(): { fault: Fault; delayMs: number } {
    const { rate429 = 0, rate5xx = 0, rateDrop = 0, latencyMs = 0 } = this.options;
    const delayMs = typeof latencyMs === 'number' ? latencyMs : latencyMs[0] + this.random() * (latencyMs[1] - latencyMs[0]);
    if (rate429 + rate5xx + rateDrop === 0) return { fault: { kind: 'none' }, delayMs };
    const r = this.random();
    if (r < rateDrop) return { fault: { kind: 'drop' }, delayMs };
    if (r < rateDrop + rate5xx) return { fault: { kind: '5xx', status: SERVER_ERRORS[Math.floor(this.random() * SERVER_ERRORS.length)] }, delayMs };
    if (r < rateDrop + rate5xx + rate429) return { fault: { kind: '429' }, delayMs };
    return { fault: { kind: 'none' }, delayMs };
  }
}
