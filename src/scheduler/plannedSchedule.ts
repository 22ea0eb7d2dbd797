/**
 * An installation's schedule as the page and the API show it, from its effective settings: the next tick
 * of its own cron in its own time zone, or why there is none (off, paused, waiting for a first run by
 * hand). Used where the ticks are kept elsewhere (the workers' pg-boss schedules) or not yet set.
 */
import type { InstallationScope } from '../service/installation.ts';
import type { RunRecord } from '../store/types.ts';
import { nextTick } from './cron.ts';
import type { ScheduleStatusView } from './scheduler.ts';

export function plannedSchedule(scope: Pick<InstallationScope, 'config' | 'installation'>, runs: RunRecord[], keptBy: 'workers' | 'service'): ScheduleStatusView {
  const s = scope.config.schedule;
  const view = { enabled: s.enabled, cron: s.cron, timezone: s.timezone };
  if (!s.enabled) return { ...view, nextRunAt: null, note: 'Scheduled runs are off (schedule.enabled: false).' };
  if (scope.installation && scope.installation.status !== 'active') return { ...view, nextRunAt: null, note: 'The installation is paused: resume it to run on its schedule.' };
  if (s.requireFirstRun && !runs.some((r) => r.kind === 'sync' && r.status === 'succeeded')) {
    return { ...view, nextRunAt: null, note: 'Scheduled runs start after the first successful run: preview a dry run, then use “Run now”.' };
  }
  const note = keptBy === 'workers' ? 'Scheduled runs are started by the workers (`lifecycle-sync worker`); none run without a worker.' : null;
  return { ...view, nextRunAt: nextTick(s.cron, s.timezone)?.toISOString() ?? null, note };
}
