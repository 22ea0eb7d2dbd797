/**
 * Worker thread of the result writers: rebuilds the features of its blocks of customers from the
 * transactions table, scores and formats them, and sends each block back as UTF-8 bytes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { scoreCustomer, type ScoreColumns } from '../classifier/scoreColumns.ts';
import { featuresFromColumns } from '../classifier/features.ts';
import { encodeLines, formatRecord, reasonTails, type OutputFormat } from './records.ts';

export interface FormatJob {
  /** Customer ids, joined by `separator` (or as an array when an id contains it). */
  ids: string | string[];
  separator: string;
  offsets: Int32Array;
  days: Int32Array;
  amounts: Float64Array;
  columns: ScoreColumns;
  format: OutputFormat;
  /** [from, to) ranges of customers to format. */
  blocks: [number, number][];
}

/** Blocks the worker may have formatted but not yet seen written: bounds the memory it can fill. */
export const BLOCKS_AHEAD = 3;

export interface FormattedBlock {
  from: number;
  /** UTF-8, encoded here: the main thread already writes every block, so it should not encode them too. */
  chunks: Uint8Array[];
}

const port = parentPort;
if (port) {
  // Sent by our own main thread (not external input), so its type is known.
  const job = workerData as FormatJob;
  // The main thread sends a credit for each of our blocks it has written.
  let credits = BLOCKS_AHEAD;
  let wake: (() => void) | null = null;
  port.on('message', () => {
    credits++;
    wake?.();
  });
  const credit = async () => {
    while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
    credits--;
  };
  const ids = typeof job.ids === 'string' ? job.ids.split(job.separator) : job.ids;
  const { asOfDay, settings } = job.columns;
  const tails = reasonTails(settings.stages);
  for (const [from, to] of job.blocks) {
    await credit();
    const chunks = encodeLines(to - from, (k) => {
      const i = from + k;
      const f = featuresFromColumns(ids[i], job.days, job.amounts, job.offsets[i], job.offsets[i + 1], asOfDay, settings.ltv.periodDays);
      return formatRecord(scoreCustomer(f, i, job.columns), job.format, i, tails);
    });
    const message: FormattedBlock = { from, chunks };
    port.postMessage(message, chunks.map((c) => c.buffer as ArrayBuffer));
  }
  port.close();
}
