/**
 * What runs did, counted by the process that ran them (the server for its own runs, each worker for
 * the jobs it took): Prometheus sums them across processes (`sum by (installation)`). The duration
 * histogram has no installation label: ten buckets per installation would be most of the series.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { FinishedRun } from '../service/runner.ts';
import type { InstallationLabels } from './installationLabels.ts';

export interface RunMetrics {
  record(run: FinishedRun): void;
}

export function runMetrics(registry: Registry, labels: InstallationLabels): RunMetrics {
  const registers = [registry];
  const duration = new Histogram({
    name: 'lifecycle_sync_run_duration_seconds',
    help: 'Wall time of runs (sync, dry run, rollback) by outcome.',
    labelNames: ['kind', 'status'],
    buckets: [1, 5, 15, 60, 300, 900, 1800, 3600, 7200],
    registers,
  });
  const runs = new Counter({ name: 'lifecycle_sync_runs_total', help: 'Runs ended, by kind and status.', labelNames: ['installation', 'kind', 'status'], registers });
  const written = new Counter({ name: 'lifecycle_sync_records_written_total', help: 'CRM records written.', labelNames: ['installation'], registers });
  const failed = new Counter({ name: 'lifecycle_sync_records_failed_total', help: 'CRM records whose write failed (retried next run).', labelNames: ['installation'], registers });
  const requests = new Counter({ name: 'lifecycle_sync_api_requests_total', help: 'Requests sent to the CRM API by runs.', labelNames: ['installation', 'crm'], registers });
  const rateLimited = new Counter({ name: 'lifecycle_sync_api_rate_limited_total', help: 'HTTP 429 answers from the CRM API.', labelNames: ['installation', 'crm'], registers });
  return {
    record({ installationId, crm, summary, durationMs }) {
      const installation = labels.label(installationId);
      duration.observe({ kind: summary.kind, status: summary.status }, durationMs / 1000);
      runs.inc({ installation, kind: summary.kind, status: summary.status });
      written.inc({ installation }, summary.written);
      failed.inc({ installation }, summary.failed);
      requests.inc({ installation, crm }, summary.requests);
      rateLimited.inc({ installation, crm }, summary.rateLimited);
    },
  };
}
