/**
 * A run as a job: everything needed to execute one sync, dry run or rollback away from the admin
 * server's event loop (on a worker thread here; the messages are plain data, so a worker process can
 * execute the same job). The server keeps answering /healthz while a run pulls, classifies a large base
 * or waits for a locked database.
 */
import { z } from 'zod';
import type { CrmName } from '../../connectors/contract/index.ts';
import type { Config } from '../config/schema.ts';
import { connect, type Env } from '../crm.ts';
import { LifecycleSyncError } from '../errors.ts';
import { environmentSecrets, type Logger } from '../log.ts';
import { rememberSecrets } from '../secrets.ts';
import { openStateStore } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import { runSync, type SyncProgress, type SyncSummary } from '../sync/engine.ts';
import { runRollback } from '../sync/rollback.ts';

export type RunTrigger = 'admin' | 'schedule' | 'catch-up' | 'demo' | 'cli';

export type RunRequest =
  | { kind: 'sync' | 'dry_run'; full?: boolean; asOfDay?: number | null; trigger: RunTrigger }
  | { kind: 'rollback'; rollbackOf: string; trigger: RunTrigger };

export interface RunJob {
  runId: string;
  request: RunRequest;
  installationId: string;
  crm: CrmName;
  config: Config;
  env: Env;
  /** How long the run's own database connection waits for a lock (it blocks only the run's thread). */
  busyTimeoutMs: number;
  /** The server logger's level: lines below it are not sent across. */
  logLevel: string;
}

/** What the thread running a job tells the server. */
export type RunMessage =
  | { type: 'started' }
  | { type: 'refused'; code: string; message: string }
  | { type: 'progress'; progress: SyncProgress }
  | { type: 'log'; level: string; message: string; meta: Record<string, unknown> }
  | { type: 'finished'; summary: SyncSummary };

const progressSchema = z.object({ phase: z.enum(['fields', 'pull', 'classify', 'write']), done: z.number(), total: z.number().nullable() });

/** Messages cross a thread boundary: checked on arrival like any other input (the summary is the engine's own type). */
export const runMessageSchema: z.ZodType<RunMessage> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started') }),
  z.object({ type: z.literal('refused'), code: z.string(), message: z.string() }),
  z.object({ type: z.literal('progress'), progress: progressSchema }),
  z.object({ type: z.literal('log'), level: z.string(), message: z.string(), meta: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('finished'), summary: z.custom<SyncSummary>((v) => typeof v === 'object' && v !== null && 'runId' in v && 'status' in v) }),
]);

/**
 * Executes one job against its own store connection and connection to the CRM, reporting through `send`.
 * Never throws: a run that cannot start is `refused` (with the reason the API answers), a run that
 * started always ends `finished` (the engine records failures as a failed run).
 */
export async function executeRunJob(job: RunJob, send: (message: RunMessage) => void, log: Logger): Promise<void> {
  let store: Store | null = null;
  // A thread has its own registry of secrets: the ones the server masks are masked here too (stored errors).
  rememberSecrets(...environmentSecrets(job.env));
  try {
    store = await openStateStore(job.config.store, job.env, { busyTimeoutMs: job.busyTimeoutMs });
    const { connector } = await connect({ config: job.config, env: job.env, store, crm: job.crm, installationId: job.installationId, log });
    const base = { store, connector, installationId: job.installationId, log: log.child({ trigger: job.request.trigger }) };
    // The engine calls onStarted once the run is recorded; a refusal before that rejects.
    const onStarted = () => send({ type: 'started' });
    const r = job.request;
    const summary =
      r.kind === 'rollback'
        ? await runRollback({ ...base, runId: r.rollbackOf, newRunId: job.runId, sync: job.config.sync, onStarted })
        : await runSync({
            ...base,
            runId: job.runId,
            classifier: job.config.classifier,
            sync: job.config.sync,
            dryRun: r.kind === 'dry_run',
            full: r.full,
            asOfDay: r.asOfDay ?? null,
            onProgress: (progress) => send({ type: 'progress', progress }),
            onStarted,
          });
    await closeQuietly(store);
    store = null;
    send({ type: 'finished', summary });
  } catch (error) {
    const code = error instanceof LifecycleSyncError ? error.code : error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'ERROR';
    // Before the start, the reason the API answers; after it, the server treats it as the run's thread failing.
    send({ type: 'refused', code, message: error instanceof Error ? error.message : String(error) });
  } finally {
    if (store) await closeQuietly(store);
  }
}

async function closeQuietly(store: { close(): Promise<void> }): Promise<void> {
  try {
    await store.close();
  } catch {
    // closing a broken database: nothing more to save
  }
}
