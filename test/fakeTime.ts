/** A fake clock for connectors: their waits advance it instead of taking time, and add up in `slept`. */
export const CONTRACT_RETRY = { maxAttempts: 4, baseDelayMs: 100, rateLimitDelayMs: 1000, maxDelayMs: 10_000 };

export class FakeTime {
  now: number;
  slept = 0;
  constructor(start: number) {
    this.now = start;
  }
  readonly clock = (): number => this.now;
  readonly sleep = (ms: number): Promise<void> => {
    this.slept += ms;
    this.now += ms;
    return Promise.resolve();
  };
}
