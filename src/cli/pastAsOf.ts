/**
 * `sync --as-of <day>` before the as-of day of the installation's last successful sync would write older
 * scores over newer ones. On a terminal the admin is asked; otherwise the run is refused unless
 * `--force` says it is meant. Dry runs write nothing and pass.
 */
import { createInterface } from 'node:readline/promises';
import { LifecycleSyncError } from '../errors.ts';
import { parseIsoDate } from '../io/dates.ts';
import type { RunStore } from '../store/types.ts';

export interface PastAsOfCheck {
  store: Pick<RunStore, 'latestRuns'>;
  installationId: string;
  asOfDay: number | undefined;
  dryRun: boolean;
  force: boolean;
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream & { isTTY?: boolean };
}

const dayText = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

export async function guardPastAsOf(o: PastAsOfCheck): Promise<void> {
  if (o.asOfDay === undefined || o.dryRun || o.force) return;
  const last = (await o.store.latestRuns({ kind: 'sync', status: 'succeeded' })).find((r) => r.installationId === o.installationId);
  const lastDay = last ? parseIsoDate(last.asOf) : null;
  if (!last || lastDay === null || o.asOfDay >= lastDay) return;
  const what = `--as-of ${dayText(o.asOfDay)} is before the last successful sync's (${last.id}, as of ${last.asOf}): its older scores would overwrite newer ones in the CRM`;
  const input = o.input ?? process.stdin;
  const output = o.output ?? process.stderr;
  if (!input.isTTY || !output.isTTY) throw new LifecycleSyncError('INPUT_INVALID', `${what}; add --force if that is what you want (or --dry-run to preview)`);
  // The terminal's own line editing (cooked mode) is enough for a y/N answer.
  const rl = createInterface({ input, output, terminal: false });
  try {
    const answer = await rl.question(`${what}.\nWrite them anyway? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new LifecycleSyncError('INPUT_INVALID', 'cancelled: nothing was written');
  } finally {
    rl.close();
  }
}
