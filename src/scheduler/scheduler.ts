/**
 * The nightly schedule: on each tick of the cron expression (in its time zone) a sync of the connected
 * installation, through the same run manager as the admin API. Never two at once: a tick while a run is
 * going is skipped (in this process; across processes and replicas the store's lock refuses the second,
 * and a replica whose clock is late sees the run another one already started for the same tick). At
 * start, a run missed while the service was down is caught up when the last success is too old.
 */
import { LifecycleSyncError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { RunManager } from '../service/runner.ts';
import type { RunRecord, Store } from '../store/types.ts';
import type { CronEngine, CronJob } from './cron.ts';
import type { ScheduleSettings } from './settings.ts';

export type TickOutcome = { started: string } | { skipped: string } | { failed: string };

export interface ScheduleStatusView {
  enabled: boolean;
  cron: string;
  timezone: string;
  nextRunAt: string | null;
  note: string | null;
}

export interface SchedulerOptions {
  settings: ScheduleSettings;
  store: Store;
  runs: Pick<RunManager, 'start' | 'current'>;
  /** The installation to run (null while no CRM is connected). */
  installationId: () => string | null;
  cron: CronEngine;
  log: Logger;
  clock?: () => number;
}

/** A tick that finds a sync started this close before its slot takes it as another replica's run of it. */
export const SAME_SLOT_MS = 60_000;

export class Scheduler {
  private readonly o: SchedulerOptions;
  private job: CronJob | null = null;

  constructor(options: SchedulerOptions) {
    this.o = options;
  }

  private now(): number {
    return (this.o.clock ?? Date.now)();
  }

  private async lastSuccess(installationId: string): Promise<RunRecord | null> {
    return (await this.o.store.listRuns(installationId, 200, ['sync'])).find((r) => r.status === 'succeeded') ?? null;
  }

  /** Schedules the ticks, then catches up a missed run. Resolves when the catch-up (if any) has started. */
  async start(): Promise<TickOutcome | null> {
    if (!this.o.settings.enabled) {
      this.o.log.info('schedule disabled: runs only on demand');
      return null;
    }
    this.job = this.o.cron.schedule(this.o.settings.cron, this.o.settings.timezone, (slot) => void this.tick(slot, 'schedule'));
    this.o.log.info('schedule set', { cron: this.o.settings.cron, timezone: this.o.settings.timezone, nextRunAt: this.job.nextRun()?.toISOString() ?? null });
    return this.catchUp();
  }

  stop(): void {
    this.job?.stop();
    this.job = null;
  }

  /** At start: a run now when the last successful one is older than `catchUpAfterHours`. */
  async catchUp(): Promise<TickOutcome | null> {
    const installationId = this.o.installationId();
    if (!installationId) return null;
    const last = await this.lastSuccess(installationId);
    if (!last && this.o.settings.requireFirstRun) return null;
    const age = last ? this.now() - (last.finishedAt ?? last.startedAt) : Infinity;
    if (age <= this.o.settings.catchUpAfterHours * 3_600_000) return null;
    this.o.log.info('catching up a missed run', { lastSuccessAt: last ? new Date(last.finishedAt ?? last.startedAt).toISOString() : null });
    return this.tick(new Date(this.now()), 'catch-up');
  }

  /** One tick: start a sync unless something says not to; what happened is logged and returned. */
  async tick(slot: Date, trigger: 'schedule' | 'catch-up'): Promise<TickOutcome> {
    const outcome = await this.decide(slot, trigger);
    const fields = { trigger, slot: slot.toISOString() };
    if ('started' in outcome) this.o.log.info('scheduled run started', { ...fields, runId: outcome.started });
    else if ('skipped' in outcome) this.o.log.info('scheduled run skipped', { ...fields, reason: outcome.skipped });
    else this.o.log.error('scheduled run could not start', { ...fields, error: outcome.failed });
    return outcome;
  }

  private async decide(slot: Date, trigger: 'schedule' | 'catch-up'): Promise<TickOutcome> {
    const installationId = this.o.installationId();
    if (!installationId) return { skipped: 'no CRM is connected yet' };
    if (this.o.settings.requireFirstRun && !(await this.lastSuccess(installationId))) {
      return { skipped: 'waiting for the first successful run by hand (preview a dry run, then use "Run now")' };
    }
    const current = this.o.runs.current(installationId);
    if (current) return { skipped: `a run is still going (${current.runId})` };
    if (trigger === 'schedule') {
      const recent = (await this.o.store.listRuns(installationId, 5, ['sync'])).find((r) => r.startedAt >= slot.getTime() - SAME_SLOT_MS);
      if (recent) return { skipped: `this tick's run was already started (${recent.id}), by another replica or by hand` };
    }
    try {
      const started = await this.o.runs.start({ kind: 'sync', trigger });
      return { started: started.runId };
    } catch (error) {
      if (error instanceof LifecycleSyncError && error.code === 'SYNC_LOCKED') return { skipped: `a run is still going elsewhere: ${error.message}` };
      return { failed: error instanceof Error ? error.message : String(error) };
    }
  }

  async status(): Promise<ScheduleStatusView> {
    const s = this.o.settings;
    const installationId = this.o.installationId();
    let note: string | null = null;
    if (!s.enabled) note = 'Scheduled runs are off (schedule.enabled: false).';
    else if (!installationId) note = 'Scheduled runs start once a CRM is connected.';
    else if (s.requireFirstRun && !(await this.lastSuccess(installationId))) note = 'Scheduled runs start after the first successful run: preview a dry run, then use “Run now”.';
    return { enabled: s.enabled, cron: s.cron, timezone: s.timezone, nextRunAt: this.job?.nextRun()?.toISOString() ?? null, note };
  }
}
