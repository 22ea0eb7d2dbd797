/**
 * Prometheus metrics (prom-client), on a registry of this server's own (no global state between
 * instances). Counters and the run-duration histogram count the runs this process ran; the gauges read
 * the current state (customers per stage from the latest classification, the CRM's quota left) when
 * scraped.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { STAGES_IN_LIFECYCLE_ORDER } from '../classifier/types.ts';
import type { Insights } from '../service/insights.ts';
import type { Installations } from '../service/installation.ts';
import type { FinishedRun } from '../service/runner.ts';

export interface Metrics {
  registry: Registry;
  recordRun(run: FinishedRun): void;
}

export function createMetrics(o: { installations: Installations; insights: Insights; defaultMetrics?: boolean }): Metrics {
  const registry = new Registry();
  if (o.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'lifecycle_sync_' });
  const labels = ['installation', 'kind', 'status'] as const;
  const duration = new Histogram({
    name: 'lifecycle_sync_run_duration_seconds',
    help: 'Wall time of runs (sync, dry run, rollback) by outcome.',
    labelNames: labels,
    buckets: [1, 5, 15, 60, 300, 900, 1800, 3600, 7200],
    registers: [registry],
  });
  const runs = new Counter({ name: 'lifecycle_sync_runs_total', help: 'Runs ended, by kind and status.', labelNames: labels, registers: [registry] });
  const written = new Counter({ name: 'lifecycle_sync_records_written_total', help: 'CRM records written.', labelNames: ['installation'], registers: [registry] });
  const failed = new Counter({ name: 'lifecycle_sync_records_failed_total', help: 'CRM records whose write failed (retried next run).', labelNames: ['installation'], registers: [registry] });
  const requests = new Counter({ name: 'lifecycle_sync_api_requests_total', help: 'Requests sent to the CRM API by runs.', labelNames: ['installation', 'crm'], registers: [registry] });
  const rateLimited = new Counter({ name: 'lifecycle_sync_api_rate_limited_total', help: 'HTTP 429 answers from the CRM API.', labelNames: ['installation', 'crm'], registers: [registry] });
  const lastSuccess = new Gauge({ name: 'lifecycle_sync_last_success_timestamp_seconds', help: 'When the last successful sync (not dry run) ended.', labelNames: ['installation'], registers: [registry] });

  new Gauge({
    name: 'lifecycle_sync_api_quota_remaining',
    help: "The CRM's daily API allowance left, as it last said (absent when it does not say).",
    labelNames: ['installation', 'crm'],
    registers: [registry],
    collect() {
      this.reset();
      const connection = o.installations.connectionIfReady();
      const daily = connection?.connector.quota().daily;
      if (connection && daily) this.set({ installation: connection.installationId, crm: connection.connector.crm }, daily.remaining);
    },
  });
  new Gauge({
    name: 'lifecycle_sync_customers',
    help: 'People per lifecycle stage in the latest classification.',
    labelNames: ['installation', 'stage'],
    registers: [registry],
    async collect() {
      this.reset();
      const installation = o.installations.installationId();
      const fit = installation ? await o.insights.latestFit(installation) : null;
      if (!installation || !fit) return;
      for (const stage of STAGES_IN_LIFECYCLE_ORDER) this.set({ installation, stage }, fit.summary.stages[stage]);
    },
  });

  return {
    registry,
    recordRun({ installationId: installation, crm, summary, durationMs }) {
      const l = { installation, kind: summary.kind, status: summary.status };
      duration.observe(l, durationMs / 1000);
      runs.inc(l);
      written.inc({ installation }, summary.written);
      failed.inc({ installation }, summary.failed);
      requests.inc({ installation, crm }, summary.requests);
      rateLimited.inc({ installation, crm }, summary.rateLimited);
      if (summary.kind === 'sync' && summary.status === 'succeeded') lastSuccess.set({ installation }, Date.now() / 1000);
    },
  };
}
