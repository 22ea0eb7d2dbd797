/**
 * The service under the faults an outside review found: a state database that breaks or is locked under
 * a running server, a run that is stuck, a server killed mid-run. In each the server keeps answering
 * /healthz, every run's end is answered, and the installation is never left refusing runs.
 */
import { openSync, writeSync, closeSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

let s: ServiceHarness | null = null;
afterEach(async () => {
  await s?.close();
  s = null;
});

const started = z.object({ runId: z.string() });
const errorShape = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls /healthz until stopped; the slowest answer tells whether anything held up the server's event loop. */
function watchHealth(url: string): { stop(): Promise<number> } {
  let slowest = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      try {
        await (await fetch(`${url}/healthz`)).text();
      } catch {
        return; // the server was closed (the test ended)
      }
      slowest = Math.max(slowest, performance.now() - t);
      await sleep(25);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return slowest;
    },
  };
}

describe('the service under store faults', () => {
  it('a state file damaged under a running server: a run start is answered with what is wrong, and nothing escapes as an unhandled rejection', async () => {
    s = await createServiceHarness({ dataset: { contacts: 40 } });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // Another program overwrites the file (and its write-ahead log).
      for (const file of [s.h.dbPath, `${s.h.dbPath}-wal`]) {
        const fd = openSync(file, 'r+');
        writeSync(fd, Buffer.alloc(64 * 1024, 'not a database '));
        closeSync(fd);
      }
      const res = await s.api('/api/sync', { method: 'POST', body: {} });
      expect(res.status).toBe(503);
      const body = errorShape.parse(res.body);
      expect(body.error.code).toBe('STORE_FAILED');
      expect(body.error.message).toContain(s.h.dbPath);
      expect(body.error.message).toMatch(/damaged or not a Lifecycle Sync state file/);
      await sleep(300);
      expect((await s.api('/healthz', { token: null })).status).toBe(200);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a state file locked by another process during a run: the server keeps answering, the run fails saying so, and the next run is not refused', { timeout: 90_000 }, async () => {
    s = await createServiceHarness({ dataset: { contacts: 300 }, config: { store: { busyTimeoutMs: 200 }, sync: { lockTtlSeconds: 10 } } });
    const health = watchHealth(s.url);
    // Another process takes the write lock as the run starts, and holds it for 10 seconds.
    const other = new DatabaseSync(s.h.dbPath);
    const first = await s.api('/api/sync', { method: 'POST', body: {} });
    other.exec('BEGIN IMMEDIATE');
    other.exec("INSERT INTO meta (key, value) VALUES ('held-by-another-process', x'00')");
    expect(first.status).toBe(202);
    const { runId } = started.parse(first.body);
    await sleep(10_000);
    other.exec('ROLLBACK');
    other.close();
    const run = await s.waitForRun(runId);
    expect(run.status).toBe('failed');
    expect(run.message).toMatch(/locked by another process/);
    // Not refused for the lease's lifetime, let alone until a restart.
    let next = await s.api('/api/sync', { method: 'POST', body: {} });
    for (let i = 0; i < 40 && next.status === 409; i++) {
      await sleep(250);
      next = await s.api('/api/sync', { method: 'POST', body: {} });
    }
    expect(next.status).toBe(202);
    const second = await s.waitForRun(started.parse(next.body).runId);
    expect(second.status).toBe('succeeded');
    // The run and its waits happened off the server's event loop.
    expect(await health.stop()).toBeLessThan(1000);
  });

  it('a stuck run can be abandoned: marked interrupted, its lease released, and a new run starts at once', async () => {
    s = await createServiceHarness({ dataset: { contacts: 200 }, sandbox: { faults: { latencyMs: 400 } } });
    const first = await s.api('/api/sync', { method: 'POST', body: {} });
    const { runId } = started.parse(first.body);
    await sleep(500);
    expect((await s.api('/api/sync', { method: 'POST', body: {} })).status).toBe(409);
    const abandoned = await s.api(`/api/runs/${runId}/abandon`, { method: 'POST', body: {} });
    expect(abandoned.status, JSON.stringify(abandoned.body)).toBe(200);
    expect(z.object({ run: z.object({ status: z.literal('interrupted'), message: z.string() }) }).parse(abandoned.body).run.message).toMatch(/abandoned by an admin/);
    expect((await s.api(`/api/runs/${runId}/abandon`, { method: 'POST', body: {} })).status).toBe(409);
    s.h.sandbox.setFaults({});
    const next = await s.api('/api/sync', { method: 'POST', body: {} });
    expect(next.status).toBe(202);
    expect((await s.waitForRun(started.parse(next.body).runId)).status).toBe('succeeded');
  });
});
