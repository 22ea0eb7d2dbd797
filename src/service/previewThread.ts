/**
 * The worker thread a settings preview runs on (settingsPreviewOnThread.ts): it opens its own
 * connection to the state store, classifies the installation's stored customers under the current and
 * the proposed settings (settingsPreview.ts), and posts the counts back. Fitting and scoring a large base
 * takes seconds; here it never holds up the admin server's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStateStore } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import { previewStages } from './settingsPreview.ts';
import type { PreviewJob, PreviewMessage } from './settingsPreviewOnThread.ts';

const port = parentPort;
if (!port) throw new Error('previewThread.ts runs as a worker thread');
const job = workerData as PreviewJob;
const send = (message: PreviewMessage) => port.postMessage(message);
let store: Store | null = null;
try {
  store = await openStateStore(job.config.store, job.env, { busyTimeoutMs: job.busyTimeoutMs });
  send({ type: 'done', preview: await previewStages(store, job.installationId, { current: job.config.classifier, proposed: job.proposed, sync: job.config.sync, now: job.now }) });
} catch (error) {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
} finally {
  await store?.close().catch(() => undefined);
}
