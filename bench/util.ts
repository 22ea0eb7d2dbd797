import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';

export const ROOT = join(import.meta.dirname, '..');
export const OUT = join(ROOT, 'bench', 'out');

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Peak resident set size of a child process in kB, from Linux's VmHWM ("high water mark"), polled until
 * the process exits (the kernel keeps the maximum, so a poll only has to land before the exit).
 */
export async function peakRssOf(child: ChildProcess): Promise<number> {
  let peak = 0;
  let running = true;
  child.on('exit', () => (running = false));
  while (running) {
    try {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const match = /VmHWM:\s+(\d+) kB/.exec(status);
      if (match) peak = Math.max(peak, Number(match[1]));
    } catch {
      // The process is gone between the check and the read.
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return peak;
}

/** A database of its own on the Postgres server at `serverUrl` (whose user may create databases). */
export async function freshDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `lcs_bench_${process.pid}_${Date.now()}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
