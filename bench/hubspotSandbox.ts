/**
 * The HubSpot sandbox in its own process for the benchmark (so the sync's memory and CPU are measured
 * alone). Driven over the IPC channel: seed, listen, report stats, and make the nightly changes.
 */
import { createHubSpotSandbox, seedSyntheticDataset } from '../sandboxes/hubspot/index.ts';
import { pickShare, serveCommands } from './syncBench.ts';

const DAY_MS = 86_400_000;

export type SandboxCommand =
  | { op: 'start'; contacts: number; tenSecondly: number; daily: number; searchPerSecond: number }
  | { op: 'stats' }
  | { op: 'reset' }
  | { op: 'change'; share: number; seed: number };

// Seeded a day in the past: the records are a day old when the first sync runs, as in a real account.
let offset = -DAY_MS;
let sandbox: ReturnType<typeof createHubSpotSandbox> | null = null;

serveCommands(handle);

async function handle(m: SandboxCommand): Promise<unknown> {
  switch (m.op) {
    case 'start': {
      sandbox = createHubSpotSandbox({ limits: { tenSecondly: m.tenSecondly, daily: m.daily, searchPerSecond: m.searchPerSecond }, clock: () => Date.now() + offset });
      const started = performance.now();
      const seeded = seedSyntheticDataset(sandbox.data, { contacts: m.contacts, seed: 2026, today: new Date(Date.now() - DAY_MS) });
      offset = 0;
      const url = await sandbox.listen();
      return { url, ...seeded, seedSeconds: (performance.now() - started) / 1000 };
    }
    case 'stats': {
      if (!sandbox) throw new Error('not started');
      const s = sandbox.stats;
      return { requests: s.requests, byRoute: { ...s.byRoute }, rateLimited: { ...s.rateLimited }, batchUpdateInputs: s.batchUpdateInputs };
    }
    case 'reset':
      sandbox?.stats.reset();
      return { ok: true };
    case 'change': {
      // A day's activity: a share of the customers make a new purchase (a closed-won deal today).
      if (!sandbox) throw new Error('not started');
      const { chosen, random } = pickShare(sandbox.data.contactIds(), m.share, m.seed);
      const when = new Date().toISOString();
      for (const id of chosen) {
        sandbox.data.createDeal({ dealname: `Nightly order ${id}`, amount: (20 + random() * 200).toFixed(2), pipeline: 'default', dealstage: 'closedwon', closedate: when }, [id]);
      }
      return { changedContacts: chosen.size };
    }
  }
}
