/**
 * SOQL date literals (S65): each is a range of whole days relative to today, in UTC (the sandbox's
 * users and org are on GMT). Weeks start on Sunday (en_US locale); quarters and years are calendar ones
 * (no custom fiscal year).
 */
const DAY_MS = 86_400_000;

type Unit = 'day' | 'week' | 'month' | 'quarter' | 'year';

export interface DateRange {
  /** Inclusive start and exclusive end, epoch ms at UTC midnight. */
  start: number;
  end: number;
}

function startOf(unit: Unit, ms: number): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (unit) {
    case 'day':
      return Date.UTC(y, m, d.getUTCDate());
    case 'week':
      return Date.UTC(y, m, d.getUTCDate() - d.getUTCDay());
    case 'month':
      return Date.UTC(y, m, 1);
    case 'quarter':
      return Date.UTC(y, m - (m % 3), 1);
    case 'year':
      return Date.UTC(y, 0, 1);
  }
}

function add(unit: Unit, ms: number, n: number): number {
  const d = new Date(ms);
  switch (unit) {
    case 'day':
      return ms + n * DAY_MS;
    case 'week':
      return ms + 7 * n * DAY_MS;
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, d.getUTCDate());
    case 'quarter':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 3 * n, d.getUTCDate());
    case 'year':
      return Date.UTC(d.getUTCFullYear() + n, d.getUTCMonth(), d.getUTCDate());
  }
}

const UNITS: Record<string, Unit> = { DAYS: 'day', WEEKS: 'week', MONTHS: 'month', QUARTERS: 'quarter', YEARS: 'year', WEEK: 'week', MONTH: 'month', QUARTER: 'quarter', YEAR: 'year' };

/** The range a literal names as of `now`, or undefined when it is not a date literal this sandbox knows. */
export function dateLiteralRange(name: string, n: number | undefined, now: number): DateRange | undefined {
  const today = startOf('day', now);
  const unitRange = (unit: Unit, offset: number, count = 1): DateRange => {
    const base = add(unit, startOf(unit, now), offset);
    return { start: base, end: add(unit, base, count) };
  };
  if (n === undefined) {
    switch (name) {
      case 'YESTERDAY':
        return unitRange('day', -1);
      case 'TODAY':
        return unitRange('day', 0);
      case 'TOMORROW':
        return unitRange('day', 1);
      case 'LAST_90_DAYS':
        return { start: today - 90 * DAY_MS, end: today + DAY_MS };
      case 'NEXT_90_DAYS':
        return { start: today + DAY_MS, end: today + 91 * DAY_MS };
      default: {
        const m = /^(LAST|THIS|NEXT)_(WEEK|MONTH|QUARTER|YEAR)$/.exec(name);
        if (m === null) return undefined;
        return unitRange(UNITS[m[2]], m[1] === 'LAST' ? -1 : m[1] === 'NEXT' ? 1 : 0);
      }
    }
  }
  const m = /^(?:(LAST|NEXT)_N_(DAYS|WEEKS|MONTHS|QUARTERS|YEARS)|N_(DAYS|WEEKS|MONTHS|QUARTERS|YEARS)_AGO)$/.exec(name);
  if (m === null) return undefined;
  if (m[3] !== undefined) return unitRange(UNITS[m[3]], -n);
  const unit = UNITS[m[2]];
  // LAST_N_DAYS includes today; the longer units count whole units before the current one.
  if (m[1] === 'LAST') return unit === 'day' ? { start: today - n * DAY_MS, end: today + DAY_MS } : unitRange(unit, -n, n);
  return unitRange(unit, 1, n);
}
