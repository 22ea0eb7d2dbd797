/**
 * A settings preview (settingsPreview.ts) on a worker thread of its own (previewThread.ts), seen from the
 * admin server: on 100,000 customers the classification takes seconds of CPU (a fit when none is fresh),
 * which on the server's thread would stop /healthz and every other request for that long.
 */
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import type { ClassifierSettings } from '../classifier/settings.ts';
import type { Config } from '../config/schema.ts';
import type { Env } from '../crm.ts';
import { LifecycleSyncError } from '../errors.ts';
import type { StagePreview } from './settingsPreview.ts';

export interface PreviewJob {
  /** The installation's configuration in effect (its store, classifier and sync settings). */
  config: Config;
  env: Env;
  busyTimeoutMs: number;
  installationId: string;
  proposed: ClassifierSettings;
  now: number;
}

export type PreviewMessage = { type: 'done'; preview: StagePreview } | { type: 'failed'; message: string };

const messageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('done'), preview: z.custom<StagePreview>((v) => typeof v === 'object' && v !== null && 'moves' in v && 'transitions' in v) }),
  z.object({ type: z.literal('failed'), message: z.string() }),
]);

function threadUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './previewThread.ts' : './previewThread.js', import.meta.url);
}

export function previewOnThread(job: PreviewJob): Promise<StagePreview> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(threadUrl(), { workerData: job });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.on('message', (raw: unknown) => {
      const parsed = messageSchema.safeParse(raw);
      if (!parsed.success) return settle(() => reject(new Error('the settings preview thread sent an unexpected message')));
      const m = parsed.data;
      if (m.type === 'done') settle(() => resolve(m.preview));
      else settle(() => reject(new LifecycleSyncError('INPUT_INVALID', `the preview could not classify ${job.installationId}'s customers: ${m.message}`)));
    });
    worker.on('error', (error: unknown) => settle(() => reject(error instanceof Error ? error : new Error(String(error)))));
    worker.on('exit', () => settle(() => reject(new Error('the settings preview thread stopped before it answered'))));
  });
}
