/** The schedule's settings (config/default.yaml `schedule`; SYNC_CRON and SYNC_TIMEZONE override). */
import { validate } from 'node-cron';
import { z } from 'zod';
import { isTimeZone } from './timeZone.ts';

export const scheduleSettingsSchema = z
  .object({
    /** Scheduled runs at all (the admin page and the CLI still run on demand). */
    enabled: z.boolean(),
    /** Cron expression (5 fields, or 6 with seconds first), read in `timezone`. */
    cron: z.string().refine((v) => validate(v), 'must be a cron expression such as "0 2 * * *" (minute hour day-of-month month day-of-week)'),
    /** IANA time zone the expression is read in. */
    timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as "UTC" or "Europe/Berlin"'),
    /** At start, a run is caught up when the last successful run is older than this. */
    catchUpAfterHours: z.number().positive('must be above 0'),
    /**
     * Scheduled runs begin after the installation's first successful sync, so an admin previews a dry run
     * and runs once by hand before anything is written on a schedule.
     */
    requireFirstRun: z.boolean(),
  })
  .strict();

export type ScheduleSettings = z.infer<typeof scheduleSettingsSchema>;
