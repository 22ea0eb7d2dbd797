/**
 * Every HubSpot call goes through here: the one place HTTP errors are interpreted (STYLE: "wrap HTTP
 * errors in exactly one place per connector"). Cross-cutting, like the SDK's own decorators, but with the
 * policy this product needs:
 * - pacing by the X-HubSpot-RateLimit-* headers (rolling window) and, for search, by HubSpot's
 *   per-second limit (search responses carry no headers);
 * - 429 by policy: TEN_SECONDLY_ROLLING and SECONDLY wait and retry; DAILY stops the run cleanly;
 * - 401 EXPIRED_AUTHENTICATION refreshes the OAuth token and retries;
 * - 5xx, 423, 477 and dropped connections back off and retry;
 * - the engine's request guard (its daily-share policy) runs before every request.
 * The SDK's own retries and limiter are off (they ignore the headers and log with console.error).
 */
// The SDK is loaded at the first call, not at import: the registry (and so every command) imports this file.
import type { Client } from '@hubspot/api-client';
import { z } from 'zod';
import { ConnectorError, type ConnectorLogger as Logger, type QuotaState, type RequestGuard, upstreamText, upstreamValue } from '../contract/index.ts';
import { realSleep, WindowPacer, type Sleep } from '../pacing.ts';
import { backoffMs, DEFAULT_RETRY, isNetworkError, type RetryPolicy } from '../retry.ts';
import type { TokenSource } from './auth.ts';

export interface TransportOptions {
  baseUrl: string;
  auth: TokenSource;
  burstShare: number;
  searchPerSecond: number;
  retry?: RetryPolicy;
  clock?: () => number;
  sleep?: Sleep;
  log: Logger;
}

/** The parts of an SDK HttpInfo we use. */
export interface HttpResult<T> {
  httpStatusCode: number;
  headers: Record<string, string>;
  data: T;
}

const apiException = z.object({ code: z.number(), body: z.unknown(), headers: z.record(z.string(), z.string()).optional() });
export const hubspotErrorBody = z
  .object({
    status: z.string().optional(),
    message: z.string().optional(),
    category: z.string().optional(),
    policyName: z.string().optional(),
    errorType: z.string().optional(),
    errors: z.array(z.object({ message: z.string().optional(), code: z.string().optional(), context: z.record(z.string(), z.unknown()).optional() }).passthrough()).optional(),
    context: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();
export type HubSpotErrorBody = z.infer<typeof hubspotErrorBody>;

/**
 * The scopes a 403 MISSING_SCOPES names (errors[].context.requiredGranularScopes), so the admin learns
 * which one to add instead of a generic "missing scopes"; only scope-shaped strings are repeated.
 */
function missingScopes(body: HubSpotErrorBody): string[] {
  const named = (body.errors ?? []).flatMap((e) => {
    const listed = z.array(z.string()).safeParse(e.context?.requiredGranularScopes);
    return listed.success ? listed.data : [];
  });
  return [...new Set(named.filter((s) => /^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(s)))];
}

/** A HubSpot answer the transport did not retry (a 4xx): the caller decides (e.g. split a batch). */
export class HubSpotHttpError extends Error {
  readonly status: number;
  readonly body: HubSpotErrorBody;
  constructor(status: number, body: HubSpotErrorBody) {
    super(`HubSpot answered ${status}${body.category ? ` ${body.category}` : ''}: ${body.message ?? 'no message'}`);
    this.name = 'HubSpotHttpError';
    this.status = status;
    this.body = body;
  }
}

/** A non-2xx answer to a raw request, in the shape of the SDK's ApiException (what `call` reads). */
class AnswerError extends Error {
  readonly code: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  constructor(code: number, body: unknown, headers: Record<string, string>) {
    super(`HTTP ${code}`);
    this.code = code;
    this.body = body;
    this.headers = headers;
  }
}

function parsedBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A call the SDK has no typed client for (the date-based paths, account info). */
export interface RawRequest {
  method: 'GET' | 'POST';
  /** From the API root, e.g. /crm/objects/2026-09/contacts/batch/update. */
  path: string;
  body?: unknown;
}

const TRANSIENT_STATUS = new Set([423, 477, 500, 502, 503, 504, 521, 522, 523, 524]);

export class HubSpotTransport {
  private readonly options: TransportOptions;
  private readonly retry: RetryPolicy;
  private readonly pacer: WindowPacer;
  private readonly searchPacer: WindowPacer;
  private readonly sleep: Sleep;
  private readonly clock: () => number;
  private guard: RequestGuard | null = null;
  private client: { token: string; client: Client } | null = null;
  private readonly counts = { requests: 0, rateLimited: 0, retries: 0 };
  private daily: { limit: number; remaining: number } | null = null;

  constructor(options: TransportOptions) {
    this.options = options;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    // Until HubSpot's headers say otherwise, assume the smallest tier (100 per 10 s).
    this.pacer = new WindowPacer({ max: 100, intervalMs: 10_000, share: options.burstShare, clock: this.clock, sleep: this.sleep });
    this.searchPacer = new WindowPacer({ max: options.searchPerSecond, intervalMs: 1000, share: options.burstShare, clock: this.clock, sleep: this.sleep });
  }

  setGuard(guard: RequestGuard | null): void {
    this.guard = guard;
  }

  quota(): QuotaState {
    return { ...this.counts, daily: this.daily, window: this.pacer.limit };
  }

  /** The SDK client for the current token, and that token. */
  private async sdk(): Promise<{ token: string; client: Client }> {
    const token = await this.options.auth.token();
    if (this.client?.token !== token) {
      // No SDK retries or limiter: this transport does both, with the headers.
      const { Client } = await import('@hubspot/api-client');
      this.client = { token, client: new Client({ accessToken: token, basePath: this.options.baseUrl, numberOfApiCallRetries: 0 }) };
    }
    return this.client;
  }

  private observe(headers: Record<string, string> | undefined): void {
    if (!headers) return;
    const h = (name: string) => {
      const v = headers[name] ?? headers[name.toLowerCase()];
      return v === undefined ? NaN : Number(v);
    };
    const max = h('x-hubspot-ratelimit-max');
    const interval = h('x-hubspot-ratelimit-interval-milliseconds');
    if (Number.isFinite(max) && Number.isFinite(interval)) this.pacer.setLimit(max, interval);
    const remaining = h('x-hubspot-ratelimit-remaining');
    if (Number.isFinite(remaining)) this.pacer.observeRemaining(remaining);
    const daily = h('x-hubspot-ratelimit-daily');
    const dailyRemaining = h('x-hubspot-ratelimit-daily-remaining');
    if (Number.isFinite(daily) && Number.isFinite(dailyRemaining)) this.daily = { limit: daily, remaining: dailyRemaining };
  }

  private backoff(attempt: number, base: number): number {
    return backoffMs(this.retry, attempt, base);
  }

  /**
   * Sends one request through the SDK's generic `apiRequest` (same token, base URL and no SDK retries),
   * with the same pacing, retries and error reading as `call`. The answer is unparsed JSON: the caller
   * checks it with zod.
   */
  request(kind: 'api' | 'search', label: string, raw: RawRequest): Promise<HttpResult<unknown>> {
    return this.call(kind, label, async (client) => {
      const response = await client.apiRequest({ method: raw.method, path: raw.path, ...(raw.body === undefined ? {} : { body: raw.body }) });
      const headers = Object.fromEntries(response.headers.entries());
      const body = parsedBody(await response.text());
      if (!response.ok) throw new AnswerError(response.status, body, headers);
      return { httpStatusCode: response.status, headers, data: body };
    });
  }

  /** Sends one SDK call (a `...WithHttpInfo` method) with pacing, retries and error interpretation. */
  async call<T>(kind: 'api' | 'search', label: string, send: (client: Client) => Promise<HttpResult<T>>): Promise<HttpResult<T>> {
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      this.guard?.();
      await (kind === 'search' ? this.searchPacer : this.pacer).acquire();
      const { client, token } = await this.sdk();
      this.counts.requests++;
      let failure: unknown;
      try {
        const result = await send(client);
        this.observe(result.headers);
        return result;
      } catch (error) {
        failure = error;
      }
      // What HubSpot (or a proxy) says may repeat the request, token included: every text taken from an
      // answer is cut short, with the token this request carried and token shapes masked, before it goes
      // into any error. This is the one place the connector reads HubSpot's errors.
      const sent = [token];
      const parsed = apiException.safeParse(failure);
      let waitMs: number;
      if (parsed.success) {
        const { code, headers } = parsed.data;
        this.observe(headers);
        const answer = upstreamValue(parsed.data.body, sent);
        const body = hubspotErrorBody.safeParse(answer);
        const info: HubSpotErrorBody = body.success ? body.data : { message: typeof answer === 'string' ? answer : undefined };
        if (code === 429) {
          this.counts.rateLimited++;
          if (info.policyName === 'DAILY') {
            throw new ConnectorError('QUOTA_EXHAUSTED', 'HubSpot says the daily API limit of the account is reached: the run stops here and the next run continues', {
              status: 429,
            });
          }
          // The search limit is per second; the general one a rolling window: hold every request.
          waitMs = info.policyName === 'SECONDLY' ? 1000 : Math.min(this.pacer.limit.intervalMs, this.backoff(attempt, this.retry.rateLimitDelayMs));
          (kind === 'search' ? this.searchPacer : this.pacer).pause(waitMs);
        } else if (code === 401 && info.category === 'EXPIRED_AUTHENTICATION' && this.options.auth.kind === 'oauth' && !refreshed) {
          await this.options.auth.refresh();
          refreshed = true;
          waitMs = 0;
        } else if (code === 401) {
          throw new ConnectorError('AUTH_FAILED', `HubSpot rejected the credentials (${info.category ?? 401}): ${info.message ?? ''}`.trim(), { status: 401 });
        } else if (code === 403) {
          const needed = missingScopes(info);
          const add = needed.length > 0 ? ` — it needs one of: ${needed.join(', ')}; add it to the service key (or legacy private app), or to the OAuth app and reinstall` : ' — check the scopes of the service key (or legacy private app) or of the OAuth app';
          throw new ConnectorError('AUTH_FAILED', `HubSpot refused ${label} (${info.category ?? 403}): ${info.message ?? ''}${add}`.trim(), { status: 403 });
        } else if (TRANSIENT_STATUS.has(code)) {
          waitMs = this.backoff(attempt, this.retry.baseDelayMs);
        } else {
          throw new HubSpotHttpError(code, info);
        }
        this.options.log.debug('hubspot request will be retried', { label, status: code, attempt, waitMs: Math.round(waitMs) });
      } else if (isNetworkError(failure)) {
        waitMs = this.backoff(attempt, this.retry.baseDelayMs);
        this.options.log.debug('hubspot request failed in transit; will be retried', { label, attempt, error: (failure as Error).message });
      } else {
        throw new ConnectorError('INVALID_RESPONSE', `HubSpot ${label}: ${upstreamText(failure instanceof Error ? failure.message : String(failure), sent)}`, { cause: failure });
      }
      if (attempt >= this.retry.maxAttempts) {
        throw new ConnectorError('CRM_UNAVAILABLE', `HubSpot ${label} still failing after ${attempt} attempts; the run stops and the next run continues`);
      }
      this.counts.retries++;
      if (waitMs > 0) await this.sleep(waitMs);
    }
  }
}
