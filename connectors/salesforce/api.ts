/**
 * Every Salesforce call goes through here: the one place HTTP errors are interpreted. jsforce sends
 * the requests (its REST layer, OAuth and Metadata clients) with this policy around them:
 * - the engine's request guard (its daily-share policy) before every call;
 * - the daily allocation read from `Sforce-Limit-Info` on every response (REST and Bulk alike);
 * - REQUEST_LIMIT_EXCEEDED stops the run cleanly (QUOTA_EXHAUSTED) instead of retrying;
 * - 5xx, SERVER_UNAVAILABLE, whole-request UNABLE_TO_LOCK_ROW and dropped connections back off and
 *   retry — for every method: jsforce retries only GET/PUT/DELETE, and its retries are turned off here
 *   so that one policy (and one count) applies; every write this connector makes is idempotent;
 * - an invalid session is renewed through the SalesforceAuth (jsforce's refresh hook) and retried.
 * jsforce's transport is wrapped to see each response's status and headers, which its errors and
 * results leave out.
 */
// jsforce is loaded at the first connection, not at import: the registry (and so every command) imports this file.
import type { Connection } from 'jsforce';
import { z } from 'zod';
import { ConnectorError, type ConnectorLogger as Logger, type QuotaState, type RequestGuard, upstreamText } from '../contract/index.ts';
import { realSleep, type Sleep } from '../pacing.ts';
import { backoffMs, DEFAULT_RETRY, isNetworkError, type RetryPolicy } from '../retry.ts';
import type { SalesforceAuth, Session } from './auth.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface ApiRequest {
  method: Method;
  /** Absolute, or relative to the versioned REST base (/services/data/vNN.0). */
  url: string;
  /** JSON bodies are serialised here; strings (CSV) are sent as they are. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** A Salesforce error answer the policy did not retry: the caller decides. */
export class SalesforceApiError extends Error {
  readonly errorCode: string;
  readonly status: number | null;
  constructor(label: string, errorCode: string, message: string, status: number | null) {
    super(`Salesforce ${label}: ${errorCode}: ${message}`);
    this.name = 'SalesforceApiError';
    this.errorCode = errorCode;
    this.status = status;
  }
}

/** Whole-request error codes worth retrying (the platform is busy, not the request wrong). */
const TRANSIENT_CODES = new Set(['SERVER_UNAVAILABLE', 'UNABLE_TO_LOCK_ROW', 'QUERY_TIMEOUT', 'REQUEST_RUNNING_TOO_LONG']);
const TRANSIENT_STATUS = new Set([420, 500, 502, 503, 504]);

const jsforceError = z.object({ name: z.string(), message: z.string(), errorCode: z.string().optional() });
const limitInfo = /api-usage=(\d+)\/(\d+)/;

export interface SalesforceApiOptions {
  auth: SalesforceAuth;
  apiVersion: string;
  /** Overrides the session's instance URL (SALESFORCE_INSTANCE_URL, e.g. for a plain access token). */
  instanceUrl: string | null;
  retry?: RetryPolicy;
  sleep?: Sleep;
  log: Logger;
}

type Observed = { status: number; headers: Record<string, string> };

export class SalesforceApi {
  private readonly options: SalesforceApiOptions;
  private readonly retry: RetryPolicy;
  private readonly sleep: Sleep;
  private connecting: Promise<Connection> | null = null;
  private guard: RequestGuard | null = null;
  private readonly counts = { requests: 0, rateLimited: 0, retries: 0 };
  private daily: { limit: number; remaining: number } | null = null;
  /** Responses by their request's headers object (jsforce passes it through unchanged). */
  private readonly observed = new WeakMap<object, Observed>();
  private lastRefreshError: unknown = null;
  /** The server's clock at its last answer (Date header), epoch ms. */
  private serverNow: number | null = null;
  private session: Session | null = null;

  constructor(options: SalesforceApiOptions) {
    this.options = options;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.sleep = options.sleep ?? realSleep;
  }

  get apiVersion(): string {
    return this.options.apiVersion;
  }

  get restBase(): string {
    return `/services/data/v${this.options.apiVersion}`;
  }

  setGuard(guard: RequestGuard | null): void {
    this.guard = guard;
  }

  quota(): QuotaState {
    // Salesforce has no short rate window, only the rolling 24-hour allocation and concurrency limits.
    return { ...this.counts, daily: this.daily, window: null };
  }

  /** The running user's id, when the login said. */
  userId(): string | null {
    return this.session?.userId ?? null;
  }

  /** Salesforce's clock at its last answer: record timestamps are compared on its clock, not ours. */
  serverTime(): number | null {
    return this.serverNow;
  }

  connection(): Promise<Connection> {
    this.connecting ??= this.connect().catch((error: unknown) => {
      this.connecting = null;
      throw error;
    });
    return this.connecting;
  }

  private async connect(): Promise<Connection> {
    const session: Session = await this.options.auth.session();
    this.session = session;
    const { Connection } = await import('jsforce');
    const conn = new Connection({
      instanceUrl: (this.options.instanceUrl ?? session.instanceUrl).replace(/\/+$/, ''),
      accessToken: session.accessToken,
      version: this.options.apiVersion,
      refreshFn: (c, callback) => {
        this.options.auth.refresh().then(
          (next) => {
            this.lastRefreshError = null;
            this.session = next;
            if (this.options.instanceUrl === null) c.instanceUrl = next.instanceUrl.replace(/\/+$/, '');
            callback(null, next.accessToken);
          },
          (error: unknown) => {
            this.lastRefreshError = error;
            callback(error instanceof Error ? error : new Error(String(error)));
          },
        );
      },
    });
    this.observe(conn);
    return conn;
  }

  /** Wraps jsforce's transport: every HTTP exchange (REST, Bulk, SOAP) is seen here. */
  private observe(conn: Connection): void {
    const inner = conn._transport;
    const wrapped = Object.create(inner) as typeof inner;
    wrapped.httpRequest = (req, opts) => {
      const sent = inner.httpRequest(req, opts);
      sent.then(
        (res) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers ?? {})) headers[k.toLowerCase()] = String(v);
          if (req.headers) this.observed.set(req.headers, { status: res.statusCode, headers });
          const usage = limitInfo.exec(headers['sforce-limit-info'] ?? '');
          if (usage) this.daily = { limit: Number(usage[2]), remaining: Math.max(0, Number(usage[2]) - Number(usage[1])) };
          const date = Date.parse(headers.date ?? '');
          if (Number.isFinite(date)) this.serverNow = date;
        },
        () => undefined,
      );
      return sent;
    };
    conn._transport = wrapped;
  }

  /** One REST/Bulk request; the body as jsforce parsed it (JSON, CSV records, or text by responseType). */
  async send(label: string, req: ApiRequest, options: { responseType?: string } = {}): Promise<ApiResponse> {
    return this.attempt(label, async (conn, headers) => {
      const body = req.body === undefined || typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = typeof req.body === 'string' ? 'text/csv' : 'application/json';
      const result: unknown = await conn.request(
        { method: req.method, url: req.url, body, headers },
        // Retries are this class's policy, for every method (see above).
        { retry: { maxRetries: 0 }, ...(options.responseType ? { responseType: options.responseType } : {}) },
      );
      const seen = this.observed.get(headers);
      return { status: seen?.status ?? 200, headers: seen?.headers ?? {}, body: result };
    });
  }

  /** A JSON request whose answer is checked against a schema (the CRM's data is external input). */
  async json<T>(label: string, schema: z.ZodType<T>, req: ApiRequest): Promise<T> {
    const { body } = await this.send(label, req);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConnectorError('INVALID_RESPONSE', `Salesforce ${label}: unexpected answer at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    return parsed.data;
  }

  /** A jsforce API call (Metadata, OAuth identity...) under the same policy. */
  call<T>(label: string, fn: (conn: Connection) => Promise<T>): Promise<T> {
    return this.attempt(label, (conn) => fn(conn));
  }

  private async attempt<T>(label: string, fn: (conn: Connection, headers: Record<string, string>) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.guard?.();
      const conn = await this.connection();
      this.counts.requests++;
      const headers: Record<string, string> = {};
      let failure: unknown;
      try {
        return await fn(conn, headers);
      } catch (error) {
        failure = error;
      }
      const status = this.observed.get(headers)?.status ?? null;
      const parsed = jsforceError.safeParse(failure);
      // What Salesforce (or a proxy) says may repeat the request, session id included: every text taken
      // from an answer is cut short, with the session this request carried and token shapes masked,
      // before it goes into any error. This is the one place the connector reads Salesforce's errors.
      const sent = [conn.accessToken ?? '', this.session?.accessToken ?? ''];
      // SOAP faults (Metadata API) name their code with a namespace prefix: sf:REQUEST_LIMIT_EXCEEDED.
      const code = parsed.success ? upstreamText(parsed.data.errorCode ?? parsed.data.name, sent, 80).replace(/^[a-z]+:/i, '') : 'ERROR';
      const message = upstreamText(parsed.success ? parsed.data.message : String(failure), sent);
      if (code === 'REQUEST_LIMIT_EXCEEDED') {
        this.counts.rateLimited++;
        throw new ConnectorError('QUOTA_EXHAUSTED', `Salesforce says the org's API request limit is reached (${message}): the run stops here and the next run continues`, {
          status,
        });
      }
      if (message.startsWith('Unable to refresh session')) {
        throw this.lastRefreshError instanceof ConnectorError ? this.lastRefreshError : new ConnectorError('AUTH_FAILED', `Salesforce ${label}: ${message}`, { status: 401 });
      }
      if (code === 'INVALID_SESSION_ID') {
        throw new ConnectorError('AUTH_FAILED', `Salesforce rejected the session (${message})`, { status: 401 });
      }
      if (code === 'API_DISABLED_FOR_ORG' || code === 'INSUFFICIENT_ACCESS' || code === 'API_CURRENTLY_DISABLED') {
        throw new ConnectorError('AUTH_FAILED', `Salesforce refused ${label} (${code}): ${message} — the integration user needs "API Enabled" and access to the objects`, { status });
      }
      // An answer from Salesforce (a status, or an error code in the body), or a failure in transit?
      const answered = status !== null || (parsed.success && parsed.data.errorCode !== undefined);
      const transient = TRANSIENT_CODES.has(code) || (status !== null && TRANSIENT_STATUS.has(status)) || /^ERROR_HTTP_(5\d\d|420)$/.test(code) || (!answered && isNetworkError(failure));
      if (!transient) {
        if (answered) throw new SalesforceApiError(label, code, message, status);
        throw new ConnectorError('INVALID_RESPONSE', `Salesforce ${label}: ${message}`, { cause: failure });
      }
      if (attempt >= this.retry.maxAttempts) {
        throw new ConnectorError('CRM_UNAVAILABLE', `Salesforce ${label} still failing after ${attempt} attempts (${code}); the run stops and the next run continues`, { status });
      }
      this.counts.retries++;
      const waitMs = backoffMs(this.retry, attempt, this.retry.baseDelayMs);
      this.options.log.debug('salesforce request will be retried', { label, status, code, attempt, waitMs: Math.round(waitMs) });
      await this.sleep(waitMs);
    }
  }
}
