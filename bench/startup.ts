/**
 * Start-up benchmark (issue #12): how long the command line takes before it does any work (`--help`),
 * and `classify` end to end on the CDNOW data at its full size, 23,570 customers — the bundled sample
 * (2,357 customers, one in ten) repeated ten times with the copy number in the customer id, so every
 * customer keeps CDNOW's own purchase history. Each figure is the median wall time of the real command
 * in a child process: the bin, as `npx lifecycle-sync` runs it, with Node's compile cache as a second
 * start finds it (the warm-up fills it), and with the cache off as the first start after a change does.
 * `node -e 0` is timed too, as the floor any command pays.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, ROOT, median } from './util.ts';

const BIN = join(ROOT, 'bin/lifecycle-sync.js');
/** A directory of its own, so that the figures never depend on what another process left in the default one. */
const CACHE = join(OUT, 'compile-cache');

/** demo/cdnow_sample.csv ten times over: customer `0001` becomes `0001-0` … `0001-9`. */
export function cdnowFullSize(): string {
  const file = join(OUT, 'cdnow-23570.csv');
  if (existsSync(file)) return file;
  const [header, ...rows] = readFileSync(join(ROOT, 'demo/cdnow_sample.csv'), 'utf8').trimEnd().split('\n');
  const lines = [header];
  for (let copy = 0; copy < 10; copy++) {
    for (const row of rows) {
      const comma = row.indexOf(',');
      lines.push(`${row.slice(0, comma)}-${copy}${row.slice(comma)}`);
    }
  }
  mkdirSync(OUT, { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

type Cache = 'cache' | 'no cache';

async function wallSeconds(args: string[], cache: Cache): Promise<number> {
  const env = cache === 'cache' ? { ...process.env, NODE_COMPILE_CACHE: CACHE, NODE_DISABLE_COMPILE_CACHE: undefined } : { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' };
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore'], env });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited with ${code}`);
  return (performance.now() - started) / 1000;
}

async function timed(label: string, args: string[], runs: number, cache: Cache = 'cache'): Promise<number> {
  await wallSeconds(args, cache); // warm-up: the file system cache (and the compile cache), not counted
  const times: number[] = [];
  for (let r = 0; r < runs; r++) times.push(await wallSeconds(args, cache));
  const seconds = median(times);
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`${label}${cache === 'no cache' ? ' (compile cache off)' : ''}: ${seconds.toFixed(2)} s wall (median of ${runs}; ${sorted[0].toFixed(2)}–${sorted[sorted.length - 1].toFixed(2)})`);
  return seconds;
}

export async function benchStartup(runs: number): Promise<void> {
  const transactions = cdnowFullSize();
  const output = join(OUT, 'classified-cdnow-23570.json');
  const classify = [BIN, 'classify', '--transactions', transactions, '--output', output];
  rmSync(CACHE, { recursive: true, force: true });
  await timed('node -e 0', ['-e', '0'], runs);
  await timed('lifecycle-sync --help', [BIN, '--help'], runs);
  await timed('lifecycle-sync --help', [BIN, '--help'], runs, 'no cache');
  await timed('lifecycle-sync classify --help', [BIN, 'classify', '--help'], runs);
  await timed('lifecycle-sync classify, CDNOW 23,570 customers', classify, runs);
  await timed('lifecycle-sync classify, CDNOW 23,570 customers', classify, runs, 'no cache');
}
