/** The sync's progress bars on a terminal: totals and an ETA, and log lines printed above the bar, never into it. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { phaseProgress } from '../../src/cli/progress.ts';

/** A terminal-like stream that records what is written (cli-progress moves the cursor with escape codes). */
function terminal(isTTY: boolean) {
  const out = Object.assign(new PassThrough(), { isTTY, columns: 120, rows: 40 });
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  return { out: out as unknown as NodeJS.WriteStream, text: () => text };
}

describe('phaseProgress', () => {
  it('shows the total and an ETA, and a log line goes above the bar on a cleared line, not into it', () => {
    const t = terminal(true);
    const p = phaseProgress(t.out);
    p.update('write', 10, 100);
    p.logStream.write('12:00:00 info hubspot written=0\n');
    p.update('write', 50, 100);
    p.stop();
    // ESC[1G ESC[2K: back to the first column and the line cleared before the log line.
    expect(t.text()).toContain('\u001b[1G\u001b[2K12:00:00 info hubspot written=0\n');
    expect(t.text()).toMatch(/write +\[[█░]+\] 50% \| 50\/100 records \| \d+s \| ETA \d+s/);
  });

  it('a phase whose total becomes known gets a bar with it (the classify phase no longer stays at 0)', () => {
    const t = terminal(true);
    const p = phaseProgress(t.out);
    p.update('classify', 0, null);
    p.update('classify', 0, 2357);
    p.update('classify', 2357, 2357);
    p.stop();
    expect(t.text()).toMatch(/classify +\[█+\] 100% \| 2357\/2357 records/);
  });

  it('off a terminal: no bar, and log lines go straight through', () => {
    const t = terminal(false);
    const p = phaseProgress(t.out);
    p.update('write', 10, 100);
    p.logStream.write('a line\n');
    p.stop();
    expect(t.text()).toBe('a line\n');
  });
});
