/**
 * Benchmark of the classify command: synthetic transaction files of 10k, 100k and 1M customers (about
 * three purchases each), each classified by the real command in a child process; reports wall time,
 * fit time and peak RSS. Also times a Pareto/NBD fit on 25k customers in this process.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { computeFeatures } from '../src/classifier/features.ts';
import { fitTransactionModel } from '../src/classifier/fit.ts';
import { TRANSACTION_MODEL_REGISTRY } from '../src/classifier/models/index.ts';
import { simulateCustomers } from '../src/classifier/simulate.ts';
import { loadConfig } from '../src/config/load.ts';
import { ROOT, OUT, median, peakRssOf } from './util.ts';
import { SYNTHETIC, SYNTHETIC_END_DAY, writeSyntheticCsv } from './generate.ts';

export interface ClassifyRun {
  customers: number;
  rows: number;
  wallSeconds: number;
  fitSeconds: number;
  peakRssMb: number;
}

async function classifyOnce(file: string, output: string): Promise<{ wallSeconds: number; peakRssMb: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'classify', '--transactions', file, '--output', output], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const peak = peakRssOf(child);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`classify exited with ${code}`);
  return { wallSeconds: (performance.now() - started) / 1000, peakRssMb: (await peak) / 1024 };
}

/** The JSON output starts with the model report; read its fit time without parsing the whole file. */
function fitSecondsOf(output: string): number {
  const fd = openSync(output, 'r');
  const head = Buffer.alloc(4096);
  readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const match = /"fitMs": (\d+)/.exec(head.toString('utf8'));
  if (!match) throw new Error('no fitMs in the output');
  return Number(match[1]) / 1000;
}

export async function benchClassify(sizes: number[], runs: number): Promise<ClassifyRun[]> {
  mkdirSync(OUT, { recursive: true });
  const results: ClassifyRun[] = [];
  for (const customers of sizes) {
    const file = join(OUT, `synthetic-${customers}.csv`);
    const rows = existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 2 : await writeSyntheticCsv(customers, file);
    const output = join(OUT, `classified-${customers}.json`);
    const measured = [];
    for (let r = 0; r < runs; r++) measured.push({ ...(await classifyOnce(file, output)), fitSeconds: fitSecondsOf(output) });
    results.push({
      customers,
      rows,
      wallSeconds: median(measured.map((m) => m.wallSeconds)),
      fitSeconds: median(measured.map((m) => m.fitSeconds)),
      peakRssMb: Math.max(...measured.map((m) => m.peakRssMb)),
    });
    const last = results[results.length - 1];
    console.log(`classify ${customers} customers (${rows} rows): ${last.wallSeconds.toFixed(2)} s wall, ${last.fitSeconds.toFixed(2)} s fit, ${last.peakRssMb.toFixed(0)} MB peak RSS`);
  }
  return results;
}

/** Pareto/NBD fit alone on 25,000 simulated customers (the "well under a second"). */
export function benchParetoFit(runs: number): number {
  const endDay = SYNTHETIC_END_DAY;
  const features = [
    ...simulateCustomers({ ...SYNTHETIC, customers: 25_000, seed: 3, firstDay: endDay - SYNTHETIC.cohortDays, endDay }),
  ].map((c) => computeFeatures(c, endDay, 365));
  const arrays = {
    frequency: features.map((f) => f.frequency),
    recencyDays: features.map((f) => f.recencyDays),
    ageDays: features.map((f) => f.ageDays),
  };
  const settings = loadConfig().classifier.fit;
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    const outcome = fitTransactionModel(TRANSACTION_MODEL_REGISTRY.pareto_nbd, arrays, 7, settings);
    times.push((performance.now() - started) / 1000);
    if (!outcome.ok) throw new Error(outcome.reason);
  }
  const seconds = median(times);
  console.log(`pareto_nbd fit on 25,000 customers: ${(seconds * 1000).toFixed(0)} ms (median of ${runs})`);
  return seconds;
}
