/**
 * The state of every installation, read from the store when scraped: whichever process ran a run (this
 * server, a worker on another machine, a CLI `sync`), its end is in the store, so these are right however
 * many workers there are, and each is exposed once (by the server). Three queries per scrape, whatever
 * the number of installations. Counts by status and health carry no installation label; the timestamp
 * and quota series do, bounded by InstallationLabels, with the rest folded into "other" at their worst
 * (the oldest last success, the least quota left) so an alert on them still fires.
 */
import { Gauge, type Registry } from 'prom-client';
import { INSTALLATION_HEALTHS, installationHealth } from '../service/installationHealth.ts';
import type { Installation, RunRecord, Store } from '../store/types.ts';
import type { InstallationLabels } from './installationLabels.ts';

interface Snapshot {
  installations: Installation[];
  /** Newest run of any kind, by installation. */
  latest: Map<string, RunRecord>;
  /** Newest successful sync, by installation. */
  lastSuccess: Map<string, RunRecord>;
}

/** One read per scrape: the gauges of one scrape share it. */
const SNAPSHOT_REUSE_MS = 1000;

export function storeGauges(registry: Registry, store: Pick<Store, 'listInstallations' | 'latestRuns'>, labels: InstallationLabels): void {
  let cached: { at: number; snapshot: Promise<Snapshot> } | null = null;
  const snapshot = (): Promise<Snapshot> => {
    const now = Date.now();
    if (cached && now - cached.at < SNAPSHOT_REUSE_MS) return cached.snapshot;
    const read = (async () => {
      const [installations, latest, succeeded] = await Promise.all([store.listInstallations(), store.latestRuns({}), store.latestRuns({ kind: 'sync', status: 'succeeded' })]);
      labels.update(installations);
      const byInstallation = (runs: RunRecord[]) => new Map(runs.map((r) => [r.installationId, r]));
      return { installations, latest: byInstallation(latest), lastSuccess: byInstallation(succeeded) };
    })();
    cached = { at: now, snapshot: read };
    // A failed read is not reused: the next scrape tries again.
    read.catch(() => (cached = null));
    return read;
  };
  const registers = [registry];
  const live = (s: Snapshot) => s.installations.filter((i) => i.status !== 'uninstalled');

  new Gauge({
    name: 'lifecycle_sync_installations',
    help: 'Installations in the store, by status (active, paused, uninstalled).',
    labelNames: ['status'],
    registers,
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const status of ['active', 'paused', 'uninstalled'] as const) this.set({ status }, s.installations.filter((i) => i.status === status).length);
    },
  });
  new Gauge({
    name: 'lifecycle_sync_installations_health',
    help: 'Installations not removed, by health: ok, running, failing (newest run failed or interrupted), paused, never_run.',
    labelNames: ['health'],
    registers,
    async collect() {
      const s = await snapshot();
      this.reset();
      const counts = new Map<string, number>(INSTALLATION_HEALTHS.map((h) => [h, 0]));
      for (const i of live(s)) {
        const health = installationHealth(i, s.latest.get(i.id) ?? null);
        counts.set(health, (counts.get(health) ?? 0) + 1);
      }
      for (const [health, n] of counts) this.set({ health }, n);
    },
  });
  new Gauge({
    name: 'lifecycle_sync_installations_folded',
    help: 'Installations whose series are under installation="other" (more than metrics.maxInstallationLabels).',
    registers,
    async collect() {
      const s = await snapshot();
      this.set(labels.folded(s.installations));
    },
  });
  new Gauge({
    name: 'lifecycle_sync_last_success_timestamp_seconds',
    help: 'When the newest successful sync (not dry run) of the installation ended, wherever it ran; "other": the oldest among the installations folded there. Absent before a first success.',
    labelNames: ['installation'],
    registers,
    async collect() {
      const s = await snapshot();
      this.reset();
      const values = new Map<string, number>();
      for (const i of live(s)) {
        const run = s.lastSuccess.get(i.id);
        if (!run) continue;
        const at = (run.finishedAt ?? run.heartbeatAt) / 1000;
        const label = labels.label(i.id);
        values.set(label, Math.min(values.get(label) ?? Infinity, at));
      }
      for (const [installation, at] of values) this.set({ installation }, at);
    },
  });
  new Gauge({
    name: 'lifecycle_sync_api_quota_remaining',
    help: 'The CRM\u2019s daily API allowance left, as it said in the installation\u2019s newest run (absent when it does not say); "other": the least among the installations folded there.',
    labelNames: ['installation', 'crm'],
    registers,
    async collect() {
      const s = await snapshot();
      this.reset();
      const values = new Map<string, { installation: string; crm: string; remaining: number }>();
      for (const i of live(s)) {
        // A run that has not saved its progress yet does not know the quota: the last successful sync's then.
        const quota = s.latest.get(i.id)?.stats.dailyQuota ?? s.lastSuccess.get(i.id)?.stats.dailyQuota;
        if (!quota) continue;
        const installation = labels.label(i.id);
        const key = `${installation}\u0000${i.crm}`;
        const before = values.get(key);
        if (!before || quota.remaining < before.remaining) values.set(key, { installation, crm: i.crm, remaining: quota.remaining });
      }
      for (const v of values.values()) this.set({ installation: v.installation, crm: v.crm }, v.remaining);
    },
  });
}
