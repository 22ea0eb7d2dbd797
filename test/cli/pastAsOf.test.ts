/** On a terminal, `sync --as-of <earlier day>` asks before writing older scores over newer ones. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { guardPastAsOf } from '../../src/cli/pastAsOf.ts';
import type { RunRecord } from '../../src/store/types.ts';

const DAY = 86_400_000;
const lastSync = { id: 'run_last', installationId: 'hubspot', kind: 'sync', status: 'succeeded', asOf: '2026-11-20' } as const satisfies Partial<RunRecord>;
const store = { latestRuns: () => Promise.resolve([lastSync as unknown as RunRecord]) };
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY;

function terminal(answer: string) {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const output = Object.assign(new PassThrough(), { isTTY: true });
  let shown = '';
  output.on('data', (c: Buffer) => {
    shown += c.toString();
    if (shown.includes('[y/N]')) input.write(`${answer}\n`);
  });
  return { input, output, shown: () => shown };
}

describe('sync --as-of before the last successful sync, on a terminal', () => {
  it('asks, and goes on with "y"', async () => {
    const t = terminal('y');
    await guardPastAsOf({ store, installationId: 'hubspot', asOfDay: day('2026-11-01'), dryRun: false, force: false, input: t.input, output: t.output });
    expect(t.shown()).toContain("--as-of 2026-11-01 is before the last successful sync's (run_last, as of 2026-11-20)");
  });

  it('stops with anything else, saying nothing was written', async () => {
    const t = terminal('');
    await expect(guardPastAsOf({ store, installationId: 'hubspot', asOfDay: day('2026-11-01'), dryRun: false, force: false, input: t.input, output: t.output })).rejects.toThrow(
      'cancelled: nothing was written',
    );
  });

  it('does not ask for the same day or a later one, another installation, a dry run or --force', async () => {
    const t = terminal('n');
    const base = { store, installationId: 'hubspot', dryRun: false, force: false, input: t.input, output: t.output };
    await guardPastAsOf({ ...base, asOfDay: day('2026-11-20') });
    await guardPastAsOf({ ...base, asOfDay: day('2026-11-01'), installationId: 'other' });
    await guardPastAsOf({ ...base, asOfDay: day('2026-11-01'), dryRun: true });
    await guardPastAsOf({ ...base, asOfDay: day('2026-11-01'), force: true });
    expect(t.shown()).toBe('');
  });
});
