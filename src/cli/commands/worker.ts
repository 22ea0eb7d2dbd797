/**
 * `lifecycle-sync worker [--concurrency N] [--metrics-port PORT]`: takes run jobs from the Postgres queue
 * (src/jobs/worker.ts), on any number of machines; with a metrics port, serves /metrics and /healthz.
 */
import { Command } from 'commander';
import { LifecycleSyncError } from '../../errors.ts';
import type { RunningWorker } from '../../jobs/worker.ts';
import type { Listening } from '../../service/listen.ts';
import { port, positiveInteger } from '../options.ts';

/** How long SIGTERM lets the runs in hand finish before they are interrupted (and continued elsewhere). */
const STOP_GRACE_MS = 25_000;

export function workerCommand(): Command {
  return new Command('worker')
    .description('take sync jobs from the queue in the Postgres database (DATABASE_URL) and run them; start as many as you like, on any machines')
    .option('--config <file>', 'configuration file (YAML)')
    .option('--concurrency <n>', 'runs at once in this process', positiveInteger('--concurrency'), 2)
    .option('--metrics-port <port>', 'serve /metrics and /healthz on this port (METRICS_PORT; 0 picks a free one); none by default', port('--metrics-port'))
    .action(async (flags: { config?: string; concurrency: number; metricsPort?: number }) => {
      const [{ Alerter }, { loadConfig }, { openConfiguredStore }, { startWorker }, { createLogger }, { metricsApp }, { parseWorkerEnv }, { createWorkerMetrics }, { listen }, { storeLocation }] = await Promise.all([
        import('../../alerts/alerter.ts'),
        import('../../config/load.ts'),
        import('../../crm.ts'),
        import('../../jobs/worker.ts'),
        import('../../log.ts'),
        import('../../metrics/endpoint.ts'),
        import('../../metrics/workerEnv.ts'),
        import('../../metrics/workerMetrics.ts'),
        import('../../service/listen.ts'),
        import('../../store/open.ts'),
      ]);
      const config = loadConfig({ file: flags.config, env: process.env });
      const wenv = parseWorkerEnv(process.env);
      const where = storeLocation(config.store, process.env);
      if (where.kind !== 'postgres') {
        throw new LifecycleSyncError('NOT_CONFIGURED', 'the worker takes jobs from Postgres: set DATABASE_URL (with the SQLite file, `lifecycle-sync serve` runs its jobs in its own process)');
      }
      const log = createLogger();
      const store = await openConfiguredStore(config, process.env);
      const metrics = createWorkerMetrics({ store, maxInstallationLabels: config.metrics.maxInstallationLabels, log });
      const metricsPort = flags.metricsPort ?? wenv.METRICS_PORT;
      let stopping = false;
      // Every worker alerts on the runs it ran and looks for silent installations; the store's claim
      // (alerts_sent) makes a no-success alert one per stretch however many workers look.
      const alerter = new Alerter({ config, env: process.env, store, log });
      let worker: RunningWorker;
      try {
        worker = await startWorker({
          url: where.url,
          config,
          env: process.env,
          store,
          log,
          concurrency: flags.concurrency,
          onRunEnded: (run) => {
            alerter.runEnded(run);
            return metrics.recordRun(run);
          },
        });
      } catch (error) {
        await store.close();
        throw error;
      }
      alerter.start();
      metrics.attach(worker);
      let endpoint: Listening | null = null;
      if (metricsPort !== undefined) {
        const host = wenv.HOST ?? config.server.host;
        try {
          endpoint = await listen(metricsPort, host);
        } catch (error) {
          await worker.stop(0);
          await alerter.close(0);
          await store.close();
          // listen() says "port N is in use: set PORT", the server's variable: this is the worker's.
          const inUse = error instanceof Error && /is in use/.test(error.message);
          throw inUse ? new LifecycleSyncError('CONFIG_INVALID', `port ${metricsPort} is in use: set --metrics-port (or METRICS_PORT) to another port`) : error;
        }
        endpoint.handle(metricsApp({ registry: metrics.registry, metricsToken: wenv.METRICS_TOKEN ?? null, stopping: () => stopping, log }));
        log.info('worker metrics listening', { host, port: endpoint.port });
      }
      const running = worker;
      const served = endpoint;
      const stop = (signal: string) => {
        stopping = true;
        log.info('stopping the worker', { signal, runsInHand: running.active() });
        running
          .stop(STOP_GRACE_MS)
          .then(() => served?.close())
          .then(() => alerter.close())
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
