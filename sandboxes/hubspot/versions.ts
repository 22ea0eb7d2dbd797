/**
 * HubSpot's date-based API versions (`/api-name/YYYY-MM/resource`, API reference "2026-03 overview"):
 * each numbered route the sandbox has under CRM objects, properties and associations is also answered
 * at the dated path of every version here, by the same handler, which sees the version in its context
 * (associations answer string ids there; 2026-09 writes apply the account's validation rules).
 */
import type { ApiRoute } from './api.ts';

export const DATED_VERSIONS = ['2026-03', '2026-09'] as const;

/** Numbered prefix → the dated path's prefix without the version. */
const MOVED: readonly [string, string][] = [
  ['/crm/v3/objects/', '/crm/objects/'],
  ['/crm/v3/properties/', '/crm/properties/'],
  ['/crm/v4/associations/', '/crm/associations/'],
];

export function datedRoutes(routes: readonly ApiRoute[]): ApiRoute[] {
  return routes.flatMap((route) => {
    const moved = MOVED.find(([numbered]) => route.path.startsWith(numbered));
    if (moved === undefined) return [];
    const [numbered, dated] = moved;
    return DATED_VERSIONS.map((version) => ({ ...route, path: `${dated}${version}/${route.path.slice(numbered.length)}`, version }));
  });
}

/** Whether a route's version applies the account's validation rules to writes (2026-09 and later). */
export function enforcesRules(version: string | null): boolean {
  return version !== null && version >= '2026-09';
}
