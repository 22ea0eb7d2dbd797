/**
 * `npm run bench`: the benchmarks whose figures go in docs/benchmarks.md.
 * Usage: npm run bench [-- --only startup,classify,hubspot,salesforce,health,installations,watch] [--sizes 10000,100000,1000000] [--runs 3] [--hubspot-contacts 100000] [--salesforce-contacts 100000] [--stores sqlite,postgres] [--database-url postgres://…] [--no-bulk]
 *   [--installations 200] [--installation-contacts 2000] [--large-installation 200000] [--workers 2] [--worker-concurrency 2]
 */
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { benchClassify, benchParetoFit } from './classify.ts';
import { benchHealth } from './health.ts';
import { benchHubSpot } from './hubspot.ts';
import { benchInstallations } from './installations.ts';
import { benchSalesforce, DEFAULT_SERVER } from './salesforce.ts';
import { benchStartup } from './startup.ts';
import { benchWatch } from './watch.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    sizes: { type: 'string', default: '10000,100000,1000000' },
    runs: { type: 'string', default: '3' },
    'hubspot-contacts': { type: 'string', default: '100000' },
    'salesforce-contacts': { type: 'string', default: '100000' },
    'health-contacts': { type: 'string', default: '50000' },
    'watch-contacts': { type: 'string', default: '10000' },
    // The state store of the sync benchmarks; Postgres on the machine's service unless --database-url.
    stores: { type: 'string', default: 'sqlite' },
    'database-url': { type: 'string' },
    'no-bulk': { type: 'boolean', default: false },
    installations: { type: 'string', default: '200' },
    'installation-contacts': { type: 'string', default: '2000' },
    'large-installation': { type: 'string', default: '200000' },
    workers: { type: 'string', default: '2' },
    'worker-concurrency': { type: 'string', default: '2' },
  },
});
const runs = Number(values.runs);
const want = (name: string) => !values.only || values.only.split(',').includes(name);

console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}`);
if (want('startup')) {
  // Start-up figures are a few tenths of a second: more runs than the heavy benchmarks for a steady median.
  await benchStartup(Math.max(runs, 9));
}
if (want('classify')) {
  benchParetoFit(5);
  await benchClassify(values.sizes.split(',').map(Number), runs);
}
if (want('hubspot')) {
  await benchHubSpot(Number(values['hubspot-contacts']), 0.01);
}
if (want('salesforce')) {
  for (const store of values.stores.split(',')) {
    if (store !== 'sqlite' && store !== 'postgres') throw new Error(`--stores: sqlite or postgres, not ${store}`);
    await benchSalesforce(Number(values['salesforce-contacts']), 0.01, { store, serverUrl: values['database-url'] ?? DEFAULT_SERVER }, { bulk: !values['no-bulk'] });
  }
}
if (want('health')) {
  await benchHealth(Number(values['health-contacts']));
}
if (want('watch')) {
  await benchWatch(Number(values['watch-contacts']));
}
if (want('installations')) {
  await benchInstallations({
    serverUrl: values['database-url'] ?? DEFAULT_SERVER,
    installations: Number(values.installations),
    contacts: Number(values['installation-contacts']),
    large: Number(values['large-installation']),
    workers: Number(values.workers),
    concurrency: Number(values['worker-concurrency']),
  });
}
