/**
 * The service (admin server, run manager, metrics) in-process against a HubSpot sandbox over real HTTP,
 * with a cron that never fires on its own (scheduler tests drive time themselves).
 */
import { PassThrough } from 'node:stream';
import type { Env } from '../../src/crm.ts';
import { createLogger, silentLogger, type Logger } from '../../src/log.ts';
import { nextTick, type CronEngine } from '../../src/scheduler/cron.ts';
import { startService, type Service } from '../../src/service/start.ts';
import { createHarness, TEST_ENCRYPTION_KEY, type Harness, type HarnessOptions } from '../hubspot/harness.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** Never fires, but knows its next tick as node-cron does (the page and the API show it). */
export const idleCron: CronEngine = { schedule: (expression, timezone) => ({ stop() {}, nextRun: () => nextTick(expression, timezone) }) };

export interface ApiInit {
  method?: string;
  /** Sent as JSON (content type application/json unless `contentType` says otherwise). */
  body?: unknown;
  token?: string | null;
  /** Sent as it is: a string, or bytes (bytes with no content type unless `contentType` gives one). */
  rawBody?: string | Uint8Array;
  /** The Content-Type header; null sends none. Default: application/json when there is a body. */
  contentType?: string | null;
  headers?: Record<string, string>;
}

export interface ServiceHarness {
  h: Harness;
  service: Service;
  url: string;
  /** Everything the service logged (JSON lines), when captured. */
  logs(): string;
  api(path: string, init?: ApiInit): Promise<{ status: number; body: unknown; headers: Headers }>;
  /** Waits until the run is no longer running and returns it. */
  waitForRun(runId: string): Promise<{ status: string; kind: string; stats: Record<string, unknown>; message: string | null }>;
  close(): Promise<void>;
}

export async function createServiceHarness(o: HarnessOptions & { serviceEnv?: Env | ((h: Harness) => Env); captureLogs?: boolean; logLevel?: string }): Promise<ServiceHarness> {
  const h = await createHarness(o);
  let captured = '';
  let log: Logger | undefined;
  const env: Env = {
    ...h.env,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    ADMIN_TOKEN,
    PORT: '0',
    HOST: '127.0.0.1',
    LIFECYCLE_SYNC_CONFIG: h.configPath,
    ...(typeof o.serviceEnv === 'function' ? o.serviceEnv(h) : o.serviceEnv),
  };
  if (o.captureLogs) {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => (captured += chunk.toString()));
    log = createLogger({ level: o.logLevel ?? 'debug', pretty: false, stream, secrets: [] });
  }
  const service = await startService({ env, log: log ?? silentLogger(), cron: idleCron });
  const sh: ServiceHarness = {
    h,
    service,
    url: `http://127.0.0.1:${service.port}`,
    logs: () => captured,
    async api(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      const token = init.token === undefined ? ADMIN_TOKEN : init.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      const contentType = init.contentType === undefined && (init.body !== undefined || init.rawBody !== undefined) ? 'application/json' : init.contentType;
      if (typeof contentType === 'string') headers['content-type'] = contentType;
      const response = await fetch(`${sh.url}${path}`, {
        method: init.method ?? 'GET',
        headers,
        body: init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
        redirect: 'manual',
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        // not JSON (metrics, pages)
      }
      return { status: response.status, body, headers: response.headers };
    },
    async waitForRun(runId) {
      for (let i = 0; i < 600; i++) {
        const run = await h.store.getRun(runId);
        if (run && run.status !== 'running') return { status: run.status, kind: run.kind, stats: { ...run.stats }, message: run.message };
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`run ${runId} did not finish`);
    },
    async close() {
      await service.close();
      await h.close();
    },
  };
  return sh;
}
