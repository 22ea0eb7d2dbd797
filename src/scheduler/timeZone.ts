/** Whether a text names a time zone (config `schedule.timezone`, SYNC_TIMEZONE). */

let canonical: ReadonlySet<string> | null = null;

/**
 * An IANA name Node knows: "UTC", "Europe/Berlin", or an alias such as "Asia/Calcutta". The canonical
 * names are a set look-up first, because the first DateTimeFormat a process builds loads ICU's locale
 * data (30–60 ms, at every start of every command that reads the configuration); only other names
 * (aliases, other case) build one.
 */
export function isTimeZone(zone: string): boolean {
  canonical ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (zone === 'UTC' || canonical.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
