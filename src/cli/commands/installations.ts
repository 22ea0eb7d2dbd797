/**
 * `lifecycle-sync installations …`: the CRM accounts this plugin works for (an agency's clients, several
 * Salesforce orgs). `add` keeps the credentials the environment holds at that moment for a new
 * installation, checked with one call first; `set` layers a setting over the configuration file's for one
 * installation (config/installationSettings.ts); `remove` deletes its credentials and CRM data.
 */
import { Command, Option } from 'commander';
import type { SettingsOverrides } from '../../config/installationSettings.ts';
import type { Config } from '../../config/schema.ts';
import { LifecycleSyncError } from '../../errors.ts';
import type { Installation, InstallationStatus, Store } from '../../store/types.ts';
import { print, printJson } from '../output.ts';

interface Flags {
  config?: string;
  json?: boolean;
}

/** Opens the configured store for one subcommand and closes it after. */
async function withStore<T>(flags: Flags, fn: (store: Store, config: Config) => Promise<T>): Promise<T> {
  // Loaded here, not at the top: `--help` and a bad flag must not pay for the configuration and the store.
  const [{ loadConfig }, { openConfiguredStore }] = await Promise.all([import('../../config/load.ts'), import('../../crm.ts')]);
  const config = loadConfig({ file: flags.config, env: process.env });
  const store = await openConfiguredStore(config, process.env);
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}

async function requireInstallation(store: Store, id: string): Promise<Installation> {
  const installation = await store.getInstallation(id);
  if (!installation || installation.status === 'uninstalled') {
    throw new LifecycleSyncError('NOT_FOUND', `no installation ${id}${installation ? ' (it was removed)' : ''}: \`lifecycle-sync installations list\` shows them`);
  }
  return installation;
}

/** `installations add` of an account that has an installation: refused, naming it. */
function alreadyInstalled(label: string, existing: Installation): LifecycleSyncError {
  return new LifecycleSyncError(
    'INPUT_INVALID',
    `${label} account ${existing.accountId ?? '?'} already has installation ${existing.id} ("${existing.name}", ${existing.status}); nothing was added. \`lifecycle-sync installations show ${existing.id}\` shows it`,
  );
}

/** What `list` and `show` print of an installation, with its last run. */
async function described(store: Store, installation: Installation) {
  const [last] = await store.listRuns(installation.id, 1);
  return {
    ...installation,
    lastRun: last ? { id: last.id, kind: last.kind, status: last.status, startedAt: last.startedAt, finishedAt: last.finishedAt } : null,
  };
}

function line(i: Awaited<ReturnType<typeof described>>): string {
  const last = i.lastRun ? `${i.lastRun.status} ${new Date(i.lastRun.startedAt).toISOString().slice(0, 16)}Z` : 'never run';
  return `${i.id.padEnd(20)} ${i.crm.padEnd(10)} ${(i.accountId ?? '-').padEnd(18)} ${i.status.padEnd(11)} ${last.padEnd(28)} ${i.name}\n`;
}

/**
 * Stores an installation's new overrides, and the change of the setting's value in effect in its change
 * log (the page's settings view shows it), together.
 */
async function saveLogged(store: Store, config: Config, id: string, before: SettingsOverrides, after: SettingsOverrides, key: string): Promise<Installation | null> {
  const [{ effectiveConfig }, { valueAt }] = await Promise.all([import('../../config/installationSettings.ts'), import('../../config/editableSettings.ts')]);
  const was = valueAt(effectiveConfig(config, before, id), key) ?? null;
  const now = valueAt(effectiveConfig(config, after, id), key) ?? null;
  return store.transaction(async (tx) => {
    const row = await tx.updateInstallation(id, { settings: after });
    if (JSON.stringify(was) !== JSON.stringify(now)) await tx.addSettingChanges([{ installationId: id, at: Date.now(), actor: 'cli', key, before: was, after: now }]);
    return row;
  });
}

/** A subcommand on one installation: its id first, then --config and --json. */
function onInstallation(name: string, description: string, ...more: [string, string][]): Command {
  const command = new Command(name).description(description).argument('<id>', 'the installation');
  for (const [argument, about] of more) command.argument(argument, about);
  return command.option('--config <file>', 'configuration file (YAML)').option('--json', 'machine-readable output');
}

function statusCommand(name: 'pause' | 'resume', status: InstallationStatus, description: string): Command {
  return onInstallation(name, description).action(async (id: string, flags: Flags) => {
    await withStore(flags, async (store) => {
      const before = await requireInstallation(store, id);
      const updated = await store.transaction(async (tx) => {
        const row = await tx.updateInstallation(id, { status });
        if (before.status !== status) await tx.addSettingChanges([{ installationId: id, at: Date.now(), actor: 'cli', key: 'status', before: before.status, after: status }]);
        return row;
      });
      if (flags.json) return printJson(updated);
      print(`${id} is ${status}${status === 'paused' ? ': no run starts for it (scheduled or asked for) until it is resumed' : ''}.\n`);
    });
  });
}

export function installationsCommand(): Command {
  const command = new Command('installations').description('the CRM accounts (HubSpot portals, Salesforce orgs) this plugin works for');
  // The CRM names come from the connectors' configuration sections: only `add` (and its help) asks for them.
  const crmOption = new Option('--crm <name>', 'the CRM').makeOptionMandatory();
  command.hook('preSubcommand', async (_installations, subcommand) => {
    if (subcommand.name() !== 'add') return;
    const { connectorNames } = await import('../../../connectors/sections.ts');
    crmOption.description = `the CRM (${connectorNames()})`;
  });

  command
    .command('add')
    .description("add an installation with the CRM credentials in the environment now (e.g. HUBSPOT_ACCESS_TOKEN and HUBSPOT_BASE_URL), checked with one call that also names the account (one installation per account); prints its id")
    .addOption(crmOption)
    .requiredOption('--name <name>', 'how it is shown (a client, an org)')
    .option('--config <file>', 'configuration file (YAML)')
    .option('--json', 'print {"id": …, "accountId": …}')
    .action(async (flags: Flags & { crm: string; name: string }) => {
      const [{ accountVariablesIn, requireDefinition, verifyAccount }, { createLogger }] = await Promise.all([import('../../crm.ts'), import('../../log.ts')]);
      const definition = requireDefinition(flags.crm);
      const name = flags.name.trim();
      if (name === '' || name.length > 200) throw new LifecycleSyncError('INPUT_INVALID', '--name must be 1 to 200 characters');
      if (!process.env.ENCRYPTION_KEY) throw new LifecycleSyncError('CONFIG_INVALID', 'ENCRYPTION_KEY is not set: it is needed to keep the installation\u2019s credentials (encrypted) in the state store');
      const variables = accountVariablesIn(definition.name, process.env);
      await withStore(flags, async (store, config) => {
        const verified = await verifyAccount({ config, env: process.env, crm: definition.name, variables, log: createLogger() });
        if (!verified.ok) throw new LifecycleSyncError('NOT_CONFIGURED', `the ${definition.label} credentials in the environment do not work: ${verified.message}; nothing was added`);
        const { accountId } = verified;
        // One installation per account: a second would sync the same records on its own schedule.
        const installation = await store.transaction(async (tx) => {
          const existing = await tx.installationOfAccount(definition.name, accountId);
          if (existing) throw alreadyInstalled(definition.label, existing);
          const added = await tx.addInstallation({ crm: definition.name, name, accountId });
          // Added by another process since the look-up: the transaction leaves it as it was.
          if (!added.created) throw alreadyInstalled(definition.label, added.installation);
          await tx.saveAccountEnv(added.installation.id, variables);
          return added.installation;
        });
        // Several kinds of customers (hubspot.customerObject: both): the companions are installations too.
        const [{ companionIds, splitCompanionId }, { recordCompanions }] = await Promise.all([import('../../customerScopes.ts'), import('../../crm.ts')]);
        const companions = companionIds(definition.name, config.connectors[definition.name], installation.id);
        await recordCompanions(store, definition.name, installation.id, companions);
        if (flags.json) return printJson({ id: installation.id, accountId, ...(companions.length > 0 ? { companions } : {}) });
        print(`${installation.id}  ${definition.label} — ${verified.account}. Use --installation ${installation.id} with sync, setup, runs, explain and rollback.\n`);
        for (const id of companions) print(`${id}  its ${splitCompanionId(id)?.key ?? id}, scored apart: --installation ${id}.\n`);
      });
    });

  command
    .command('list')
    .description('every installation: id, CRM, account, status, last run, name')
    .option('--config <file>', 'configuration file (YAML)')
    .option('--json', 'machine-readable output')
    .action(async (flags: Flags) => {
      await withStore(flags, async (store) => {
        const all = await Promise.all((await store.listInstallations()).map((i) => described(store, i)));
        if (flags.json) return printJson(all);
        if (all.length === 0) return void print('No installations yet: `lifecycle-sync installations add --crm hubspot --name NAME` adds one.\n');
        for (const i of all) print(line(i));
      });
    });

  command.addCommand(
    onInstallation('show', 'one installation: its account, status, last run, own settings, and the schedule it runs on').action(async (id: string, flags: Flags) => {
      await withStore(flags, async (store, config) => {
        const installation = await requireInstallation(store, id);
        const { effectiveConfig, readOverrides } = await import('../../config/installationSettings.ts');
        const effective = effectiveConfig(config, readOverrides(installation.settings, id), id);
        const shown = { ...(await described(store, installation)), schedule: effective.schedule };
        if (flags.json) return printJson(shown);
        print(line(shown));
        print(`  schedule: ${effective.schedule.enabled ? `${effective.schedule.cron} (${effective.schedule.timezone})` : 'off'}\n`);
        print(`  own settings: ${Object.keys(installation.settings).length === 0 ? 'none (the configuration file\u2019s)' : JSON.stringify(installation.settings)}\n`);
      });
    }),
  );

  command.addCommand(statusCommand('pause', 'paused', 'stop starting runs for an installation (scheduled or asked for); its data stays'));
  command.addCommand(statusCommand('resume', 'active', 'start runs for a paused installation again'));

  command.addCommand(
    onInstallation(
      'set',
      'set one of an installation\u2019s own settings over the configuration file, e.g. `set ID schedule.cron "0 3 * * *"` or `set ID sync.minChange.money 5` (VALUE is YAML)',
      ['<key>', 'a classifier, sync or schedule setting, as a dotted path'],
      ['<value>', 'its value, written as in the configuration file'],
    ).action(async (id: string, key: string, value: string, flags: Flags) => {
      await withStore(flags, async (store, config) => {
        const installation = await requireInstallation(store, id);
        const { withSetting, readOverrides } = await import('../../config/installationSettings.ts');
        const before = readOverrides(installation.settings, id);
        const settings = withSetting(config, before, id, key, value);
        const updated = await saveLogged(store, config, id, before, settings, key);
        if (flags.json) return printJson(updated);
        print(`${id}: ${key} set; its own settings are now ${JSON.stringify(settings)}\n`);
      });
    }),
  );

  command.addCommand(
    onInstallation('unset', 'drop one of an installation\u2019s own settings: the configuration file\u2019s value applies again', ['<key>', 'the setting, as a dotted path']).action(
      async (id: string, key: string, flags: Flags) => {
        await withStore(flags, async (store, config) => {
          const installation = await requireInstallation(store, id);
          const { withoutSetting, readOverrides } = await import('../../config/installationSettings.ts');
          const before = readOverrides(installation.settings, id);
          const settings = withoutSetting(config, before, id, key);
          const updated = await saveLogged(store, config, id, before, settings, key);
          if (flags.json) return printJson(updated);
          print(`${id}: ${key} unset; its own settings are now ${JSON.stringify(settings)}\n`);
        });
      },
    ),
  );

  command.addCommand(
    onInstallation('remove', 'delete an installation\u2019s credentials and everything stored of its CRM (its runs\u2019 history stays, without record ids)').action(async (id: string, flags: Flags) => {
      await withStore(flags, async (store) => {
        await requireInstallation(store, id);
        const running = (await store.listRuns(id, 1)).find((r) => r.status === 'running');
        if (running) throw new LifecycleSyncError('SYNC_LOCKED', `${id} has a run in progress (${running.id}): wait for it, or abandon it (\`lifecycle-sync runs --installation ${id} --abandon ${running.id}\`)`);
        await store.removeInstallation(id);
        // Its companions (the account's other kinds of customers, src/customerScopes.ts) go with it.
        const { splitCompanionId } = await import('../../customerScopes.ts');
        for (const other of await store.listInstallations()) if (splitCompanionId(other.id)?.accountInstallationId === id && other.status !== 'uninstalled') await store.removeInstallation(other.id);
        if (flags.json) return printJson({ id, removed: true });
        print(`${id} removed: its credentials and CRM data are deleted; its runs stay in the history.\n`);
      });
    }),
  );

  return command;
}
