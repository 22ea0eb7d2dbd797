/**
 * The offline demo: classify the bundled CDNOW sample and print a readable summary, no CRM and no server.
 * (`npm start` runs the full demo: a HubSpot sandbox and the admin page.)
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { parseIsoDate } from '../../io/dates.ts';
import { packageRoot } from '../../paths.ts';
import { print } from '../output.ts';

export function demoDataFile(): string {
  return join(packageRoot(), 'demo', 'cdnow_sample.csv');
}

/** The CDNOW sample ends on 1998-06-30; its demo is scored as of that day. */
export const DEMO_AS_OF = '1998-06-30';

export async function runOfflineDemo(configFile?: string): Promise<void> {
  const [{ loadConfig }, { classifyFile }, { formatSummary }] = await Promise.all([import('../../config/load.ts'), import('../../offline.ts'), import('../summary.ts')]);
  const config = loadConfig({ file: configFile, env: process.env });
  const { result, timing } = await classifyFile({ file: demoDataFile(), settings: config.classifier, asOfDay: parseIsoDate(DEMO_AS_OF) });
  print(`Classified the bundled CDNOW sample (demo/cdnow_sample.csv) in ${Math.round(timing.readMs + timing.classifyMs)} ms.\n\n`);
  print(formatSummary(result, config.classifier) + '\n');
  print('\nNext: `npx lifecycle-sync classify --transactions FILE` for your own data (see README).\n');
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('offline: classify the bundled CDNOW sample and print a summary (no CRM, no server)')
    .option('--config <file>', 'configuration file (YAML) over config/default.yaml')
    .action(async (flags: { config?: string }) => runOfflineDemo(flags.config));
}
