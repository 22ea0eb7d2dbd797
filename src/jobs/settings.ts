/** How runs are handled as jobs on Postgres (config/default.yaml `jobs`). */
import { z } from 'zod';

export const jobSettingsSchema = z
  .object({
    /** A run that failed is tried again this many times before its job is dead. */
    retryLimit: z.number().int().min(0).max(20),
    /** The first retry's delay; each next one doubles it, up to half an hour. */
    retryDelaySeconds: z.number().int().min(1).max(86_400),
    /** A worker that sends no heartbeat for this long is taken for dead: its job goes to another worker. */
    heartbeatSeconds: z.number().int().min(10, 'must be at least 10 (pg-boss)').max(3_600),
    /** The longest a run's job may stay active, heartbeat or not. */
    expireHours: z.number().positive().max(24 * 7),
    /** How often workers look for jobs whose worker went silent (and for expired ones). */
    superviseSeconds: z.number().int().min(1).max(3_600),
    /** How often an idle worker asks for jobs. */
    pollSeconds: z.number().min(0.5).max(600),
    /** Without workers (SQLite): how many scheduled runs the service itself runs at once; the rest wait their turn. */
    localConcurrency: z.number().int().min(1).max(64),
  })
  .strict();

export type JobSettings = z.infer<typeof jobSettingsSchema>;
