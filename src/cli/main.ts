#!/usr/bin/env node
/** The `lifecycle-sync` command line. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { ConnectorError, excerpt } from '../../connectors/contract/index.ts';
import { LifecycleSyncError } from '../errors.ts';
import { backtestCommand } from './commands/backtest.ts';
import { classifyCommand } from './commands/classify.ts';
import { demoCommand } from './commands/demo.ts';
import { explainCommand } from './commands/explain.ts';
import { installationsCommand } from './commands/installations.ts';
import { jobsCommand } from './commands/jobs.ts';
import { migrateCommand } from './commands/migrate.ts';
import { rollbackCommand } from './commands/rollback.ts';
import { runsCommand } from './commands/runs.ts';
import { serveCommand, startCommand } from './commands/serve.ts';
import { setupCommand } from './commands/setup.ts';
import { storeCommand } from './commands/store.ts';
import { syncCommand } from './commands/sync.ts';
import { watchCommand } from './commands/watch.ts';
import { workerCommand } from './commands/worker.ts';
import { tuneHeapForStreaming } from '../heap.ts';
import { packageRoot } from '../paths.ts';
import { environmentSecrets, rememberSecrets } from '../secrets.ts';
import { printError } from './output.ts';

tuneHeapForStreaming();

// The environment's secrets are masked in everything this process prints or stores (src/secrets.ts).
rememberSecrets(...environmentSecrets(process.env));

const { version } = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };

const program = new Command('lifecycle-sync')
  .description('Lifecycle stages, lifetime value and churn risk for CRM customers')
  .version(version)
  .showHelpAfterError('(add --help for usage)')
  .addCommand(setupCommand())
  .addCommand(syncCommand())
  .addCommand(watchCommand())
  .addCommand(runsCommand())
  .addCommand(migrateCommand())
  .addCommand(rollbackCommand())
  .addCommand(explainCommand())
  .addCommand(classifyCommand())
  .addCommand(backtestCommand())
  .addCommand(demoCommand())
  .addCommand(serveCommand())
  .addCommand(startCommand())
  .addCommand(storeCommand())
  .addCommand(installationsCommand())
  .addCommand(workerCommand())
  .addCommand(jobsCommand());

// Commander's own errors quote the offending argument whole (a pasted file as a flag value): cut each line.
const outputError = (text: string, write: (s: string) => void) => write(text.split('\n').map((line) => excerpt(line, 300)).join('\n'));
for (const command of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) command.configureOutput({ outputError });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // One line, never a stack trace, unless asked for (LIFECYCLE_SYNC_DEBUG=1).
  const message = error instanceof LifecycleSyncError || error instanceof ConnectorError ? error.message : error instanceof Error ? `unexpected error: ${error.message}` : String(error);
  printError(`lifecycle-sync: ${message}\n`);
  if (process.env.LIFECYCLE_SYNC_DEBUG && error instanceof Error) printError(`${error.stack}\n`);
  process.exitCode = 1;
}
