/**
 * `lifecycle-sync watch`: light incremental cycles (changed deals and contacts since the last cycle) that
 * rescore only the customers they touch, until SIGINT or SIGTERM; a line per cycle that did something.
 * For CRMs that cannot call in: a self-hosted install without a public URL, or Salesforce.
 */
import { Command } from 'commander';
import { LifecycleSyncError } from '../../errors.ts';
import type { WatchCycle } from '../../sync/watch.ts';
import type { CrmFlags } from '../context.ts';
import { positiveInteger } from '../options.ts';
import { print, printJson } from '../output.ts';

interface WatchFlags extends CrmFlags {
  interval?: number;
}

/** Default seconds between cycles when neither --interval nor sync.watchIntervalSeconds says. */
const DEFAULT_INTERVAL_SECONDS = 60;

/** A cycle in one line, or null when it did nothing worth a line (idle; locked or waiting said once). */
export function cycleLine(c: WatchCycle, at: Date): string | null {
  const when = at.toISOString().slice(11, 19);
  if (c.status === 'rescored' && c.rescore?.status === 'done') {
    const s = c.rescore.summary;
    return `${when} ${c.pulled.customers} contacts and ${c.pulled.deals} deals changed; rescored ${s.classified}, wrote ${s.written}${s.failed ? `, failed ${s.failed}` : ''} (run ${s.runId}, ${c.pullRequests + s.requests} requests)${s.status === 'succeeded' ? '' : `: ${s.status}, ${s.message ?? ''}`}`;
  }
  if (c.rescore?.status === 'scored') return `${when} ${c.pulled.customers} contacts and ${c.pulled.deals} deals changed; rescored ${c.rescore.customers}, nothing to write (${c.pullRequests} requests)`;
  if (c.rescore?.status === 'deferred') return `${when} ${c.touched} customers wait: ${c.message ?? ''}`;
  if (c.status === 'locked' || c.status === 'waiting') return `${when} ${c.status}: ${c.message ?? ''}`;
  return null;
}

export function watchCommand(): Command {
  return new Command('watch')
    .description('rescore customers as their deals and contacts change: light incremental cycles until stopped (Ctrl-C)')
    .option('--crm <name>', 'hubspot or salesforce')
    .option('--installation <id>', 'the installation to work on (`lifecycle-sync installations list`); needed when there are several')
    .option('--config <file>', 'configuration file (YAML)')
    .option('--interval <seconds>', `seconds between cycles (default: sync.watchIntervalSeconds, else ${DEFAULT_INTERVAL_SECONDS})`, positiveInteger('--interval'))
    .option('--json', 'a JSON line per cycle (every cycle)')
    .action(async (flags: WatchFlags & { json?: boolean }) => {
      // Loaded here, not at the top: `--help` must not load the store or a CRM SDK.
      const [{ commandContext }, { watchLoop }] = await Promise.all([import('../context.ts'), import('../../sync/watch.ts')]);
      const ctx = await commandContext(flags);
      if (ctx.installation?.status === 'paused') {
        await ctx.close();
        throw new LifecycleSyncError('SYNC_LOCKED', `installation ${ctx.installationId} is paused: \`lifecycle-sync installations resume ${ctx.installationId}\` first`);
      }
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const { installationId, connector } = await ctx.connection();
        const intervalSeconds = flags.interval ?? ctx.config.sync.watchIntervalSeconds ?? DEFAULT_INTERVAL_SECONDS;
        print(`Watching ${installationId} every ${intervalSeconds} s (Ctrl-C stops)\n`);
        let last: string | null = null;
        await watchLoop({
          store: ctx.store,
          connector,
          installationId,
          classifier: ctx.config.classifier,
          sync: ctx.config.sync,
          log: ctx.log,
          intervalSeconds,
          signal: stop.signal,
          onCycle: (cycle) => {
            if (flags.json) return printJson({ at: new Date().toISOString(), ...cycle });
            const line = cycleLine(cycle, new Date());
            // A lock or a wait is said when it starts, not every cycle.
            const key = cycle.status === 'locked' || cycle.status === 'waiting' ? `${cycle.status}` : null;
            if (line && (key === null || key !== last)) print(`${line}\n`);
            last = key;
          },
        });
        print('Stopped.\n');
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await ctx.close();
      }
    });
}
