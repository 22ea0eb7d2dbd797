/**
 * `promtool check metrics`, Prometheus's own lint of a scrape: the test that uses it is skipped, saying
 * why, only where promtool is not installed (`apt-get install prometheus`; .ci/run installs it).
 */
import { spawnSync } from 'node:child_process';

export const PROMTOOL = process.env.PROMTOOL_PATH ?? 'promtool';

export const promtoolMissing: string | null = (() => {
  const r = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8' });
  return r.error ? `promtool is not installed (${PROMTOOL}): install Debian's prometheus package to lint /metrics` : null;
})();

/** promtool's complaints about a scrape ('' when it passes), with its exit code. */
export function promtoolCheck(text: string): { code: number | null; problems: string } {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { code: r.status, problems: `${r.stdout}${r.stderr}`.trim() };
}
