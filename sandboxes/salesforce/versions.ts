/** API versions: which ones the sandbox serves, and their release labels for `GET /services/data/`. */

/** Salesforce serves 31.0 to the current release (65.0, Winter '26) after retiring 21.0–30.0. */
export const DEFAULT_API_VERSIONS: readonly string[] = Array.from({ length: 65 - 31 + 1 }, (_, i) => `${31 + i}.0`);

const SEASONS = ['Winter', 'Summer', 'Spring'];

/** Three releases a year, counted back from Winter '26 = 65.0. */
export function releaseLabel(version: string): string {
  const k = 65 - Math.round(Number(version));
  const season = SEASONS[((k % 3) + 3) % 3];
  const year = 26 - Math.floor((k + 2) / 3);
  return `${season} '${String(year).padStart(2, '0')}`;
}

/** `v65.0` from a path segment, or undefined when it is not a version. */
export function versionOf(segment: string): string | undefined {
  const m = /^v(\d{2,3}\.\d)$/.exec(segment);
  return m === null ? undefined : m[1];
}
