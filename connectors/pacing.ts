/**
 * Pacing for a rolling request window ("at most max requests in any intervalMs"), shared by connectors.
 * Requests are admitted one at a time, so concurrent callers queue fairly. The limit is learned from
 * the CRM's own headers when it sends them; `share` keeps some of the window for other integrations.
 */
export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface PacerOptions {
  max: number;
  intervalMs: number;
  share: number;
  clock?: () => number;
  sleep?: Sleep;
}

export class WindowPacer {
  private max: number;
  private intervalMs: number;
  private readonly share: number;
  private readonly clock: () => number;
  private readonly sleep: Sleep;
  private readonly starts: number[] = [];
  private queue: Promise<void> = Promise.resolve();
  /** Set when the CRM says the window is (nearly) spent by someone else: no admissions before this. */
  private pausedUntil = 0;

  constructor(options: PacerOptions) {
    this.max = options.max;
    this.intervalMs = options.intervalMs;
    this.share = options.share;
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  /** Requests this pacer admits per window. */
  get allowed(): number {
    return Math.max(1, Math.floor(this.max * this.share));
  }

  get limit(): { max: number; intervalMs: number } {
    return { max: this.max, intervalMs: this.intervalMs };
  }

  setLimit(max: number, intervalMs: number): void {
    if (max > 0 && intervalMs > 0) {
      this.max = max;
      this.intervalMs = intervalMs;
    }
  }

  /** After a response: if the CRM's count of what is left is lower than ours, someone else is using it. */
  observeRemaining(remaining: number): void {
    const reserve = this.max - this.allowed;
    if (remaining <= reserve) this.pausedUntil = Math.max(this.pausedUntil, this.clock() + this.intervalMs / Math.max(1, this.max));
  }

  /** Hold everything for a while (after a 429). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock() + ms);
  }

  /** How long until a request could be admitted now (0 if at once). */
  wait(): number {
    const now = this.clock();
    while (this.starts.length > 0 && this.starts[0] <= now - this.intervalMs) this.starts.shift();
    const windowWait = this.starts.length < this.allowed ? 0 : this.starts[0] + this.intervalMs - now;
    return Math.max(windowWait, this.pausedUntil - now, 0);
  }

  acquire(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (let w = this.wait(); w > 0; w = this.wait()) await this.sleep(w);
      this.starts.push(this.clock());
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}
