/** The worker's /metrics registry passes `promtool check metrics` (the server's is checked in test/server/exposure.test.ts). */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { createWorkerMetrics } from '../../src/metrics/workerMetrics.ts';
import { promtoolCheck, promtoolMissing } from '../promtool.ts';

describe("a worker's metrics under promtool", () => {
  if (promtoolMissing) console.warn(`skipped: ${promtoolMissing}`);
  it.skipIf(promtoolMissing !== null)('promtool check metrics finds nothing to complain about', async () => {
    const metrics = createWorkerMetrics({ store: { listInstallations: () => Promise.resolve([]) }, maxInstallationLabels: 5, log: silentLogger() });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^lifecycle_sync_nodejs_active_handles\{/m);
    expect(promtoolCheck(text)).toEqual({ code: 0, problems: '' });
  });
});
