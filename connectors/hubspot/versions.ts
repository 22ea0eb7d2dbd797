/**
 * The date-based paths (`/api-name/YYYY-MM/resource`, HubSpot's API reference 2026-03 overview) of the
 * calls the connector has moved off the SDK's numbered clients: `legacy` is not one of them, the SDK's
 * typed clients serve it.
 */
import type { HubSpotApiVersion } from './settings.ts';

export type DatedVersion = Exclude<HubSpotApiVersion, 'legacy'>;

/** /crm/objects/2026-09/contacts/batch/update and the like. */
export function objectsPath(version: DatedVersion, rest: string): string {
  return `/crm/objects/${version}/${rest}`;
}

/** /crm/associations/2026-09/deals/contacts/batch/read and the like. */
export function associationsPath(version: DatedVersion, rest: string): string {
  return `/crm/associations/${version}/${rest}`;
}
