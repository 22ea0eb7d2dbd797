/** `lifecycle-sync worker [--concurrency N]`: takes run jobs from the Postgres queue (src/jobs/worker.ts), on any number of machines. */
import { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { openConfiguredStore } from '../../crm.ts';
import { LifecycleSyncError } from '../../errors.ts';
import { startWorker } from '../../jobs/worker.ts';
import { createLogger } from '../../log.ts';
import { storeLocation } from '../../store/open.ts';
import { positiveInteger } from '../options.ts';

/** How long SIGTERM lets the runs in hand finish before they are interrupted (and continued elsewhere). */
const STOP_GRACE_MS = 25_000;

export function workerCommand(): Command {
  return new Command('worker')
    .description('take sync jobs from the queue in the Postgres database (DATABASE_URL) and run them; start as many as you like, on any machines')
    .option('--config <file>', 'configuration file (YAML)')
    .option('--concurrency <n>', 'runs at once in this process', positiveInteger('--concurrency'), 2)
    .action(async (flags: { config?: string; concurrency: number }) => {
      const config = loadConfig({ file: flags.config, env: process.env });
      const where = storeLocation(config.store, process.env);
      if (where.kind !== 'postgres') {
        throw new LifecycleSyncError('NOT_CONFIGURED', 'the worker takes jobs from Postgres: set DATABASE_URL (with the SQLite file, `lifecycle-sync serve` runs its jobs in its own process)');
      }
      const log = createLogger();
      const store = await openConfiguredStore(config, process.env);
      let worker;
      try {
        worker = await startWorker({ url: where.url, config, env: process.env, store, log, concurrency: flags.concurrency });
      } catch (error) {
        await store.close();
        throw error;
      }
      const running = worker;
      const stop = (signal: string) => {
        log.info('stopping the worker', { signal, runsInHand: running.active() });
        running
          .stop(STOP_GRACE_MS)
          .then(() => store.close())
          .then(
            () => process.exit(0),
            () => process.exit(1),
          );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}
