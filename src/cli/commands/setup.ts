/** `lifecycle-sync setup`: check the credentials and create (or update) the plugin's CRM fields. */
import { Command } from 'commander';
import { ConnectorError } from '../../../connectors/contract/index.ts';
import type { CrmFlags } from '../context.ts';
import { print, printJson } from '../output.ts';

export function setupCommand(): Command {
  return new Command('setup')
    .description("check the CRM credentials and create the plugin's custom fields")
    .option('--crm <name>', 'hubspot or salesforce')
    .option('--installation <id>', 'the installation to work on (`lifecycle-sync installations list`); needed when there are several')
    .option('--config <file>', 'configuration file (YAML)')
    .option('--dry-run', 'only report what would be created or changed')
    .option('--json', 'print a machine-readable report')
    .action(async (flags: CrmFlags & { dryRun?: boolean }) => {
      const [{ ensureFields }, { fieldSpecs }, { asDealScoring, ensureDealFields }, { commandContext }] = await Promise.all([import('../../sync/fieldPolicy.ts'), import('../../sync/fields.ts'), import('../../sync/dealPhase.ts'), import('../context.ts')]);
      const [{ companionIds, splitCompanionId }, { connect }] = await Promise.all([import('../../customerScopes.ts'), import('../../crm.ts')]);
      const ctx = await commandContext(flags);
      try {
        const { connector } = await ctx.connection();
        const verified = await connector.verify();
        if (!verified.ok) throw new ConnectorError('AUTH_FAILED', `the ${ctx.crm} credentials do not work: ${verified.message}`);
        const { report } = await ensureFields(connector, fieldSpecs(ctx.config.classifier, ctx.config.sync), { dryRun: flags.dryRun ?? false });
        // With deal scoring on (sync.deals.enabled, which gives the connector its deal object), the deal fields too.
        const deals = connector.deals ? (await asDealScoring(ensureDealFields(connector.deals, flags.dryRun ?? false))).report : null;
        // Several kinds of customers (hubspot.customerObject: both): the fields on each companion's object too.
        const companions: { installation: string; object: string; report: typeof report }[] = [];
        for (const id of companionIds(ctx.crm, ctx.config.connectors[ctx.crm], ctx.installationId)) {
          const other = await connect({ config: ctx.config, env: process.env, store: ctx.store, crm: ctx.crm, installationId: id, log: ctx.log });
          companions.push({ installation: id, object: splitCompanionId(id)?.key ?? id, report: (await ensureFields(other.connector, fieldSpecs(ctx.config.classifier, ctx.config.sync), { dryRun: flags.dryRun ?? false })).report });
        }
        if (flags.json) {
          const more = companions.length > 0 ? { companions: companions.map((c) => ({ installation: c.installation, ...c.report })) } : {};
          return printJson({ crm: ctx.crm, account: verified.account, dryRun: flags.dryRun ?? false, ...report, ...(deals ? { deals } : {}), ...more });
        }
        const verb = flags.dryRun ? 'would be' : 'were';
        print(`Connected to ${verified.account}.\n`);
        for (const o of report.other) print(`  ${flags.dryRun ? 'would ' : ''}${o}\n`);
        if (report.created.length > 0) print(`  ${report.created.length} fields ${verb} created: ${report.created.map((f) => f.name).join(', ')}\n`);
        for (const u of report.updated) print(`  ${u.name} ${verb} updated: ${u.change}\n`);
        if (report.ok.length > 0) print(`  ${report.ok.length} fields already in place\n`);
        for (const c of companions) {
          for (const o of c.report.other) print(`  ${c.object}: ${flags.dryRun ? 'would ' : ''}${o}\n`);
          if (c.report.created.length > 0) print(`  ${c.object}: ${c.report.created.length} fields ${verb} created (installation ${c.installation}): ${c.report.created.map((f) => f.name).join(', ')}\n`);
          for (const u of c.report.updated) print(`  ${c.object}: ${u.name} ${verb} updated: ${u.change}\n`);
          if (c.report.ok.length > 0) print(`  ${c.object}: ${c.report.ok.length} fields already in place\n`);
        }
        if (deals) {
          for (const o of deals.other) print(`  ${flags.dryRun ? 'would ' : ''}${o}\n`);
          if (deals.created.length > 0) print(`  ${deals.created.length} deal fields ${verb} created: ${deals.created.map((f) => f.name).join(', ')}\n`);
          for (const u of deals.updated) print(`  ${u.name} ${verb} updated: ${u.change}\n`);
          if (deals.ok.length > 0) print(`  ${deals.ok.length} deal fields already in place\n`);
        }
        print(flags.dryRun ? 'Nothing was changed (dry run).\n' : 'Setup complete. Next: `lifecycle-sync sync --dry-run` to preview, then `lifecycle-sync sync`.\n');
      } finally {
        await ctx.close();
      }
    });
}
