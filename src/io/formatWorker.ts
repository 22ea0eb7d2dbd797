/**
 * Worker thread of the result writers: rebuilds the features of its blocks of customers from the
 * transactions table, scores and formats them, and sends each block back as UTF-8 bytes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { scoreCustomer, type ScoreColumns } from '../classifier/classify.ts';
import { featuresFromColumns } from '../classifier/features.ts';
import { formatRecord, type OutputFormat } from './records.ts';

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

export interface FormattedBlock {
  from: number;
  /** UTF-8, encoded here: the main thread already writes every block, so it should not encode them too. */
  bytes: Uint8Array;
}

if (parentPort) {
  // Sent by our own main thread (not external input), so its type is known.
  const job = workerData as FormatJob;
  const ids = typeof job.ids === 'string' ? job.ids.split(job.separator) : job.ids;
  const { asOfDay, settings } = job.columns;
  const encoder = new TextEncoder();
  for (const [from, to] of job.blocks) {
    let text = '';
    for (let i = from; i < to; i++) {
      const f = featuresFromColumns(ids[i], job.days, job.amounts, job.offsets[i], job.offsets[i + 1], asOfDay, settings.ltv.periodDays);
      text += formatRecord(scoreCustomer(f, i, job.columns), job.format, i);
    }
    const bytes = encoder.encode(text);
    const message: FormattedBlock = { from, bytes };
    parentPort.postMessage(message, [bytes.buffer]);
  }
}
