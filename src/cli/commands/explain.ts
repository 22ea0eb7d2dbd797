/** `lifecycle-sync explain <recordId>`: why a customer has the scores it has, in words (sync/describe.ts, as the admin page says it). */
import { Command } from 'commander';
import type { CrmFlags } from '../context.ts';
import { print, printJson } from '../output.ts';

export function explainCommand(): Command {
  return new Command('explain')
    .description("show a customer's purchases, signals, scores and the history of what was written")
    .argument('<recordId>', 'the CRM record id (HubSpot contact or company id, Salesforce Contact or Account id)')
    .option('--crm <name>', 'hubspot or salesforce')
    .option('--installation <id>', 'the installation to work on (`lifecycle-sync installations list`); needed when there are several')
    .option('--config <file>', 'configuration file (YAML)')
    .option('--json', 'machine-readable output')
    .action(async (recordId: string, flags: CrmFlags) => {
      const [{ commandContext }, { explainCustomer }, { describeCustomer, describeOptions }, { explainText }, { connectorDefinition }] = await Promise.all([
        import('../context.ts'),
        import('../../sync/explain.ts'),
        import('../../sync/describe.ts'),
        import('../explainText.ts'),
        import('../../../connectors/registry.ts'),
      ]);
      const ctx = await commandContext(flags);
      try {
        const e = await explainCustomer(ctx.store, ctx.installationId, recordId);
        const description = describeCustomer(e, describeOptions(ctx.config, connectorDefinition(ctx.crm)?.label ?? ctx.crm));
        if (flags.json) return printJson({ ...e, description });
        print(explainText(e, description, ctx.config.classifier.ltv.currency));
      } finally {
        await ctx.close();
      }
    });
}
