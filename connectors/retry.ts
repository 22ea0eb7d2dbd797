/** Retrying transient failures, shared by connectors: the policy's shape, backoff with jitter, and what counts as a dropped connection. */

export interface RetryPolicy {
  maxAttempts: number;
  /** First backoff after a 5xx or dropped connection; doubles each attempt (with jitter). */
  baseDelayMs: number;
  /** Wait after a rate-limit answer before retrying, at least (doubles each attempt). */
  rateLimitDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, rateLimitDelayMs: 1000, maxDelayMs: 30_000 };

/** Exponential backoff with "equal jitter": half fixed, half random, so retrying clients spread out. */
export function backoffMs(policy: RetryPolicy, attempt: number, base: number): number {
  const exponential = Math.min(policy.maxDelayMs, base * 2 ** (attempt - 1));
  return exponential / 2 + Math.random() * (exponential / 2);
}

/** A request that failed in transit (reset, refused, timed out) rather than with an answer. */
export function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const cause = (error as { cause?: { code?: string } }).cause;
  const code = (error as { code?: unknown }).code;
  return (
    error.name === 'TypeError' ||
    error.name === 'FetchError' ||
    /fetch failed|socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|other side closed|terminated/i.test(error.message) ||
    typeof cause?.code === 'string' ||
    (typeof code === 'string' && /^E[A-Z]+$/.test(code))
  );
}
