/**
 * Date parsing for inputs: YYYY-MM-DD, YYYYMMDD and ISO 8601 timestamps (UTC unless they carry an
 * offset). Results are whole UTC days since 1970-01-01, the classifier's unit of "same day".
 */
const MS_PER_DAY = 86_400_000;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Days since 1970-01-01 of a proleptic Gregorian date, or null if there is no such date (2024-02-30).
 * Integer arithmetic (H. Hinnant's days_from_civil): the CSV reader calls this for every row.
 */
function dayFromParts(year: number, month: number, day: number): number | null {
  if (month < 1 || month > 12 || day < 1) return null;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1])) return null;
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
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
