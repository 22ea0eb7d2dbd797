/**
 * Many HubSpot portals (one sandbox each, with its own private-app token and port) in one process of
 * their own, for the many-installations benchmark: the workers' memory and CPU are measured apart from
 * the CRMs'. Driven over IPC like the other sandboxes.
 */
import { createHubSpotSandbox, seedSyntheticDataset } from '../sandboxes/hubspot/index.ts';
import { serveCommands } from './syncBench.ts';

const DAY_MS = 86_400_000;

export type PortalsCommand = { op: 'start'; sizes: number[] } | { op: 'stats' };

export interface Portal {
  url: string;
  token: string;
  contacts: number;
}

const sandboxes: ReturnType<typeof createHubSpotSandbox>[] = [];

serveCommands(handle);

async function handle(m: PortalsCommand): Promise<unknown> {
  switch (m.op) {
    case 'start': {
      const started = performance.now();
      const portals: Portal[] = [];
      for (const [i, contacts] of m.sizes.entries()) {
        const token = `pat-na1-bench-${String(i).padStart(4, '0')}-0000000000000000`;
        // Seeded a day in the past, as in the other benchmarks: the records are a day old at the first sync.
        let offset = -DAY_MS;
        const sandbox = createHubSpotSandbox({ limits: { tenSecondly: 1_000_000, daily: 100_000_000, searchPerSecond: 10_000 }, clock: () => Date.now() + offset, privateAppTokens: [{ token }] });
        seedSyntheticDataset(sandbox.data, { contacts, seed: 2026 + i, today: new Date(Date.now() - DAY_MS) });
        offset = 0;
        sandboxes.push(sandbox);
        portals.push({ url: await sandbox.listen(), token, contacts });
      }
      return { portals, seedSeconds: (performance.now() - started) / 1000 };
    }
    case 'stats':
      return { requests: sandboxes.reduce((sum, s) => sum + s.stats.requests, 0) };
  }
}
