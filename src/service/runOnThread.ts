/**
 * One run on a worker thread of its own (runThread.ts), seen from the process that started it: the admin
 * server's run manager and the `worker` command's job handler both start runs this way, so classifying a
 * large base never holds up their event loop (the server's /healthz, a worker's job heartbeats).
 */
import { Worker } from 'node:worker_threads';
import { ConnectorError, type ConnectorErrorCode } from '../../connectors/contract/index.ts';
import { LifecycleSyncError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { SyncProgress, SyncSummary } from '../sync/engine.ts';
import { runMessageSchema, type RunJob } from './runJob.ts';

/** How a run on a thread ended: its summary, or why there is none. */
export type ThreadEnd =
  | { summary: SyncSummary }
  /** It never started (`started` rejected with the reason). */
  | { refused: true }
  /** It started, then its thread stopped before the run did: the run is still marked running. */
  | { lost: string };

export interface RunThread {
  /** Resolves once the run is recorded as running; rejects with the engine's reason when it cannot start. */
  started: Promise<void>;
  /** Settles when the thread is done; never rejects. */
  ended: Promise<ThreadEnd>;
  /** Where the run stands (phase and counts), once it has said. */
  progress(): SyncProgress | null;
  /** Stops the thread (the run is then lost, unless it had ended). */
  terminate(): Promise<number>;
}

const CONNECTOR_CODES: ReadonlySet<string> = new Set<ConnectorErrorCode>(['AUTH_FAILED', 'QUOTA_SHARE_SPENT', 'QUOTA_EXHAUSTED', 'FIELD_CONFLICT', 'CRM_UNAVAILABLE', 'CRM_REJECTED', 'INVALID_RESPONSE']);
const SERVICE_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'CONFIG_INVALID',
  'CONFIG_NOT_FOUND',
  'INPUT_NOT_FOUND',
  'INPUT_INVALID',
  'INPUT_EMPTY',
  'SYNC_LOCKED',
  'NOT_CONFIGURED',
  'NOT_FOUND',
  'STORE_FAILED',
  'RUN_ABANDONED',
]);

/** The error a refused start is answered with, rebuilt from the thread's message so callers map it as before. */
function refusal(code: string, message: string): Error {
  if (SERVICE_CODES.has(code)) return new LifecycleSyncError(code as ErrorCode, message);
  if (CONNECTOR_CODES.has(code)) return new ConnectorError(code as ConnectorErrorCode, message);
  return new Error(message);
}

function runThreadUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './runThread.ts' : './runThread.js', import.meta.url);
}

export function runOnThread(job: RunJob, log: Logger): RunThread {
  const worker = new Worker(runThreadUrl(), { workerData: job });
  let progress: SyncProgress | null = null;
  let started = false;
  let settle: { start: (error: Error | null) => void; end: (end: ThreadEnd) => void } = { start: () => {}, end: () => {} };
  const startedPromise = new Promise<void>((resolve, reject) => {
    settle.start = (error) => (error ? reject(error) : resolve());
  });
  // A refusal is the starter's to handle; unobserved, it must not become an unhandled rejection.
  startedPromise.catch(() => undefined);
  const ended = new Promise<ThreadEnd>((resolve) => {
    settle.end = resolve;
  });
  const finish = (end: ThreadEnd) => {
    settle.end(end);
    settle = { start: () => {}, end: () => {} };
  };
  worker.on('message', (raw: unknown) => {
    const parsed = runMessageSchema.safeParse(raw);
    if (!parsed.success) {
      log.warn('unexpected message from a run thread', { runId: job.runId });
      return;
    }
    const m = parsed.data;
    switch (m.type) {
      case 'log':
        log.log(m.level, m.message, m.meta);
        break;
      case 'progress':
        progress = m.progress;
        break;
      case 'started':
        started = true;
        settle.start(null);
        break;
      case 'refused':
        if (!started) {
          settle.start(refusal(m.code, m.message));
          finish({ refused: true });
        } else {
          log.error('run ended with an unexpected error', { runId: job.runId, error: m.message });
          finish({ lost: `the run stopped with an unexpected error: ${m.message}` });
        }
        void worker.terminate();
        break;
      case 'finished':
        finish({ summary: m.summary });
        void worker.terminate();
        break;
    }
  });
  worker.on('error', (error: unknown) => {
    log.error('a run thread failed', { runId: job.runId, error: error instanceof Error ? error.message : String(error) });
  });
  worker.on('exit', () => {
    if (!started) {
      settle.start(new Error(`the run ${job.runId} could not start: its thread stopped (see the logs)`));
      finish({ refused: true });
      return;
    }
    finish({ lost: 'the run stopped unexpectedly (its thread ended before the run did)' });
  });
  return { started: startedPromise, ended, progress: () => progress, terminate: () => worker.terminate() };
}
