/**
 * Date parsing for inputs: YYYY-MM-DD, YYYYMMDD and ISO 8601 timestamps (UTC unless they carry an
 * offset). Results are whole UTC days since 1970-01-01, the classifier's unit of "same day".
 */
const MS_PER_DAY = 86_400_000;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;

function dayFromParts(year: number, month: number, day: number): number | null {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  // Rejects 2024-02-30 and the like, which Date.UTC would roll over into March.
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return ms / MS_PER_DAY;
}

function digits(s: string, start: number, length: number): number {
  let v = 0;
  for (let i = start; i < start + length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/** Parses a date or timestamp to a UTC day number, or null when it is not one of the accepted forms. */
export function parseDay(text: string): number | null {
  const s = text.trim();
  if (s.length === 10 && s[4] === '-' && s[7] === '-') {
    const [y, m, d] = [digits(s, 0, 4), digits(s, 5, 2), digits(s, 8, 2)];
    return Number.isNaN(y + m + d) ? null : dayFromParts(y, m, d);
  }
  if (s.length === 8) {
    const [y, m, d] = [digits(s, 0, 4), digits(s, 4, 2), digits(s, 6, 2)];
    return Number.isNaN(y + m + d) ? null : dayFromParts(y, m, d);
  }
  if (ISO_TIMESTAMP.test(s)) {
    if (dayFromParts(digits(s, 0, 4), digits(s, 5, 2), digits(s, 8, 2)) === null) return null;
    const withZone = /(Z|[+-]\d{2}(:?\d{2})?)$/i.test(s.slice(10)) ? s : `${s}Z`;
    const ms = Date.parse(withZone.replace(' ', 'T'));
    return Number.isNaN(ms) ? null : Math.floor(ms / MS_PER_DAY);
  }
  return null;
}

/** Strict YYYY-MM-DD, for command-line flags such as --as-of. */
export function parseIsoDate(text: string): number | null {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? parseDay(text) : null;
}

export function todayDay(now: Date = new Date()): number {
  return Math.floor(now.getTime() / MS_PER_DAY);
}
