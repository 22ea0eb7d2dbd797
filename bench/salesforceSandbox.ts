/**
 * The Salesforce sandbox in its own process for the benchmark (so the sync's memory and CPU are
 * measured alone). Driven over the IPC channel: seed, listen, report stats, make the nightly changes.
 */
import { createSalesforceSandbox, seedSyntheticDataset } from '../sandboxes/salesforce/index.ts';
import { pickShare, serveCommands } from './syncBench.ts';

const DAY_MS = 86_400_000;

export type SalesforceSandboxCommand = { op: 'start'; contacts: number; dailyApiRequests: number } | { op: 'stats' } | { op: 'reset' } | { op: 'change'; share: number; seed: number };

// Seeded a day in the past: the records are a day old when the first sync runs, as in a real org.
let offset = -DAY_MS;
let sandbox: ReturnType<typeof createSalesforceSandbox> | null = null;

serveCommands(handle);

async function handle(m: SalesforceSandboxCommand): Promise<unknown> {
  switch (m.op) {
    case 'start': {
      sandbox = createSalesforceSandbox({ limits: { dailyApiRequests: m.dailyApiRequests }, clock: () => Date.now() + offset, bulk: { processingDelayMs: 500 } });
      const started = performance.now();
      const seeded = seedSyntheticDataset(sandbox.data, { contacts: m.contacts, seed: 2026, today: new Date(Date.now() - DAY_MS) });
      offset = 0;
      const url = await sandbox.listen();
      return { url, ...seeded, seedSeconds: (performance.now() - started) / 1000 };
    }
    case 'stats': {
      if (!sandbox) throw new Error('not started');
      const s = sandbox.stats;
      return { requests: s.requests, byKind: { ...s.byKind }, apiRequests: s.apiRequests, recordsWritten: s.recordsWritten };
    }
    case 'reset':
      sandbox?.stats.reset();
      return { ok: true };
    case 'change': {
      // A day's activity: a share of the customers make a new purchase (a won opportunity today).
      if (!sandbox) throw new Error('not started');
      const { chosen, random } = pickShare(sandbox.data.ids('Contact'), m.share, m.seed);
      const today = new Date().toISOString().slice(0, 10);
      for (const id of chosen) {
        sandbox.data.createOpportunity({ Name: `Nightly order ${id}`, Amount: Math.round((20 + random() * 200) * 100) / 100, StageName: 'Closed Won', CloseDate: today }, [id]);
      }
      return { changedContacts: chosen.size };
    }
  }
}
