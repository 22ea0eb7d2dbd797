/** `lifecycle-sync classify`: classify a transactions CSV offline, without a CRM. */
import { createWriteStream, rmSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import { MODEL_CHOICES } from '../../classifier/types.ts';
import { LifecycleSyncError } from '../../errors.ts';
import { sameFile } from '../../io/sameFile.ts';
import { DEFAULT_COLUMNS } from '../../io/transactionsCsv.ts';
import { isoDay, positiveInteger, positiveNumber, rate } from '../options.ts';
import { printError } from '../output.ts';

interface ClassifyFlags {
  transactions: string;
  asOf?: number;
  timeUnit?: 'day' | 'week';
  model?: (typeof MODEL_CHOICES)[number];
  expectedDays?: number;
  horizonMonths?: number;
  discountRate?: number;
  format: 'json' | 'csv';
  output?: string;
  config?: string;
  strict?: boolean;
  customerColumn: string;
  dateColumn: string;
  amountColumn: string;
}

/** At most this many bad rows are printed one by one; the rest are counted. */
const PRINTED_PROBLEMS = 20;

export function classifyCommand(): Command {
  return new Command('classify')
    .description('classify customers from a transactions CSV (customer_id,date,amount) without a CRM')
    .requiredOption('--transactions <file>', 'CSV of purchases, one row per purchase')
    .option('--as-of <date>', 'score as of this day (YYYY-MM-DD); later rows are ignored (default: the latest purchase date)', isoDay('--as-of'))
    .addOption(new Option('--time-unit <unit>', 'time unit of the model parameters').choices(['day', 'week']))
    .addOption(new Option('--model <name>', 'transaction model, or auto (the best holdout score)').choices([...MODEL_CHOICES]))
    .option('--expected-days <n>', 'window for expected purchases, in days', positiveNumber('--expected-days'))
    .option('--horizon-months <n>', 'CLV horizon in months', positiveInteger('--horizon-months'))
    .option('--discount-rate <r>', 'monthly discount rate for CLV, e.g. 0.01', rate('--discount-rate'))
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json'))
    .option('--output <file>', 'write here instead of standard output')
    .option('--config <file>', 'configuration file (YAML) over config/default.yaml')
    .option('--strict', 'stop at the first bad row instead of skipping it')
    .option('--customer-column <name>', 'name of the customer id column', DEFAULT_COLUMNS.customerId)
    .option('--date-column <name>', 'name of the date column', DEFAULT_COLUMNS.date)
    .option('--amount-column <name>', 'name of the amount column', DEFAULT_COLUMNS.amount)
    .action(async (flags: ClassifyFlags) => {
      // Loaded here, not at the top: `--help` and a bad flag must not pay for the classifier and its I/O.
      const [{ loadConfig }, { writeCsv, writeJson }, { classifyFile }, { progressBar }] = await Promise.all([
        import('../../config/load.ts'),
        import('../../io/resultWriters.ts'),
        import('../../offline.ts'),
        import('../progress.ts'),
      ]);
      if (flags.output !== undefined && sameFile(flags.output, flags.transactions)) {
        throw new LifecycleSyncError('INPUT_INVALID', `--output ${flags.output} is the --transactions file ${flags.transactions}: writing it would overwrite the input`);
      }
      const config = loadConfig({
        file: flags.config,
        env: process.env,
        overrides: {
          classifier: {
            ...(flags.model && { model: flags.model }),
            ...(flags.timeUnit && { timeUnit: flags.timeUnit }),
            ...(flags.expectedDays !== undefined && { expectedDays: flags.expectedDays }),
            ...((flags.horizonMonths !== undefined || flags.discountRate !== undefined) && {
              clv: {
                ...(flags.horizonMonths !== undefined && { horizonMonths: flags.horizonMonths }),
                ...(flags.discountRate !== undefined && { monthlyDiscountRate: flags.discountRate }),
              },
            }),
          },
        },
      });
      let problems = 0;
      const progress = progressBar('reading');
      const { result, input, table } = await classifyFile({
        file: flags.transactions,
        settings: config.classifier,
        asOfDay: flags.asOf ?? null,
        asOfName: '--as-of',
        strict: flags.strict,
        columns: { customerId: flags.customerColumn, date: flags.dateColumn, amount: flags.amountColumn },
        onProblem: (p) => {
          problems++;
          if (problems <= PRINTED_PROBLEMS) printError(`skipped ${p.where}: ${p.reason}\n`);
        },
        onProgress: (done, total) => progress.update(done, total),
        onPhase: () => progress.stop(),
      });
      progress.stop();
      if (problems > PRINTED_PROBLEMS) printError(`... and ${problems - PRINTED_PROBLEMS} more bad rows skipped\n`);
      const out: Writable = flags.output ? createWriteStream(flags.output) : process.stdout;
      const extra = { input };
      try {
        if (flags.format === 'csv') await writeCsv(result, out, { table });
        else await writeJson(result, config.classifier.stages, extra, out, { table });
      } catch (error) {
        // A writer refused a value (resultWriters.ts): leave no half-written file behind.
        if (flags.output) {
          out.destroy();
          rmSync(flags.output, { force: true });
        }
        throw error;
      }
      if (flags.output) {
        out.end();
        await once(out, 'finish');
      }
      const m = result.model;
      printError(
        `classified ${result.summary.customers} customers as of ${result.asOf} with ${m.name}${m.fallbackReason ? ` (fallback: ${m.fallbackReason})` : ''}; ` +
          `${input.validRows} rows used${input.refundRows > 0 ? `, including ${input.refundRows} refunds (negative amounts) netted against their customers' purchases` : ''}, ` +
          `${input.skippedRows} skipped, ${input.ignoredAfterAsOf} after the as-of date` +
          `${flags.output ? `; wrote ${flags.output}` : ''}\n`,
      );
    });
}
