/**
 * `serve` on Postgres leaves the schedule to the workers (pg-boss keeps one schedule per installation):
 * it starts no scheduler of its own, which would run the same installation's nightly twice, and says so
 * on the page; "Run now" still works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceHarness, type ServiceHarness } from '../server/serviceHarness.ts';

let s: ServiceHarness;

beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 30 }, store: 'postgres' });
}, 60_000);
afterAll(async () => {
  await s?.close();
});

describe('serve on Postgres', () => {
  it('runs no scheduler of its own and says the workers start scheduled runs', async () => {
    expect(s.service.scheduler).toBeNull();
    const status = await s.api('/api/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ schedule: { enabled: true, cron: '0 2 * * *', nextRunAt: null, note: expect.stringContaining('started by the workers (`lifecycle-sync worker`)') as unknown } });
  });

  it('still runs on demand', async () => {
    const started = await s.api('/api/sync', { method: 'POST', body: { dryRun: true } });
    expect(started.status).toBe(202);
    const run = await s.waitForRun((started.body as { runId: string }).runId);
    expect(run).toMatchObject({ status: 'succeeded', kind: 'dry_run' });
  });
});
