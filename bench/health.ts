/**
 * Does the admin server keep answering while it runs a sync? `serve` in a child process against a
 * HubSpot sandbox (its own process, at a large account's limits, so the run is CPU-heavy: pulling,
 * classifying and diffing tens of thousands of contacts), a run started through the API, and /healthz
 * asked every 10 ms from this process for the whole run: its answer times, median, 99th percentile and
 * worst. Runs happen on their own thread (src/service/runThread.ts), so the server's loop stays free.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PRIVATE_APP_TOKEN } from '../sandboxes/hubspot/index.ts';
import type { SandboxCommand } from './hubspotSandbox.ts';
import { sandboxProcess } from './syncBench.ts';
import { ROOT } from './util.ts';

const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

export interface HealthBench {
  contacts: number;
  runSeconds: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

export async function benchHealth(contacts: number): Promise<HealthBench> {
  const { child: sandbox, ask } = sandboxProcess<SandboxCommand>('hubspotSandbox.ts');
  const dir = mkdtempSync(join(tmpdir(), 'lcs-bench-health-'));
  let serve: ReturnType<typeof spawn> | null = null;
  try {
    const started = await ask<{ url: string }>({ op: 'start', contacts, tenSecondly: 100_000, daily: 100_000_000, searchPerSecond: 1000 });
    writeFileSync(join(dir, 'config.yaml'), `store:\n  path: ${join(dir, 'state.db')}\nhubspot:\n  searchPerSecond: 1000\n`);
    const env = {
      ...process.env,
      HUBSPOT_BASE_URL: started.url,
      HUBSPOT_ACCESS_TOKEN: DEFAULT_PRIVATE_APP_TOKEN,
      LIFECYCLE_SYNC_CONFIG: join(dir, 'config.yaml'),
      ADMIN_TOKEN,
      ENCRYPTION_KEY: 'bench-encryption-key-0123456789abcdef',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    };
    const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    serve = child;
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Lifecycle Sync admin:\s+(\S+)/.exec(out);
        if (m) resolve(m[1].replace('localhost', '127.0.0.1'));
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const api = (path: string, init: RequestInit = {}) => fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' } });
    const t0 = performance.now();
    const { runId } = (await (await api('/api/sync', { method: 'POST', body: '{}' })).json()) as { runId: string };
    const times: number[] = [];
    let running = true;
    const poll = (async () => {
      while (running) {
        const t = performance.now();
        await (await fetch(`${url}/healthz`)).text();
        times.push(performance.now() - t);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    for (;;) {
      const { run } = (await (await api(`/api/runs/${runId}`)).json()) as { run: { status: string } };
      if (run.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    running = false;
    await poll;
    const sorted = [...times].sort((a, b) => a - b);
    const result: HealthBench = { contacts, runSeconds: (performance.now() - t0) / 1000, samples: times.length, p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99), maxMs: sorted[sorted.length - 1] };
    console.log(
      `/healthz during a first full sync of ${contacts.toLocaleString('en-US')} contacts (${result.runSeconds.toFixed(1)} s): ${result.samples} answers, ` +
        `median ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, worst ${result.maxMs.toFixed(1)} ms`,
    );
    return result;
  } finally {
    serve?.kill('SIGTERM');
    sandbox.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
