/**
 * Input quoted in an error message, cut short: a 200 MB CSV line or CRM value must not become a
 * 200 MB "one-line" error. Shared by the connectors and by src/ (CSV reader, config, CLI flags), so it
 * lives here and imports nothing from src/.
 */

/** Characters of the quoted text kept before the ellipsis. */
export const EXCERPT_CHARS = 80;

function head(text: string, max: number): string {
  const start = text.slice(0, max);
  // Do not leave half a surrogate pair at the cut.
  const last = start.charCodeAt(start.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? start.slice(0, -1) : start;
}

/** The text itself when short; else its start, "…" and its length: `abc… (2000000 characters)`. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  return text.length <= max ? text : `${head(text, max)}… (${text.length} characters)`;
}

/** The text as a JSON string literal when short; else the literal of its start with "…", and its length. */
export function quoted(text: string, max = EXCERPT_CHARS): string {
  return text.length <= max ? JSON.stringify(text) : `${JSON.stringify(`${head(text, max)}…`)} (${text.length} characters)`;
}

/** Names joined by ", ", each cut short, the first `max` of them and how many more. */
export function excerptList(names: readonly string[], max = 20): string {
  const shown = names.slice(0, max).map((n) => excerpt(n, 40));
  return names.length > max ? `${shown.join(', ')} and ${names.length - max} more` : shown.join(', ');
}
