/**
 * Benchmark of the HubSpot sync against the sandbox at Professional limits (190 requests per 10 s,
 * search 5 per second): a first full sync of a large account, then a nightly incremental sync after a
 * share of the customers made a new purchase. Reports requests used against the minimum, the achieved
 * request rate against the limit, 429s, wall time and the sync process's peak RSS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PRIVATE_APP_TOKEN } from '../sandboxes/hubspot/index.ts';
import type { SandboxCommand } from './hubspotSandbox.ts';
import { pages, sandboxProcess, syncOnce, type RunSummary } from './syncBench.ts';

interface SandboxStats {
  requests: number;
  byRoute: Record<string, number>;
  rateLimited: Record<string, number>;
  batchUpdateInputs: number;
}

export interface HubSpotBenchRun {
  label: string;
  summary: RunSummary;
  wallSeconds: number;
  peakRssMb: number;
  requests: number;
  minimum: number;
  overhead: Record<string, number>;
  /** Requests per 10 s while the sync was talking to HubSpot (its fields, pull and write phases). */
  busyRatePer10s: number;
  rateLimited: number;
}

const LIMIT = 190;

export async function benchHubSpot(contacts: number, nightlyShare: number): Promise<HubSpotBenchRun[]> {
  const { child, ask } = sandboxProcess<SandboxCommand>('hubspotSandbox.ts');
  const dir = mkdtempSync(join(tmpdir(), 'lcs-bench-hubspot-'));
  try {
    const started = await ask<{ url: string; contacts: number; deals: number; seedSeconds: number }>({ op: 'start', contacts, tenSecondly: LIMIT, daily: 650_000, searchPerSecond: 5 });
    console.log(`HubSpot sandbox: ${started.contacts.toLocaleString('en-US')} contacts, ${started.deals.toLocaleString('en-US')} deals (seeded in ${started.seedSeconds.toFixed(1)} s)`);
    const configPath = join(dir, 'config.yaml');
    writeFileSync(configPath, `store:\n  path: ${join(dir, 'state.db')}\n`);
    const env = { ...process.env, HUBSPOT_BASE_URL: started.url, HUBSPOT_ACCESS_TOKEN: DEFAULT_PRIVATE_APP_TOKEN, LIFECYCLE_SYNC_CONFIG: configPath, LIFECYCLE_SYNC_DB: join(dir, 'state.db'), LOG_LEVEL: 'warn' };
    const runs: HubSpotBenchRun[] = [];

    const measure = async (label: string, minimumOf: (s: RunSummary, stats: SandboxStats) => number, overheadRoutes: string[]) => {
      await ask({ op: 'reset' });
      const run = await syncOnce(env);
      const p = run.summary.phaseMs;
      // Classifying makes no requests: the rate is over the phases that do.
      const busyMs = (p.fields ?? 0) + (p.pull ?? 0) + (p.write ?? 0);
      const stats = await ask<SandboxStats>({ op: 'stats' });
      const overhead = Object.fromEntries(overheadRoutes.filter((r) => stats.byRoute[r]).map((r) => [r, stats.byRoute[r]]));
      const result: HubSpotBenchRun = {
        label,
        summary: run.summary,
        wallSeconds: run.wallSeconds,
        peakRssMb: run.peakRssMb,
        // Every request the sandbox answered, stats and sampling excluded (they are IPC, not HTTP).
        requests: stats.requests,
        minimum: minimumOf(run.summary, stats),
        overhead,
        busyRatePer10s: busyMs > 0 ? (stats.requests / busyMs) * 10_000 : 0,
        rateLimited: Object.values(stats.rateLimited).reduce((a, b) => a + b, 0),
      };
      runs.push(result);
      console.log(
        `  ${label}: ${run.summary.status}, ${run.summary.mode} pull of ${run.summary.pulled.customers.toLocaleString('en-US')} contacts and ${run.summary.pulled.deals.toLocaleString('en-US')} deals, ` +
          `${run.summary.written.toLocaleString('en-US')} written (${run.summary.failed} failed); requests ${result.requests.toLocaleString('en-US')} vs minimum ${result.minimum.toLocaleString('en-US')} ` +
          `(${(result.requests / result.minimum).toFixed(3)}×; overhead ${JSON.stringify(overhead)}); rate ${result.busyRatePer10s.toFixed(1)}/10 s = ${((100 * result.busyRatePer10s) / LIMIT).toFixed(1)} % of ${LIMIT}; ` +
          `429s ${result.rateLimited}; wall ${result.wallSeconds.toFixed(1)} s (phases ${JSON.stringify(p)} ms); peak RSS ${result.peakRssMb.toFixed(0)} MB`,
      );
    };

    const setupRoutes = ['GET /crm/v3/properties/contacts/groups', 'GET /crm/v3/properties/contacts', 'POST /crm/v3/properties/contacts/groups', 'POST /crm/v3/properties/contacts', 'GET /crm/v3/pipelines/deals'];
    // Full: list pages of 100 contacts and 100 deals, one associations call per 1,000 deals, one write per 100 changes.
    await measure('first full sync', (s) => pages(s.pulled.customers, 100) + pages(s.pulled.deals, 100) + pages(s.pulled.deals, 1000) + pages(s.changed, 100), setupRoutes);
    const change = await ask<{ changedContacts: number }>({ op: 'change', share: nightlyShare, seed: 7 });
    console.log(`  nightly changes: ${change.changedContacts} contacts with a new closed-won deal`);
    // Nightly: search pages of 200 (at least one per object), associations per 1,000 deals, writes per 100 changes.
    await measure(
      `nightly sync (${(nightlyShare * 100).toFixed(0)} % changed)`,
      (s) => Math.max(1, pages(s.pulled.customers, 200)) + Math.max(1, pages(s.pulled.deals, 200)) + pages(s.pulled.deals, 1000) + pages(s.changed, 100),
      setupRoutes,
    );
    return runs;
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
