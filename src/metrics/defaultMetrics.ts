/**
 * prom-client's process and Node.js metrics under the project's prefix, less the three gauges it names
 * `…_total` (active handles, requests, resources): Prometheus keeps that suffix for counters, and
 * `promtool check metrics` rejects the scrape. Their per-type gauges (`…_active_handles{type}` etc.)
 * stay, and sum to the same numbers.
 */
import { collectDefaultMetrics, type Registry } from 'prom-client';

const PREFIX = 'lifecycle_sync_';
const MISNAMED_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  for (const name of MISNAMED_GAUGES) registry.removeSingleMetric(`${PREFIX}${name}`);
}
