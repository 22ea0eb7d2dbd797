/**
 * The environment the long-running service reads (the CLI commands read theirs in crm.ts), validated
 * once at start so a typo or a bad value stops it with a message naming the variable.
 */
import { validate as validCron } from 'node-cron';
import { z } from 'zod';
import { describeIssues } from '../config/load.ts';
import { LifecycleSyncError } from '../errors.ts';
import { isTimeZone } from '../scheduler/timeZone.ts';

/** Unset and empty are the same: `FOO= docker run ...` should not count as a value. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const url = z.string().url('must be a URL');

export const serviceEnvSchema = z.object({
  PORT: optional(z.coerce.number({ error: 'must be a port number from 0 to 65535' }).int('must be a port number from 0 to 65535').min(0, 'must be a port number from 0 to 65535').max(65535, 'must be a port number from 0 to 65535')),
  HOST: optional(z.string()),
  ADMIN_TOKEN: optional(z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 24`)')),
  /** When set, /metrics asks for it as a bearer token (Prometheus' `authorization` setting). */
  METRICS_TOKEN: optional(z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 24`)')),
  PUBLIC_URL: optional(url),
  SYNC_CRON: optional(z.string().refine((v) => validCron(v), 'must be a cron expression such as "0 2 * * *"')),
  SYNC_TIMEZONE: optional(
    z.string().refine(isTimeZone, 'must be an IANA time zone such as "Europe/Berlin"'),
  ),
  ENCRYPTION_KEY: optional(z.string()),
});

export type ServiceEnv = z.infer<typeof serviceEnvSchema>;

export function parseServiceEnv(env: Readonly<Record<string, string | undefined>>): ServiceEnv {
  const result = serviceEnvSchema.safeParse(env);
  if (result.success) return result.data;
  throw new LifecycleSyncError('CONFIG_INVALID', `invalid environment: ${describeIssues(result.error, env)}`);
}
