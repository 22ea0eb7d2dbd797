/** The whole configuration file. Each section's schema lives with the code it configures. */
import { z } from 'zod';
import { classifierSettingsSchema } from '../classifier/settings.ts';

export const configSchema = z
  .object({
    classifier: classifierSettingsSchema,
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
