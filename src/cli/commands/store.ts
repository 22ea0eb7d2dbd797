/** `lifecycle-sync store copy --to postgres://…`: move an installation's whole state from the SQLite file to Postgres. */
import { Command } from 'commander';
import { LifecycleSyncError } from '../../errors.ts';
import { print, printJson } from '../output.ts';

export function storeCommand(): Command {
  const store = new Command('store').description('the state store: move it to Postgres when one machine is not enough');
  store
    .command('copy')
    .description("copy an installation's whole state (credentials, runs and their errors, the audit, plans, cursors, model fits, retries, CRM data) from the SQLite file to a Postgres database, in one transaction; the file is left as it was")
    .requiredOption('--to <url>', 'the Postgres database (postgres://user:password@host:port/database); migrated first')
    .option('--from <file>', 'the SQLite file (default: LIFECYCLE_SYNC_DB, else the config store.path)')
    .option('--installation <id>', 'one installation (default: every one in the file)')
    .option('--config <file>', 'configuration file (YAML)')
    .option('--json', 'print a machine-readable report')
    .action(async (flags: { to: string; from?: string; installation?: string; config?: string; json?: boolean }) => {
      const [{ loadConfig }, { storeLocation }, { copyStore }] = await Promise.all([import('../../config/load.ts'), import('../../store/open.ts'), import('../../store/copy.ts')]);
      const config = loadConfig({ file: flags.config, env: process.env });
      const from = flags.from ?? (() => {
        const where = storeLocation(config.store, { ...process.env, DATABASE_URL: undefined });
        return where.kind === 'sqlite' ? where.path : config.store.path;
      })();
      if (!/^postgres(ql)?:\/\//.test(flags.to)) throw new LifecycleSyncError('INPUT_INVALID', '--to must be a postgres:// or postgresql:// URL');
      const report = await copyStore({ from, to: flags.to, installationId: flags.installation, encryptionKey: process.env.ENCRYPTION_KEY || undefined });
      if (flags.json) return printJson(report);
      for (const i of report.installations) {
        const rows = Object.entries(i.rows).map(([table, n]) => `${table} ${n.toLocaleString('en-US')}`).join(', ');
        print(`${i.id}: copied ${rows}${i.credentials ? '; credentials stored again under the database\u2019s key' : ''}\n`);
      }
      print(report.installations.length === 0 ? `${from} holds no installation: nothing to copy.\n` : 'Set DATABASE_URL to the database to use it from now on.\n');
    });
  return store;
}
