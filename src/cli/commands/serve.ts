/**
 * `lifecycle-sync serve`: the admin server and the schedule for the configured CRM.
 * `lifecycle-sync start` (npm start): the same when a CRM is configured, else the demo where there is one
 * (the sources of a clone), else an error saying how to configure a CRM.
 */
import { Command, Option } from 'commander';
import type { CrmName } from '../../../connectors/contract/index.ts';
import { LifecycleSyncError } from '../../errors.ts';
import type { StartDemoSandbox } from '../../service/demo.ts';
import type { Service } from '../../service/start.ts';
import { print, printSecretOnce } from '../output.ts';

const say = (line: string) => print(`${line}\n`);

/** Stops cleanly on Ctrl-C or `docker stop` (SIGTERM): the server closes, a run in progress ends first. */
function stopOnSignals(service: Pick<Service, 'close'>): void {
  const stop = (signal: string) => {
    say(`\n${signal}: stopping...`);
    service.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

async function serve(configFile?: string): Promise<void> {
  const { startService } = await import('../../service/start.ts');
  const service = await startService({ env: process.env, configFile });
  stopOnSignals(service);
  const { context } = service;
  say(`Lifecycle Sync admin: ${service.url}  (sign in with ADMIN_TOKEN)`);
  const installations = (await context.store.listInstallations()).filter((i) => i.status !== 'uninstalled');
  const scope = await context.installations.defaultScope().catch(() => null);
  if (scope) {
    // "Connected" only once the CRM has accepted the credentials (a cheap authenticated call).
    const check = await context.installations.verify(scope);
    if (check.ok) say(`Connected CRM: ${scope.crm} (installation ${scope.installationId}, account ${check.account}).`);
    else say(`Not connected: ${scope.crm} (installation ${scope.installationId}) refused its credentials: ${check.message}. Check the token or credentials you set (see README); the admin page shows the same.`);
    const schedule = await context.schedule(scope);
    if (schedule?.enabled) say(`Schedule: "${schedule.cron}" in ${schedule.timezone}; next run ${schedule.nextRunAt ?? 'n/a'}.${schedule.note ? ` ${schedule.note}` : ''}`);
  } else if (installations.length > 1) {
    say(`${installations.length} installations (${installations.filter((i) => i.status === 'active').length} active), each on its own schedule: the page lists them.`);
  } else {
    say('No CRM connected yet: install one from the admin page (see README).');
  }
  if (context.queue) say('Runs are queued for the workers (`lifecycle-sync worker`): start at least one.');
}

/** `start` with nothing configured, where the demo's sandboxes are not there (the build, the image). */
const NO_CRM_NO_DEMO =
  'no CRM is configured: set HubSpot or Salesforce credentials or an OAuth app in the environment, or a CRM in the config file (see "Install on your CRM" in the README); the demo runs from a clone of the repository (`npm start`)';

async function demo(configFile: string | undefined, crm: CrmName, b2b: boolean, startSandbox: StartDemoSandbox): Promise<void> {
  const { startDemo } = await import('../../service/demo.ts');
  const started = Date.now();
  const d = await startDemo({ env: process.env, configFile, say, crm, b2b, startSandbox });
  stopOnSignals(d);
  say('');
  say(`Lifecycle Sync demo is ready (${((Date.now() - started) / 1000).toFixed(1)} s).`);
  say(`  Admin page:   ${d.url}`);
  // Generated for this demo and shown once on purpose (everything else printed is redacted).
  printSecretOnce(`  Admin token:  ${d.tokenFromEnv ? '(the value of ADMIN_TOKEN)' : d.adminToken}\n`);
  say('Open the page, sign in with the token, start a dry run to see what would change, then run it. Ctrl-C stops the demo.');
  say('To connect your own HubSpot or Salesforce instead, see "Install on your CRM" in the README.');
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the admin page and API and run the schedule for the configured CRM')
    .option('--config <file>', 'configuration file (YAML)')
    .action(async (flags: { config?: string }) => serve(flags.config));
}

export function startCommand(): Command {
  return new Command('start')
    .description('with a CRM configured: `serve`; with none, in a clone of the repository: the demo against a local HubSpot (or Salesforce) sandbox')
    .option('--config <file>', 'configuration file (YAML)')
    .addOption(new Option('--demo-crm <crm>', 'the CRM the demo sandbox plays').choices(['hubspot', 'salesforce']).default('hubspot'))
    .option('--demo-b2b', 'the demo as a B2B HubSpot portal: companies (each with one contact) are the customers')
    .action(async (flags: { config?: string; demoCrm: CrmName; demoB2b?: boolean }) => {
      const configFile = flags.config ?? process.env.LIFECYCLE_SYNC_CONFIG;
      const [{ chooseStart }, { loadDemoSandbox }] = await Promise.all([import('../../service/start.ts'), import('../../service/demoSandbox.ts')]);
      const choice = await chooseStart(process.env, configFile);
      if (choice.mode === 'serve') await serve(configFile);
      else {
        const startSandbox = await loadDemoSandbox();
        if (!startSandbox) throw new LifecycleSyncError('NOT_CONFIGURED', NO_CRM_NO_DEMO);
        if (choice.note) say(choice.note);
        await demo(configFile, flags.demoCrm, flags.demoB2b ?? false, startSandbox);
      }
    });
}
