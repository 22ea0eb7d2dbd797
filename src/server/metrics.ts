/**
 * The server's Prometheus metrics (prom-client), on a registry of its own (no global state between
 * instances): what the runs this process ran did (src/metrics/runMetrics.ts; workers count theirs on
 * their own /metrics), every installation's state read from the store when scraped
 * (src/metrics/storeGauges.ts), and customers per stage of the connected installation's latest
 * classification. Installation labels are bounded by metrics.maxInstallationLabels.
 */
import { Gauge, Registry } from 'prom-client';
import { STAGES_IN_LIFECYCLE_ORDER } from '../classifier/types.ts';
import { collectProcessMetrics } from '../metrics/defaultMetrics.ts';
import { InstallationLabels } from '../metrics/installationLabels.ts';
import { runMetrics } from '../metrics/runMetrics.ts';
import { storeGauges } from '../metrics/storeGauges.ts';
import type { Insights } from '../service/insights.ts';
import type { Installations } from '../service/installation.ts';
import type { FinishedRun } from '../service/runner.ts';
import type { Store } from '../store/types.ts';

export interface Metrics {
  registry: Registry;
  recordRun(run: FinishedRun): void;
}

export function createMetrics(o: {
  installations: Installations;
  insights: Insights;
  store: Pick<Store, 'listInstallations' | 'latestRuns'>;
  maxInstallationLabels: number;
  defaultMetrics?: boolean;
}): Metrics {
  const registry = new Registry();
  if (o.defaultMetrics ?? true) collectProcessMetrics(registry);
  const labels = new InstallationLabels(o.maxInstallationLabels);
  const runs = runMetrics(registry, labels);
  storeGauges(registry, o.store, labels);
  new Gauge({
    name: 'lifecycle_sync_customers',
    help: 'People per lifecycle stage in the latest classification of the connected installation.',
    labelNames: ['installation', 'stage'],
    registers: [registry],
    async collect() {
      this.reset();
      const installation = o.installations.installationId();
      const fit = installation ? await o.insights.latestFit(installation) : null;
      if (!installation || !fit) return;
      for (const stage of STAGES_IN_LIFECYCLE_ORDER) this.set({ installation: labels.label(installation), stage }, fit.summary.stages[stage]);
    },
  });
  return { registry, recordRun: (run) => runs.record(run) };
}
