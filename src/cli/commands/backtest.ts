/**
 * `lifecycle-sync backtest`: is the model right for this data? Offline on a transactions file (like
 * `classify`), or on an installation's stored deals (the last --holdout-days days as the holdout).
 */
import { Command, Option } from 'commander';
import type { BacktestResult } from '../../classifier/backtest.ts';
import type { ClassifierSettings } from '../../classifier/settings.ts';
import { LifecycleSyncError } from '../../errors.ts';
import { todayDay } from '../../io/dates.ts';
import { DEFAULT_COLUMNS } from '../../io/transactionsCsv.ts';
import { conversionBacktestText, NO_PROSPECTS_IN_PURCHASES, type ConversionBacktestLine } from '../../service/conversionBacktest.ts';
import { backtestTable } from '../backtestTable.ts';
import { isoDay, positiveInteger } from '../options.ts';
import { print, printError, printJson } from '../output.ts';

interface BacktestFlags {
  transactions?: string;
  calibrationEnd?: number;
  holdoutEnd?: number;
  holdoutDays?: number;
  timeUnit?: 'day' | 'week';
  crm?: string;
  installation?: string;
  config?: string;
  json?: boolean;
  strict?: boolean;
  customerColumn: string;
  dateColumn: string;
  amountColumn: string;
}

const PRINTED_PROBLEMS = 20;

export function backtestCommand(): Command {
  return new Command('backtest')
    .description('fit the models on the history up to a cut-off and score their predictions of the holdout that follows')
    .option('--transactions <file>', 'offline: a CSV of purchases (customer_id,date,amount), as for classify')
    .option('--calibration-end <date>', 'with --transactions: last day the models see (YYYY-MM-DD)', isoDay('--calibration-end'))
    .option('--holdout-end <date>', 'with --transactions: last day of the holdout (YYYY-MM-DD)', isoDay('--holdout-end'))
    .option('--holdout-days <n>', "on an installation: the holdout is this many days to today (default classifier.backtest.holdoutDays)", positiveInteger('--holdout-days'))
    .addOption(new Option('--time-unit <unit>', 'time unit of the model parameters').choices(['day', 'week']))
    .option('--crm <name>', 'hubspot or salesforce')
    .option('--installation <id>', 'the installation to work on (`lifecycle-sync installations list`); needed when there are several')
    .option('--config <file>', 'configuration file (YAML)')
    .option('--json', 'machine-readable output')
    .option('--strict', 'with --transactions: stop at the first bad row instead of skipping it')
    .option('--customer-column <name>', 'name of the customer id column', DEFAULT_COLUMNS.customerId)
    .option('--date-column <name>', 'name of the date column', DEFAULT_COLUMNS.date)
    .option('--amount-column <name>', 'name of the amount column', DEFAULT_COLUMNS.amount)
    .action(async (flags: BacktestFlags) => {
      const overrides = { classifier: { ...(flags.timeUnit && { timeUnit: flags.timeUnit }) } };
      if (flags.transactions !== undefined) return backtestOffline(flags.transactions, flags, overrides);
      if (flags.calibrationEnd !== undefined || flags.holdoutEnd !== undefined) {
        throw new LifecycleSyncError('INPUT_INVALID', '--calibration-end and --holdout-end go with --transactions; on an installation use --holdout-days');
      }
      const [{ commandContext }, { backtestInstallation }] = await Promise.all([import('../context.ts'), import('../../service/backtestInstallation.ts')]);
      const ctx = await commandContext(flags);
      try {
        const classifier: ClassifierSettings = { ...ctx.config.classifier, ...overrides.classifier };
        const holdoutDays = flags.holdoutDays ?? classifier.backtest.holdoutDays;
        const result = await backtestInstallation(ctx.store, ctx.installationId, classifier, { holdoutDays, today: todayDay() });
        if (flags.json) return printJson(result);
        print(`${ctx.crm} installation ${ctx.installationId}${result.skippedDeals > 0 ? ` (${result.skippedDeals} implausible won deals left out)` : ''}\n`);
        print(report(result, classifier));
        print(`\n${conversionBacktestText(result.conversion)}\n`);
      } finally {
        await ctx.close();
      }
    });
}

async function backtestOffline(file: string, flags: BacktestFlags, overrides: { classifier: Record<string, unknown> }): Promise<void> {
  if (flags.calibrationEnd === undefined || flags.holdoutEnd === undefined) {
    throw new LifecycleSyncError('INPUT_INVALID', 'with --transactions, give --calibration-end and --holdout-end (YYYY-MM-DD)');
  }
  if (flags.installation !== undefined || flags.holdoutDays !== undefined) {
    throw new LifecycleSyncError('INPUT_INVALID', '--installation and --holdout-days are for an installation\'s data, not --transactions');
  }
  const [{ loadConfig }, { backtestFile }] = await Promise.all([import('../../config/load.ts'), import('../../offlineBacktest.ts')]);
  const config = loadConfig({ file: flags.config, env: process.env, overrides });
  let problems = 0;
  const { result, input } = await backtestFile({
    file,
    settings: config.classifier,
    calibrationEndDay: flags.calibrationEnd,
    holdoutEndDay: flags.holdoutEnd,
    strict: flags.strict,
    columns: { customerId: flags.customerColumn, date: flags.dateColumn, amount: flags.amountColumn },
    onProblem: (p) => {
      problems++;
      if (problems <= PRINTED_PROBLEMS) printError(`skipped ${p.where}: ${p.reason}\n`);
    },
  });
  if (problems > PRINTED_PROBLEMS) printError(`... and ${problems - PRINTED_PROBLEMS} more bad rows skipped\n`);
  const conversion: ConversionBacktestLine = { available: false, reason: NO_PROSPECTS_IN_PURCHASES };
  if (flags.json) return printJson({ ...result, input, conversion });
  print(report(result, config.classifier));
  print(`\n${conversionBacktestText(conversion)}\n`);
}

function report(result: BacktestResult, settings: ClassifierSettings): string {
  return backtestTable(result, settings.valueTiers.topShare);
}
