/** `lifecycle-sync jobs`: the run jobs on the Postgres queue (queued, running, retrying, done, failed for good). */
import { Command } from 'commander';
import { LifecycleSyncError } from '../../errors.ts';
import { positiveInteger } from '../options.ts';
import { print, printJson } from '../output.ts';

export function jobsCommand(): Command {
  return new Command('jobs')
    .description('list the run jobs on the queue in Postgres, newest first: queued, running, retrying, done, and failed after their retries')
    .option('--installation <id>', 'only this installation\u2019s jobs')
    .option('--failed', 'only the jobs whose retries are spent (the dead ones)')
    .option('--limit <n>', 'how many jobs', positiveInteger('--limit'), 50)
    .option('--config <file>', 'configuration file (YAML)')
    .option('--json', 'machine-readable output')
    .action(async (flags: { installation?: string; failed?: boolean; limit: number; config?: string; json?: boolean }) => {
      const [{ loadConfig }, { RunQueue }, { createLogger }, { storeLocation }] = await Promise.all([
        import('../../config/load.ts'),
        import('../../jobs/runQueue.ts'),
        import('../../log.ts'),
        import('../../store/open.ts'),
      ]);
      const config = loadConfig({ file: flags.config, env: process.env });
      const where = storeLocation(config.store, process.env);
      if (where.kind !== 'postgres') throw new LifecycleSyncError('NOT_CONFIGURED', 'jobs are on the queue in Postgres: set DATABASE_URL (with the SQLite file, runs are not queued: `lifecycle-sync runs`)');
      const queue = await RunQueue.open({ url: where.url, settings: config.jobs, log: createLogger(), role: 'client' });
      try {
        const jobs = await queue.list({ installationId: flags.installation, failedOnly: flags.failed, limit: flags.limit });
        if (flags.json) return printJson(jobs);
        if (jobs.length === 0) return void print(flags.failed ? 'No failed jobs.\n' : 'No jobs.\n');
        for (const j of jobs) {
          print(
            `${j.createdAt.slice(0, 19)}Z  ${j.state.padEnd(9)} ${(j.installationId ?? '-').padEnd(20)} ${(j.kind ?? '-').padEnd(8)} ${(j.trigger ?? '-').padEnd(9)} ` +
              `attempt ${j.attempts}/${j.retryLimit + 1}  ${j.runId ?? ''}${j.error ? `  — ${j.error}` : ''}\n`,
          );
        }
      } finally {
        await queue.close({ graceful: false });
      }
    });
}
