/**
 * HubSpot's rate limits: a rolling 10-second burst window per private app (per OAuth app
 * for OAuth tokens), a daily budget per account for private apps (OAuth calls have none), and search at
 * a few requests per second per account, outside the burst window.
 */
import type { RatePolicy } from './errors.ts';
import type { Principal } from './auth.ts';

export interface Limits {
  tenSecondly: number;
  daily: number;
  searchPerSecond: number;
  oauthTenSecondly: number;
}

export const DEFAULT_LIMITS: Limits = { tenSecondly: 190, daily: 650_000, searchPerSecond: 5, oauthTenSecondly: 110 };

const TEN_SECONDS = 10_000;
const ONE_SECOND = 1_000;
const ONE_DAY = 86_400_000;

/** Timestamps of accepted requests in a rolling window. */
class Window {
  private times: number[] = [];
  private head = 0;

  /** Requests in (now - span, now]. */
  count(now: number, span: number): number {
    while (this.head < this.times.length && this.times[this.head] <= now - span) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  /** Requests in the last `span` ms, without dropping older ones (for the deprecated secondly header). */
  recent(now: number, span: number): number {
    let n = 0;
    for (let i = this.times.length - 1; i >= this.head && this.times[i] > now - span; i--) n++;
    return n;
  }

  add(now: number): void {
    this.times.push(now);
  }
}

export type RateDecision = { ok: true; headers: Record<string, string> } | { ok: false; policy: RatePolicy; headers: Record<string, string> };

export class RateLimiter {
  private readonly limits: Limits;
  private readonly windows = new Map<string, Window>();
  private readonly search = new Window();
  private day = -1;
  private dailyUsed = 0;

  constructor(limits: Limits) {
    this.limits = limits;
  }

  private window(key: string): Window {
    let w = this.windows.get(key);
    if (w === undefined) {
      w = new Window();
      this.windows.set(key, w);
    }
    return w;
  }

  /** The daily budget resets at midnight; the sandbox account's time zone is UTC. */
  private dailyRemaining(now: number): number {
    const day = Math.floor(now / ONE_DAY);
    if (day !== this.day) {
      this.day = day;
      this.dailyUsed = 0;
    }
    return this.limits.daily - this.dailyUsed;
  }

  /** Admits or refuses one request; admitted requests are counted. Search responses carry no headers. */
  admit(principal: Principal, now: number, isSearch: boolean): RateDecision {
    // Service keys count like private apps: HubSpot gives them the limits of privately distributed apps.
    const isPrivate = principal.kind !== 'oauth';
    if (isPrivate && this.dailyRemaining(now) <= 0) return { ok: false, policy: 'DAILY', headers: isSearch ? {} : this.headers(principal, now) };
    if (isSearch) {
      if (this.search.count(now, ONE_SECOND) >= this.limits.searchPerSecond) return { ok: false, policy: 'SECONDLY', headers: {} };
      this.search.add(now);
      if (isPrivate) this.dailyUsed++;
      return { ok: true, headers: {} };
    }
    const w = this.window(principal.rateKey);
    if (w.count(now, TEN_SECONDS) >= this.max(principal)) return { ok: false, policy: 'TEN_SECONDLY_ROLLING', headers: this.headers(principal, now) };
    w.add(now);
    if (isPrivate) this.dailyUsed++;
    return { ok: true, headers: this.headers(principal, now) };
  }

  private max(principal: Principal): number {
    return principal.kind !== 'oauth' ? this.limits.tenSecondly : this.limits.oauthTenSecondly;
  }

  /** X-HubSpot-RateLimit-* after this request; Daily only for static tokens (private apps, service keys). */
  private headers(principal: Principal, now: number): Record<string, string> {
    const max = this.max(principal);
    const w = this.window(principal.rateKey);
    const used = w.count(now, TEN_SECONDS);
    // The secondly pair is deprecated and unenforced; reported as a tenth of the burst limit.
    const secondly = Math.max(1, Math.floor(max / 10));
    const headers: Record<string, string> = {
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(TEN_SECONDS),
      'X-HubSpot-RateLimit-Max': String(max),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, max - used)),
      'X-HubSpot-RateLimit-Secondly': String(secondly),
      'X-HubSpot-RateLimit-Secondly-Remaining': String(Math.max(0, secondly - w.recent(now, ONE_SECOND))),
    };
    if (principal.kind !== 'oauth') {
      headers['X-HubSpot-RateLimit-Daily'] = String(this.limits.daily);
      headers['X-HubSpot-RateLimit-Daily-Remaining'] = String(Math.max(0, this.dailyRemaining(now)));
    }
    return headers;
  }
}
