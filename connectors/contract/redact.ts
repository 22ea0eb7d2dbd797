/**
 * Secrets out of text. Pure and free of src/ imports, so the connectors (where a CRM's or a proxy's
 * error text first arrives) and the program's exits (HTTP answers, the CLI's output, the store, the
 * logs) share one definition.
 *
 * Two layers: the exact secrets the caller knows (a token it sent, the environment's secrets), masked
 * wherever they appear; and token shapes, masked whoever they belong to.
 */

export const MASK = '[redacted]';

/** Exact values shorter than this are not masked: they would match ordinary words and numbers. */
export const MIN_SECRET_LENGTH = 8;

/** Echoed Authorization headers, bearer tokens, JWTs, HubSpot private-app tokens, Salesforce session ids, secret-named parameters. */
const TOKEN_SHAPES: readonly [RegExp, string][] = [
  // An echoed header: its value after "Authorization:", scheme and credentials (not a placeholder such
  // as "Bearer <ADMIN_TOKEN>" in our own instructions).
  [/(\bauthorization["']?\s*[:=]\s*["']?)(?![A-Za-z]*\s*<)(?:[A-Za-z]+\s+)?[^\s"',;)}]+/gi, `$1${MASK}`],
  [/(\bBearer\s+)[\w.~+/=-]+/gi, `$1${MASK}`],
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]+/g, '[redacted-jwt]'],
  [/\bpat-[a-z0-9]+-[\w-]+/gi, '[redacted-token]'],
  // Salesforce session ids: the org id, "!", then the session.
  [/\b00D\w{12,15}![\w.]+/g, '[redacted-token]'],
  // Form and query parameters, and JSON members, named after a secret.
  [/(\b(?:access_token|refresh_token|id_token|client_secret|code|code_verifier|assertion|token|password|api_?key)=)[^&\s"']+/gi, `$1${MASK}`],
  [/("(?:access_?token|refresh_?token|id_?token|client_?secret|password|assertion|api_?key)"\s*:\s*")[^"]*/gi, `$1${MASK}`],
];

/** Masks the given exact secrets (longest first, so one inside another is masked whole), then token shapes. */
export function redactSecrets(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  const exact = [...new Set(secrets)].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  for (const secret of exact) if (out.includes(secret)) out = out.split(secret).join(MASK);
  for (const [pattern, replacement] of TOKEN_SHAPES) out = out.replace(pattern, replacement);
  return out;
}

/** How much of an upstream message is kept: enough to recognise the error, not a whole page. */
export const UPSTREAM_TEXT_MAX = 300;

/**
 * Text another system sent (an error message, a page a proxy served) made fit to go into our own
 * messages: secrets masked (before cutting, so no half of one survives), on one line, and cut short.
 */
export function upstreamText(text: string, secrets: Iterable<string> = [], max = UPSTREAM_TEXT_MAX): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is being removed
  const line = redactSecrets(text, secrets).replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** upstreamText applied to every string inside a parsed answer (keys are kept; they name fields). */
export function upstreamValue(value: unknown, secrets: Iterable<string> = [], depth = 0): unknown {
  if (typeof value === 'string') return upstreamText(value, secrets);
  if (value === null || typeof value !== 'object' || depth > 16) return value;
  const list = [...secrets];
  if (Array.isArray(value)) return value.map((v) => upstreamValue(v, list, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, upstreamValue(v, list, depth + 1)]));
}
