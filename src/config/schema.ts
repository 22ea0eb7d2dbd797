/** The whole configuration file. Each section's schema lives with the code it configures. */
import { z } from 'zod';
import { hubspotSettingsSchema } from '../../connectors/hubspot/settings.ts';
import { salesforceSettingsSchema } from '../../connectors/salesforce/settings.ts';
import { classifierSettingsSchema } from '../classifier/settings.ts';
import { scheduleSettingsSchema } from '../scheduler/settings.ts';
import { serverSettingsSchema } from '../server/settings.ts';
import { storeSettingsSchema, syncSettingsSchema } from '../sync/settings.ts';

export const configSchema = z
  .object({
    /** The CRM to sync; null = decided by --crm or by which credentials are set. */
    crm: z.enum(['hubspot', 'salesforce']).nullable(),
    classifier: classifierSettingsSchema,
    store: storeSettingsSchema,
    sync: syncSettingsSchema,
    hubspot: hubspotSettingsSchema,
    salesforce: salesforceSettingsSchema,
    server: serverSettingsSchema,
    schedule: scheduleSettingsSchema,
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
