/** The variables a worker's metrics endpoint reads, validated like the server's (src/service/env.ts). */
import type { z } from 'zod';
import { describeIssues } from '../config/load.ts';
import { LifecycleSyncError } from '../errors.ts';
import { serviceEnvSchema } from '../service/env.ts';

export const workerEnvSchema = serviceEnvSchema.pick({ HOST: true, METRICS_TOKEN: true }).extend({
  /** Where the worker serves /metrics and /healthz (--metrics-port overrides); unset: it serves no HTTP. */
  METRICS_PORT: serviceEnvSchema.shape.PORT,
});

export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export function parseWorkerEnv(env: Readonly<Record<string, string | undefined>>): WorkerEnv {
  const result = workerEnvSchema.safeParse(env);
  if (result.success) return result.data;
  throw new LifecycleSyncError('CONFIG_INVALID', `invalid environment: ${describeIssues(result.error, env)}`);
}
