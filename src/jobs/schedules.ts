/**
 * Each installation's nightly run as a pg-boss schedule on the run queue, keyed by installation id, with
 * the installation's own cron and time zone (its settings over the file's). pg-boss fires a schedule once
 * per occurrence however many workers or servers hold schedulers (it claims each occurrence in the
 * database), and with `missed: 'once'` it sends one job for the latest occurrence missed while nothing
 * ran (the catch-up after downtime). The job's singleton key keeps it from queueing beside a run still
 * going. Workers bring the schedules in line with the installations at start and then periodically, so
 * `installations add | set | pause | remove` on any machine takes effect without a restart.
 */
import { effectiveConfig, readOverrides } from '../config/installationSettings.ts';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import { RUN_QUEUE, type QueuedRun, type RunQueue } from './runQueue.ts';

export interface ScheduleChanges {
  set: string[];
  removed: string[];
}

/** Sets, updates and removes schedules so that there is one per active installation whose schedule is enabled. */
export async function reconcileSchedules(queue: RunQueue, store: Store, config: Config, log: Logger): Promise<ScheduleChanges> {
  const wanted = new Map<string, { cron: string; timezone: string }>();
  for (const installation of await store.listInstallations()) {
    if (installation.status !== 'active') continue;
    try {
      const { schedule } = effectiveConfig(config, readOverrides(installation.settings, installation.id), installation.id);
      if (schedule.enabled) wanted.set(installation.id, { cron: schedule.cron, timezone: schedule.timezone });
    } catch (error) {
      // Settings the schema refuses (written by an older version, or by hand): that installation has no schedule.
      log.error('an installation has no schedule: its settings are not valid', { installation: installation.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  const changes: ScheduleChanges = { set: [], removed: [] };
  const current = await queue.boss.getSchedules(RUN_QUEUE, undefined, { limit: 100_000 });
  for (const s of current) {
    if (wanted.has(s.key)) continue;
    await queue.boss.unschedule(RUN_QUEUE, s.key);
    changes.removed.push(s.key);
  }
  for (const [installationId, want] of wanted) {
    const have = current.find((s) => s.key === installationId);
    if (have && have.cron === want.cron && have.timezone === want.timezone) continue;
    // A changed expression is a new schedule, not an update: pg-boss's catch-up counts from a schedule's
    // creation, and an updated one would owe the new expression's latest occurrence at once (a run the
    // moment an admin moves the nightly hour).
    if (have) await queue.boss.unschedule(RUN_QUEUE, installationId);
    const data: Omit<QueuedRun, 'runId'> = { installationId, request: { kind: 'sync', trigger: 'schedule' } };
    await queue.boss.schedule(RUN_QUEUE, want.cron, data, { tz: want.timezone, key: installationId, singletonKey: installationId, missed: 'once' });
    changes.set.push(installationId);
  }
  if (changes.set.length + changes.removed.length > 0) log.info('schedules updated', { set: changes.set.length, removed: changes.removed.length, total: wanted.size });
  return changes;
}
