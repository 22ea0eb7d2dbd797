/**
 * Webhook deliveries as HubSpot makes them (its webhooks guide; the developer platform's
 * `webhooks-hsmeta.json`): when records change, the events the app subscribed to are POSTed to its
 * target URL as a JSON array of at most 100 events, signed with X-HubSpot-Signature-v3 (base64
 * HMAC-SHA256 with the app's client secret over method + URI + body + timestamp, written here from the
 * documentation, not taken from the program), and retried on a failed delivery (a connection error, a
 * timeout, or any status outside 2xx) up to 10 attempts. HubSpot spreads its retries over a day; the
 * sandbox's default schedule is shortened to seconds (`retryDelaysMs`) so tests see them.
 *
 * HubSpot delivers changes an app makes itself too: the sandbox does, with `changeSource` INTEGRATION
 * and `sourceId` the app's id for writes made with the app's OAuth tokens; API writes with a private app
 * token or a service key carry `changeSource` API, and the direct data API (seeding, tests) plays a user
 * in HubSpot's UI (CRM_UI).
 */
import { createHmac } from 'node:crypto';

/** One subscription, as the project's webhooks file lists it (legacy naming: `deal.propertyChange`). */
export interface WebhookSubscription {
  subscriptionType: string;
  /** For `*.propertyChange`: the property watched. */
  propertyName?: string;
  active?: boolean;
}

export interface WebhookSettings {
  targetUrl: string;
  /** The app's client secret: the key of the signature. */
  clientSecret: string;
  appId: number;
  subscriptions: WebhookSubscription[];
  /** HubSpot's `maxConcurrentRequests` (default 10). */
  maxConcurrentRequests?: number;
  /** Events wait this long to be batched (default 50 ms). */
  batchWindowMs?: number;
  /** Delay before each retry (9 of them: 10 attempts); default 0.5 s doubling. */
  retryDelaysMs?: number[];
  /** A delivery not answered within this is a failure (HubSpot: 5 s). */
  timeoutMs?: number;
}

/** What a change is, before it is matched to a subscription. */
export type SandboxEvent = {
  subscriptionType: string;
  occurredAt: number;
  changeSource: string;
  sourceId?: string;
} & Record<string, unknown>;

export interface WebhookStats {
  /** Requests answered 2xx. */
  delivered: number;
  /** Requests that failed (each attempt). */
  failedAttempts: number;
  /** Events dropped after the last attempt. */
  givenUp: number;
  /** Every event sent, by attempt (tests read what was delivered). */
  sent: Record<string, unknown>[][];
}

const DEFAULT_RETRIES = [500, 1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000];

export function signV3(method: string, uri: string, body: string, timestamp: string, secret: string): string {
  return createHmac('sha256', secret).update(`${method}${uri}${body}${timestamp}`, 'utf8').digest('base64');
}

export class WebhookDispatcher {
  private settings: WebhookSettings | null = null;
  private queue: Record<string, unknown>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly pending = new Set<Promise<void>>();
  private nextEventId = 1;
  private readonly portalId: number;
  private readonly clock: () => number;
  readonly stats: WebhookStats = { delivered: 0, failedAttempts: 0, givenUp: 0, sent: [] };

  constructor(portalId: number, clock: () => number) {
    this.portalId = portalId;
    this.clock = clock;
  }

  configure(settings: WebhookSettings | null): void {
    this.settings = settings;
  }

  get configured(): boolean {
    return this.settings !== null;
  }

  /** The subscribing app's id (0 when none is configured). */
  get appId(): number {
    return this.settings?.appId ?? 0;
  }

  private mutedDepth = 0;

  /** Runs `fn` without events for its changes (a merge reports itself as one event). */
  muted<T>(fn: () => T): T {
    this.mutedDepth++;
    try {
      return fn();
    } finally {
      this.mutedDepth--;
    }
  }

  /** A change happened: an event for each active subscription it matches. */
  emit(event: SandboxEvent): void {
    const s = this.settings;
    if (!s || this.mutedDepth > 0) return;
    s.subscriptions.forEach((sub, i) => {
      if (sub.active === false || sub.subscriptionType !== event.subscriptionType) return;
      if (event.subscriptionType.endsWith('.propertyChange') && sub.propertyName !== event.propertyName) return;
      this.queue.push({ eventId: this.nextEventId++, subscriptionId: i + 1, portalId: this.portalId, appId: s.appId, attemptNumber: 0, ...event });
    });
    if (this.queue.length >= 100) this.flush();
    else if (this.queue.length > 0 && !this.timer) {
      this.timer = setTimeout(() => this.flush(), s.batchWindowMs ?? 50);
      this.timer.unref();
    }
  }

  /** Sends what is queued, 100 events a request. */
  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const s = this.settings;
    while (s && this.queue.length > 0) {
      const batch = this.queue.splice(0, 100);
      this.track(this.deliver(s, batch, 0));
    }
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async slot(limit: number): Promise<void> {
    while (this.inFlight >= limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
  }

  private release(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }

  private async deliver(s: WebhookSettings, events: Record<string, unknown>[], attempt: number): Promise<void> {
    const batch = events.map((e) => ({ ...e, attemptNumber: attempt }));
    const body = JSON.stringify(batch);
    await this.slot(s.maxConcurrentRequests ?? 10);
    let ok = false;
    try {
      const timestamp = String(this.clock());
      const response = await fetch(s.targetUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hubspot-signature-v3': signV3('POST', s.targetUrl, body, timestamp, s.clientSecret),
          'x-hubspot-signature-version': 'v3',
          'x-hubspot-request-timestamp': timestamp,
          'x-hubspot-timeout-millis': String(s.timeoutMs ?? 5000),
        },
        body,
        signal: AbortSignal.timeout(s.timeoutMs ?? 5000),
      });
      await response.arrayBuffer().catch(() => undefined);
      ok = response.status >= 200 && response.status < 300;
    } catch {
      // A connection error or a timeout: a failed attempt, as a non-2xx answer is.
    } finally {
      this.release();
    }
    this.stats.sent.push(batch);
    if (ok) {
      this.stats.delivered++;
      return;
    }
    this.stats.failedAttempts++;
    const delays = s.retryDelaysMs ?? DEFAULT_RETRIES;
    if (attempt >= delays.length) {
      this.stats.givenUp += events.length;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, delays[attempt]).unref());
    await this.deliver(s, events, attempt + 1);
  }

  /** Resolves once everything queued has been delivered or given up. */
  async idle(): Promise<void> {
    this.flush();
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
