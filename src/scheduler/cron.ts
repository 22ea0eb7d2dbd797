/**
 * The clock the scheduler listens to: node-cron in production, anything with the same shape in tests.
 * node-cron reads the expression in the given IANA time zone (daylight-saving changes included).
 */
import { createTask, type ScheduledTask } from 'node-cron';
import type { Logger } from '../log.ts';

export interface CronJob {
  stop(): void;
  /** When it fires next, or null. */
  nextRun(): Date | null;
}

export interface CronEngine {
  schedule(expression: string, timezone: string, onTick: (slot: Date) => void): CronJob;
}

export function nodeCronEngine(log: Logger): CronEngine {
  return {
    schedule(expression, timezone, onTick) {
      const task: ScheduledTask = createTask(expression, (context) => onTick(context.date), {
        timezone,
        name: 'lifecycle-sync',
        // node-cron's own messages go to our logger (never the console).
        logger: {
          info: (m) => log.debug(m),
          warn: (m) => log.warn(m),
          error: (m) => log.error(m instanceof Error ? m.message : m),
          debug: (m) => log.debug(m instanceof Error ? m.message : m),
        },
      });
      void task.start();
      return {
        stop: () => void task.destroy(),
        nextRun: () => task.getNextRun(),
      };
    },
  };
}

/** When the expression next fires in the time zone (the installations list shows it; nothing is scheduled). */
export function nextTick(expression: string, timezone: string): Date | null {
  const task = createTask(expression, () => undefined, { timezone, name: 'lifecycle-sync-next' });
  try {
    return task.getNextRuns(1)[0] ?? null;
  } finally {
    void task.destroy();
  }
}
