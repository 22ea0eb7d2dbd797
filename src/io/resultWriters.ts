/**
 * Writes a classification result as JSON or CSV to a stream, a block of customers at a time, so a
 * million customers never become one giant string. For large offline results a worker thread formats
 * most of the blocks (formatting is most of the work, and machines have more than one core); blocks
 * are written in order either way.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { ClassificationResult } from '../classifier/classify.ts';
import type { ClassifierSettings } from '../classifier/settings.ts';
import { STAGES_IN_LIFECYCLE_ORDER } from '../classifier/types.ts';
import type { FormatJob, FormattedBlock } from './formatWorker.ts';
import { CSV_COLUMNS, encodeLines, formatRecord, reasonTails, type OutputFormat, type ReasonTails } from './records.ts';
import type { TransactionTable } from './transactionsCsv.ts';

async function write(out: Writable, chunk: string | Uint8Array): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

const BLOCK = 20_000;
/** Below this many blocks a worker thread costs more than it saves. */
const PARALLEL_FROM_BLOCKS = 4;
/**
 * The main thread formats this share of the blocks and writes all of them; the worker formats the
 * rest (measured on 2 cores: an even split beats 40 % or 60 %).
 */
const MAIN_SHARE = 0.5;
const formattedByMain = (b: number) => Math.floor((b + 1) * MAIN_SHARE) > Math.floor(b * MAIN_SHARE);

/** Where the result's customers came from, so a worker can rebuild their features itself. */
export interface ResultSource {
  table: TransactionTable;
}

/**
 * The classify command's JSON. Per-stage labels and next actions are given once, in `stages`, rather
 * than repeated on every customer (for a million customers they would be a sixth of the file).
 */
export async function writeJson(
  result: ClassificationResult,
  stages: ClassifierSettings['stages'],
  extra: Record<string, unknown>,
  out: Writable,
  source?: ResultSource,
): Promise<void> {
  const { asOf, timeUnit, model, spendModel, spendFallbackReason, summary } = result;
  const stageDefinitions = Object.fromEntries(
    STAGES_IN_LIFECYCLE_ORDER.map((stage) => [stage, { label: stages[stage].label, nextAction: stages[stage].nextAction }]),
  );
  const top = { asOf, timeUnit, model, spendModel, spendFallbackReason, stages: stageDefinitions, summary: { ...summary, ...extra } };
  const opening = JSON.stringify(top, null, 2);
  // Re-open the object to append the customers array without building it as one string.
  await write(out, `${opening.slice(0, -2)},\n  "customers": [`);
  await writeRecords(result, 'json', out, source);
  await write(out, `${result.size > 0 ? '\n  ' : ''}]\n}\n`);
}

export async function writeCsv(result: ClassificationResult, out: Writable, source?: ResultSource): Promise<void> {
  await write(out, CSV_COLUMNS.join(',') + '\r\n');
  await writeRecords(result, 'csv', out, source);
}

function formatBlock(result: ClassificationResult, format: OutputFormat, from: number, to: number, tails: ReasonTails): Uint8Array[] {
  return encodeLines(to - from, (k) => formatRecord(result.customer(from + k), format, from + k, tails));
}

async function writeRecords(result: ClassificationResult, format: OutputFormat, out: Writable, source?: ResultSource): Promise<void> {
  const tails = reasonTails(result.columns.settings.stages);
  const blocks: [number, number][] = [];
  for (let from = 0; from < result.size; from += BLOCK) blocks.push([from, Math.min(result.size, from + BLOCK)]);
  if (!source || blocks.length < PARALLEL_FROM_BLOCKS) {
    for (const [from, to] of blocks) for (const chunk of formatBlock(result, format, from, to, tails)) await write(out, chunk);
    return;
  }
  const worker = startFormatWorker(result, format, source, blocks.filter((_, b) => !formattedByMain(b)));
  try {
    for (const [b, [from, to]] of blocks.entries()) {
      const chunks = formattedByMain(b) ? formatBlock(result, format, from, to, tails) : await worker.block(from);
      for (const chunk of chunks) await write(out, chunk);
    }
  } finally {
    await worker.stop();
  }
}

function workerUrl(): URL {
  // Sources run as .ts (Node's type stripping), the build as .js.
  return new URL(import.meta.url.endsWith('.ts') ? './formatWorker.ts' : './formatWorker.js', import.meta.url);
}

function startFormatWorker(result: ClassificationResult, format: OutputFormat, source: ResultSource, blocks: [number, number][]) {
  const { ids, offsets, days, amounts } = source.table;
  // One string rather than a million: structured cloning is per string.
  const separator = '\u0000';
  const joined = ids.some((id) => id.includes(separator)) ? ids : ids.join(separator);
  const job: FormatJob = { ids: joined, separator, offsets, days, amounts, columns: result.columns, format, blocks };
  const worker = new Worker(workerUrl(), { workerData: job });
  const ready = new Map<number, Uint8Array[]>();
  const waiting = new Map<number, { resolve: (chunks: Uint8Array[]) => void; reject: (error: Error) => void }>();
  let failure: Error | null = null;
  const failAll = (error: Error) => {
    failure = error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  worker.on('message', (message: FormattedBlock) => {
    const w = waiting.get(message.from);
    if (w) {
      waiting.delete(message.from);
      w.resolve(message.chunks);
    } else {
      ready.set(message.from, message.chunks);
    }
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => {
    if (code !== 0) failAll(new Error(`the formatting worker exited with code ${code}`));
  });
  return {
    block(from: number): Promise<Uint8Array[]> {
      worker.postMessage('credit');
      const chunks = ready.get(from);
      if (chunks) {
        ready.delete(from);
        return Promise.resolve(chunks);
      }
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiting.set(from, { resolve, reject }));
    },
    async stop(): Promise<void> {
      await worker.terminate();
    },
  };
}
