/**
 * The org's daily API request allocation (DailyApiRequests). Salesforce counts the calls of the last 24
 * hours and refuses new ones while that count is at the allocation (the API Usage page: "calls are
 * blocked until usage for the preceding 24 hours drops below the limit"). `window: 'utcDay'` instead
 * resets the count at midnight UTC, for tests that want a daily reset.
 */
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface LimitOptions {
  dailyApiRequests?: number;
  window?: 'rolling24h' | 'utcDay';
}

export const DEFAULT_DAILY_API_REQUESTS = 100_000;

export class ApiUsage {
  readonly max: number;
  private readonly window: 'rolling24h' | 'utcDay';
  /** Calls per minute, oldest first. */
  private buckets: { minute: number; count: number }[] = [];
  private total = 0;

  constructor(options: LimitOptions = {}) {
    this.max = options.dailyApiRequests ?? DEFAULT_DAILY_API_REQUESTS;
    this.window = options.window ?? 'rolling24h';
    if (!(Number.isInteger(this.max) && this.max > 0)) throw new Error(`dailyApiRequests must be a positive integer, got ${this.max}`);
  }

  private prune(now: number): void {
    const from = this.window === 'utcDay' ? Math.floor(now / DAY_MS) * (DAY_MS / MINUTE_MS) : Math.floor((now - DAY_MS) / MINUTE_MS) + 1;
    while (this.buckets.length > 0 && this.buckets[0].minute < from) {
      this.total -= this.buckets[0].count;
      this.buckets.shift();
    }
  }

  used(now: number): number {
    this.prune(now);
    return this.total;
  }

  /** Counts one call, unless the allocation is used up (then the call is refused and not counted). */
  admit(now: number): boolean {
    if (this.used(now) >= this.max) return false;
    const minute = Math.floor(now / MINUTE_MS);
    const last = this.buckets[this.buckets.length - 1] as { minute: number; count: number } | undefined;
    if (last !== undefined && last.minute >= minute) last.count++;
    else this.buckets.push({ minute, count: 1 });
    this.total++;
    return true;
  }

  header(now: number): string {
    return `api-usage=${this.used(now)}/${this.max}`;
  }
}
