/** `lifecycle-sync migrate`: brings the state database's schema to this version, explicitly. */
import { Command } from 'commander';
import { print, printJson } from '../output.ts';

export function migrateCommand(): Command {
  return new Command('migrate')
    .summary("apply the state database's schema migrations and print its schema version")
    .description(
      "Applies the state database's schema migrations and prints its schema version: Postgres when DATABASE_URL is set, " +
        'else the SQLite file (LIFECYCLE_SYNC_DB, or store.path in the configuration). Every command and the service also ' +
        'migrate the store when they open it; a deployment runs this as its own step before starting new workers, so the ' +
        'schema changes once, at a known time, and a database that cannot be migrated stops the deployment there.',
    )
    .option('--config <file>', 'configuration file (YAML)')
    .option('--json', 'machine-readable output')
    .action(async (flags: { config?: string; json?: boolean }) => {
      const [{ loadConfig }, { migrateStateStore }] = await Promise.all([import('../../config/load.ts'), import('../../store/open.ts')]);
      const config = loadConfig({ file: flags.config, env: process.env });
      const migrated = await migrateStateStore(config.store, process.env);
      if (flags.json) return printJson(migrated);
      const what = migrated.applied.length === 0 ? 'already up to date' : `applied ${migrated.applied.join(', ')}`;
      print(`state database ${migrated.where} (${migrated.kind}): schema version ${migrated.schemaVersion}, ${what}\n`);
    });
}
