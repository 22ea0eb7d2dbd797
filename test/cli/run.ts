import { spawnCli, type CliResult } from '../cliChild.ts';

export type { CliResult };

/** Runs the CLI from source in a child process, without a configuration file from the environment. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return spawnCli(args, { LIFECYCLE_SYNC_CONFIG: '', ...env });
}
