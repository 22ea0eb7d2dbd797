/**
 * What the CRM sync benchmarks share: a sandbox in its own process driven over IPC (so the sync's
 * memory and CPU are measured alone), the real `sync --json` in a child process with its peak RSS, and
 * the nightly change (a share of the customers, chosen reproducibly, make a purchase).
 */
import { fork, spawn } from 'node:child_process';
import { join } from 'node:path';
import { peakRssOf, ROOT } from './util.ts';

/** The fields of a `sync --json` summary the benchmarks read. */
export interface RunSummary {
  status: string;
  mode: string;
  pulled: { customers: number; deals: number };
  changed: number;
  written: number;
  failed: number;
  requests: number;
  rateLimited: number;
  phaseMs: Partial<Record<'fields' | 'pull' | 'classify' | 'write', number>>;
}

export const pages = (n: number, size: number) => Math.ceil(n / size);

/** Forks a sandbox script (bench/*Sandbox.ts); `ask` sends a command and waits for its answer. */
export function sandboxProcess<C>(script: string) {
  const child = fork(join(ROOT, 'bench', script), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-old-space-size=8192'] });
  const ask = <T>(command: C): Promise<T> =>
    new Promise((resolve, reject) => {
      child.once('message', (m: T & { error?: string }) => (m.error ? reject(new Error(m.error)) : resolve(m)));
      child.send(command as object);
    });
  return { child, ask };
}

/** The sandbox side: answers each command with the handler's value (or the error). */
export function serveCommands<C>(handle: (command: C) => Promise<unknown>): void {
  process.on('message', (command: C) => {
    handle(command).then(
      (value) => process.send?.(value),
      (error: unknown) => process.send?.({ error: error instanceof Error ? error.stack : String(error) }),
    );
  });
}

/** `share` of the ids, chosen by a seeded generator (the same customers every run), with a random() for amounts. */
export function pickShare(ids: string[], share: number, seed: number): { chosen: Set<string>; random: () => number } {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const chosen = new Set<string>();
  const wanted = Math.round(ids.length * share);
  while (chosen.size < wanted) chosen.add(ids[Math.floor(random() * ids.length)]);
  return { chosen, random };
}

export async function syncOnce(env: NodeJS.ProcessEnv): Promise<{ summary: RunSummary; wallSeconds: number; peakRssMb: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'sync', '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const peak = peakRssOf(child);
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`sync exited with ${code}`);
  return { summary: JSON.parse(stdout) as RunSummary, wallSeconds: (performance.now() - started) / 1000, peakRssMb: (await peak) / 1024 };
}
