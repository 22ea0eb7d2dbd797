/**
 * The whole configuration file. Each section's schema lives with the code it configures; a connector's
 * section (`hubspot:`, `salesforce:`, ...) is the schema its registry definition lists in
 * connectors/sections.ts, so a new connector's settings need no change here, and reading the
 * configuration loads no connector. After validation the connectors' sections are gathered in `connectors`.
 */
import { z } from 'zod';
import { alertSettingsSchema } from '../alerts/settings.ts';
import type { CrmName } from '../../connectors/contract/index.ts';
import { connectorNames, connectorSection, connectorSections } from '../../connectors/sections.ts';
import { classifierSettingsSchema } from '../classifier/settings.ts';
import { jobSettingsSchema } from '../jobs/settings.ts';
import { metricsSettingsSchema } from '../metrics/settings.ts';
import { scheduleSettingsSchema } from '../scheduler/settings.ts';
import { serverSettingsSchema } from '../server/settings.ts';
import { storeSettingsSchema, syncSettingsSchema } from '../sync/settings.ts';

const coreShape = {
  /** The CRM to sync; null = decided by --crm or by which credentials are set. */
  crm: z.string().nullable(),
  classifier: classifierSettingsSchema,
  store: storeSettingsSchema,
  sync: syncSettingsSchema,
  server: serverSettingsSchema,
  schedule: scheduleSettingsSchema,
  jobs: jobSettingsSchema,
  metrics: metricsSettingsSchema,
  alerts: alertSettingsSchema,
};

type Core = z.infer<z.ZodObject<typeof coreShape>>;

export type Config = Core & {
  /** Each registered connector's section, validated by its schema (read through the registry). */
  connectors: Readonly<Record<CrmName, unknown>>;
};

/** The schema as the registry stands now (tests may register connectors of their own). */
export function configSchema(): z.ZodType<Config> {
  const sections = Object.fromEntries(connectorSections().map((d) => [d.name, z.preprocess((v) => v ?? {}, d.settingsSchema)]));
  return z
    .object({ ...coreShape, ...sections })
    .strict()
    .refine((c) => c.crm === null || connectorSection(c.crm) !== null, { path: ['crm'], message: `must be ${connectorNames()}, or null` })
    .transform((c) => {
      const { crm, classifier, store, sync, server, schedule, jobs, metrics, alerts, ...rest } = c as Core & Record<string, unknown>;
      return { crm, classifier, store, sync, server, schedule, jobs, metrics, alerts, connectors: rest };
    });
}
