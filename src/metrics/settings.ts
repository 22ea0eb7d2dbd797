/** How /metrics labels installations (config/default.yaml `metrics`). */
import { z } from 'zod';

export const metricsSettingsSchema = z
  .object({
    /**
     * At most this many installations get series of their own in a process's /metrics (the oldest ones
     * not removed); the others share `installation="other"`, so hundreds of accounts cannot multiply
     * the series Prometheus keeps. 0: every installation is "other".
     */
    maxInstallationLabels: z.number().int().min(0).max(10_000),
  })
  .strict();

export type MetricsSettings = z.infer<typeof metricsSettingsSchema>;
