/** `lifecycle-sync rollback <runId>`: restore the values a run replaced, where the CRM still holds ours. */
import { Command } from 'commander';
import type { CrmFlags } from '../context.ts';
import { print, printJson } from '../output.ts';

export function rollbackCommand(): Command {
  return new Command('rollback')
    .description('restore the values a run replaced (only where the CRM still holds the value the run wrote)')
    .argument('<runId>', 'the run to roll back (see `lifecycle-sync runs`)')
    .option('--crm <name>', 'hubspot or salesforce')
    .option('--installation <id>', 'the installation to work on (`lifecycle-sync installations list`); needed when there are several')
    .option('--config <file>', 'configuration file (YAML)')
    .option('--json', 'print a machine-readable summary')
    .action(async (runId: string, flags: CrmFlags) => {
      const [{ runRollback }, { commandContext }, { formatRunSummary }] = await Promise.all([import('../../sync/rollback.ts'), import('../context.ts'), import('./sync.ts')]);
      const ctx = await commandContext(flags);
      try {
        const { installationId, connector } = await ctx.connection();
        const summary = await runRollback({ store: ctx.store, connector, installationId, runId, sync: ctx.config.sync, log: ctx.log });
        if (flags.json) printJson(summary);
        else print(`${formatRunSummary(summary)}\n`);
        if (summary.status === 'failed') process.exitCode = 1;
      } finally {
        await ctx.close();
      }
    });
}
