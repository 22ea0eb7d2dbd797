/** Worker thread of the CSV reader: parses and validates rows and sends them back in batches. */
import { parentPort, workerData } from 'node:worker_threads';
import { LifecycleSyncError, type RecordProblem } from '../errors.ts';
import { parseTransactionRows, type ParseOptions, type ParseTotals, type RowBatch } from './csvRows.ts';

export interface CsvWorkerJob extends ParseOptions {
  file: string;
}

export type CsvWorkerMessage =
  | { type: 'batch'; batch: RowBatch }
  | { type: 'problem'; problem: RecordProblem }
  | { type: 'progress'; bytesRead: number }
  | { type: 'end'; totals: ParseTotals }
  | { type: 'error'; code: string | null; message: string };

const port = parentPort;
if (port) {
  // Sent by our own main thread (not external input), so its type is known.
  const job = workerData as CsvWorkerJob;
  const post = (message: CsvWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  parseTransactionRows(job.file, job, {
    batch: (batch) => post({ type: 'batch', batch }, [batch.days.buffer as ArrayBuffer, batch.amounts.buffer as ArrayBuffer]),
    problem: (problem) => post({ type: 'problem', problem }),
    progress: (bytesRead) => post({ type: 'progress', bytesRead }),
  }).then(
    (totals) => post({ type: 'end', totals }),
    (error: unknown) =>
      post({
        type: 'error',
        code: error instanceof LifecycleSyncError ? error.code : null,
        message: error instanceof Error ? error.message : String(error),
      }),
  );
}
