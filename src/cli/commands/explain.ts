/** `lifecycle-sync explain <recordId>`: why a customer has the scores it has. */
import { Command } from 'commander';
import type { CrmFlags } from '../context.ts';
import { print, printJson } from '../output.ts';

const show = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : 'n/a');

export function explainCommand(): Command {
  return new Command('explain')
    .description("show a customer's purchases, signals, scores and the history of what was written")
    .argument('<recordId>', 'the CRM record id (HubSpot contact id, Salesforce Contact id)')
    .option('--crm <name>', 'hubspot or salesforce')
    .option('--installation <id>', 'the installation to work on (`lifecycle-sync installations list`); needed when there are several')
    .option('--config <file>', 'configuration file (YAML)')
    .option('--json', 'machine-readable output')
    .action(async (recordId: string, flags: CrmFlags) => {
      const [{ explainCustomer }, { commandContext }] = await Promise.all([import('../../sync/explain.ts'), import('../context.ts')]);
      const ctx = await commandContext(flags);
      try {
        const e = await explainCustomer(ctx.store, ctx.installationId, recordId);
        if (flags.json) return printJson(e);
        const v = e.scores?.values ?? {};
        const f = e.scores?.features ?? {};
        const who = [e.display?.name, e.display?.email, e.display?.company].filter(Boolean).join(', ');
        const out = [
          `${ctx.crm} record ${e.recordId}${who ? ` (${who})` : ''}${e.deleted ? ' (no longer in the CRM)' : ''}: ${v.stage ?? 'not scored yet'}`,
          e.scores ? `  ${show(f.reason ?? v.stageReason)}` : '  (run `lifecycle-sync sync` to score it)',
          `  purchases: ${e.purchases.length === 0 ? 'none' : e.purchases.map((p) => `${p.day} ${p.amount}`).join(', ')}; open deals: ${e.openDeals}`,
          `  signals: ${JSON.stringify(e.signals)}`,
        ];
        if (e.scores) {
          out.push(
            `  as of ${e.scores.asOf}: P(alive) ${show(f.pAlive)}, churn risk ${v.churnRisk ?? 'n/a'} % (${v.churnRiskBand ?? 'n/a'}), ` +
              `expected purchases ${v.expectedPurchases ?? 'n/a'}, CLV ${v.predictedClv ?? 'n/a'}, LTV ${v.ltv ?? 'n/a'}, tier ${v.valueTier ?? 'n/a'}`,
            `  next action: ${v.nextAction ?? ''}`,
          );
        }
        out.push(`  in the CRM: ${JSON.stringify(e.inCrm)}`);
        for (const h of e.history) out.push(`  ${new Date(h.at).toISOString()} ${h.runId} ${h.field}: ${JSON.stringify(h.previous)} → ${JSON.stringify(h.next)} (${h.state})`);
        print(`${out.join('\n')}\n`);
      } finally {
        await ctx.close();
      }
    });
}
