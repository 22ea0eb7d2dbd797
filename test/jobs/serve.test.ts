/**
 * `serve` on Postgres: "Run now" and rollbacks are jobs for the workers (the server runs nothing itself
 * and keeps no schedule: the workers keep every installation's). A queued run is visible before a worker
 * takes it, then as the run it became; a paused installation's run is refused at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../../src/jobs/worker.ts';
import { silentLogger } from '../../src/log.ts';
import { createServiceHarness, type ServiceHarness } from '../server/serviceHarness.ts';

let s: ServiceHarness;
let worker: RunningWorker | null = null;

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 30 }, store: 'postgres' });
}, 60_000);
afterAll(async () => {
  await worker?.stop(5000);
  await s?.close();
});

interface RunView {
  id: string;
  status: string;
  kind: string;
  message: string | null;
}

describe('serve on Postgres', () => {
  it('keeps no schedule of its own and says the workers start scheduled runs', async () => {
    expect(s.service.schedules).toBeNull();
    const status = await s.api('/api/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ schedule: { enabled: true, cron: '0 2 * * *', nextRunAt: null } });
  });

  let queuedId = '';
  it('queues "Run now" for the workers and shows the run as queued until one takes it', async () => {
    const started = await s.api('/api/sync', { method: 'POST', body: { dryRun: true } });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'queued', kind: 'dry_run' });
    queuedId = (started.body as { runId: string }).runId;
    // Nothing runs it here: still queued a moment later, and its record does not exist yet.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await s.h.store.getRun(queuedId)).toBeNull();
    const one = await s.api(`/api/runs/${queuedId}`);
    expect(one.status).toBe(200);
    expect((one.body as { run: RunView }).run).toMatchObject({ id: queuedId, status: 'queued', kind: 'dry_run', message: expect.stringContaining('waiting for a worker') as unknown });
    const list = (await s.api('/api/runs')).body as { runs: RunView[] };
    expect(list.runs[0]).toMatchObject({ id: queuedId, status: 'queued' });
    expect(((await s.api('/api/status')).body as { running: unknown }).running).toEqual({ runId: queuedId, kind: 'dry_run', status: 'queued' });
    // One run per installation on the queue: a second "Run now" is refused while the first waits.
    const second = await s.api('/api/sync', { method: 'POST', body: { dryRun: true } });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ error: { code: 'SYNC_LOCKED', message: expect.stringContaining(queuedId) as unknown } });
  });

  it('a worker runs it under the same run id, and the job is listed as completed', async () => {
    worker = await startWorker({ url: String(s.h.env.DATABASE_URL), config: s.service.context.config, env: s.h.env, store: s.h.store, log: silentLogger(), concurrency: 1 });
    const run = await s.waitForRun(queuedId);
    expect(run).toMatchObject({ status: 'succeeded', kind: 'dry_run' });
    const one = (await s.api(`/api/runs/${queuedId}`)).body as { run: RunView };
    expect(one.run).toMatchObject({ id: queuedId, status: 'succeeded' });
    let jobs: { runId: string; state: string }[] = [];
    for (let i = 0; i < 50; i++) {
      jobs = ((await s.api('/api/jobs')).body as { jobs: { runId: string; state: string }[] }).jobs;
      if (jobs[0]?.state === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(jobs[0]).toMatchObject({ runId: queuedId, state: 'completed' });
  });

  it('refuses to queue a run of a paused installation, and queues again once it is resumed', async () => {
    const { installationId } = await s.service.context.installations.defaultScope();
    expect((await s.api(`/api/installations/${installationId}/pause`, { method: 'POST', body: {} })).status).toBe(200);
    const refused = await s.api(`/api/installations/${installationId}/sync`, { method: 'POST', body: { dryRun: true } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'SYNC_LOCKED', message: expect.stringContaining('is paused') as unknown } });
    expect((await s.api(`/api/installations/${installationId}/resume`, { method: 'POST', body: {} })).status).toBe(200);
    const started = await s.api(`/api/installations/${installationId}/sync`, { method: 'POST', body: { dryRun: true } });
    expect(started.status).toBe(202);
    expect(await s.waitForRun((started.body as { runId: string }).runId)).toMatchObject({ status: 'succeeded' });
  });
});
