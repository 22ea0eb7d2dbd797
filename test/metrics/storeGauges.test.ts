/**
 * The server's state gauges read from the store when scraped, whoever ran the runs: installations by
 * status and health, each installation's last successful sync and quota left, and the cap on
 * installation labels (the oldest installations keep theirs, the rest are "other" at their worst).
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { InstallationLabels, OTHER_INSTALLATIONS } from '../../src/metrics/installationLabels.ts';
import { storeGauges } from '../../src/metrics/storeGauges.ts';
import { openStore } from '../../src/store/sqlite.ts';
import { emptyRunStats, type Installation, type NewRun, type RunStats, type Store } from '../../src/store/types.ts';
import { scrape } from '../metricsText.ts';

let now = 1_000_000;
let seq = 0;

async function run(store: Store, installationId: string, o: Partial<NewRun> & { finishedAt?: number; stats?: RunStats } = {}): Promise<void> {
  const id = `run_${++seq}`;
  const { finishedAt, ...rest } = o;
  await store.createRun({ id, installationId, kind: 'sync', mode: 'full', status: 'running', asOf: '2026-01-01', startedAt: now, stats: emptyRunStats(), rollbackOf: null, scoredAt: null, ...rest });
  if (finishedAt !== undefined) await store.updateRun(id, { finishedAt });
}

async function installations(store: Store, n: number): Promise<Installation[]> {
  const added = [];
  for (let i = 0; i < n; i++) {
    now += 1000;
    added.push((await store.addInstallation({ crm: i % 2 === 0 ? 'hubspot' : 'salesforce', name: `Client ${i}`, accountId: null })).installation);
  }
  return added;
}

async function scraped(store: Store, max: number) {
  const registry = new Registry();
  storeGauges(registry, store, new InstallationLabels(max));
  return scrape(await registry.metrics());
}

describe('state gauges from the store', () => {
  it('count installations by status and health, and give each its last successful sync and quota left', async () => {
    const store = openStore(':memory:', { clock: () => now });
    try {
      const [a, b, c, d, e] = await installations(store, 5);
      const quota = (remaining: number) => ({ ...emptyRunStats(), dailyQuota: { limit: 500_000, remaining } });
      await run(store, a.id, { status: 'succeeded', finishedAt: 2_000_000, stats: quota(400_000) });
      await run(store, a.id, { kind: 'dry_run', status: 'succeeded', finishedAt: 2_500_000 }); // not a sync
      await run(store, b.id, { status: 'succeeded', finishedAt: 3_000_000, stats: quota(90_000) });
      await run(store, b.id, { status: 'failed', finishedAt: 3_100_000, stats: quota(80_000) });
      await run(store, c.id, { status: 'running' });
      await store.updateInstallation(d.id, { status: 'paused' });
      await store.removeInstallation(e.id);
      const s = await scraped(store, 100);

      expect(s.value('lifecycle_sync_installations', { status: 'active' })).toBe(3);
      expect(s.value('lifecycle_sync_installations', { status: 'paused' })).toBe(1);
      expect(s.value('lifecycle_sync_installations', { status: 'uninstalled' })).toBe(1);
      const health = Object.fromEntries(s.samples('lifecycle_sync_installations_health').map((m) => [m.labels.health, m.value]));
      expect(health).toEqual({ ok: 1, failing: 1, running: 1, paused: 1, never_run: 0 });
      expect(s.value('lifecycle_sync_last_success_timestamp_seconds', { installation: a.id })).toBe(2000);
      expect(s.value('lifecycle_sync_last_success_timestamp_seconds', { installation: b.id })).toBe(3000);
      expect(s.labelValues('lifecycle_sync_last_success_timestamp_seconds', 'installation')).toEqual([a.id, b.id].sort());
      // The newest run's quota (the failed run of b), with the installation's CRM.
      expect(s.value('lifecycle_sync_api_quota_remaining', { installation: a.id, crm: 'hubspot' })).toBe(400_000);
      expect(s.value('lifecycle_sync_api_quota_remaining', { installation: b.id, crm: 'salesforce' })).toBe(80_000);
      expect(s.value('lifecycle_sync_installations_folded')).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('labels the oldest installations up to the cap; the rest are "other", at their oldest success and least quota', async () => {
    const store = openStore(':memory:', { clock: () => now });
    try {
      const all = await installations(store, 6);
      for (const [i, inst] of all.entries()) {
        await run(store, inst.id, { status: 'succeeded', finishedAt: 10_000_000 + i * 1000, stats: { ...emptyRunStats(), dailyQuota: { limit: 1000, remaining: 900 - i * 100 } } });
      }
      const s = await scraped(store, 2);
      expect(s.labelValues('lifecycle_sync_last_success_timestamp_seconds', 'installation')).toEqual([all[0].id, all[1].id, OTHER_INSTALLATIONS].sort());
      expect(s.value('lifecycle_sync_last_success_timestamp_seconds', { installation: all[1].id })).toBe(10_001);
      // The oldest of the four folded: an alert on "no success for a day" still fires for them.
      expect(s.value('lifecycle_sync_last_success_timestamp_seconds', { installation: OTHER_INSTALLATIONS })).toBe(10_002);
      // "other" per CRM: the least left among the folded ones of that CRM.
      expect(s.value('lifecycle_sync_api_quota_remaining', { installation: OTHER_INSTALLATIONS, crm: 'hubspot' })).toBe(500);
      expect(s.value('lifecycle_sync_api_quota_remaining', { installation: OTHER_INSTALLATIONS, crm: 'salesforce' })).toBe(400);
      expect(s.samples('lifecycle_sync_api_quota_remaining')).toHaveLength(4);
      expect(s.value('lifecycle_sync_installations_folded')).toBe(4);

      // Removing a labelled installation hands its value to the next oldest.
      await store.removeInstallation(all[0].id);
      const after = await scraped(store, 2);
      expect(after.labelValues('lifecycle_sync_last_success_timestamp_seconds', 'installation')).toEqual([all[1].id, all[2].id, OTHER_INSTALLATIONS].sort());
      expect(after.value('lifecycle_sync_installations_folded')).toBe(3);

      // 0: every installation is "other".
      const none = await scraped(store, 0);
      expect(none.labelValues('lifecycle_sync_last_success_timestamp_seconds', 'installation')).toEqual([OTHER_INSTALLATIONS]);
    } finally {
      await store.close();
    }
  });
});

describe('installation labels', () => {
  const inst = (id: string, createdAt: number, status: Installation['status'] = 'active'): Installation => ({ id, crm: 'hubspot', name: id, accountId: null, status, settings: {}, createdAt, updatedAt: createdAt });

  it('keep the oldest by creation (then id), the same whatever order the store lists them in', () => {
    const list = [inst('in_c', 3), inst('in_b', 1), inst('in_a', 1), inst('in_gone', 0, 'uninstalled')];
    for (const order of [list, [...list].reverse()]) {
      const labels = new InstallationLabels(2);
      labels.update(order);
      expect(['in_a', 'in_b', 'in_c', 'in_gone'].map((id) => labels.label(id))).toEqual(['in_a', 'in_b', OTHER_INSTALLATIONS, OTHER_INSTALLATIONS]);
    }
  });

  it('give an installation not listed yet a free value, never more than the cap', () => {
    const labels = new InstallationLabels(2);
    labels.update([inst('in_a', 1)]);
    expect(labels.label('hubspot')).toBe('hubspot');
    expect(labels.label('salesforce')).toBe(OTHER_INSTALLATIONS);
    expect(labels.label('hubspot')).toBe('hubspot');
  });
});
