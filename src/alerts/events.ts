/**
 * Which alerts a run's end raises, and whether an installation has gone too long without a success:
 * plain data in, plain data out (no I/O), so every threshold is testable without a channel.
 */
import type { FinishedRun } from '../service/runner.ts';
import type { AlertSettings } from './settings.ts';

export type AlertKind = 'run_failed' | 'quota_stopped' | 'failed_share' | 'stage_moves' | 'no_success';

export interface AlertInstallation {
  id: string;
  name: string;
  crm: string;
}

export interface AlertEvent {
  kind: AlertKind;
  installation: AlertInstallation;
  /** One line: what happened (the subject of an e-mail). */
  title: string;
  /** What the admin should know or do, in a sentence or two. */
  detail: string;
  runId: string | null;
}

type RunSummary = Pick<FinishedRun['summary'], 'runId' | 'kind' | 'status' | 'message' | 'classified' | 'changed' | 'written' | 'failed' | 'stageTransitions'>;

export interface EndedRun {
  installation: AlertInstallation;
  summary: RunSummary;
}

const percent = (value: number) => `${Math.round(value * 1000) / 10} %`;

/** The alerts a run's end raises under the installation's settings (none when alerts are off). */
export function runAlerts(run: EndedRun, settings: AlertSettings, stageLabels: Readonly<Record<string, string>> = {}): AlertEvent[] {
  if (!settings.enabled) return [];
  const { summary: s, installation } = run;
  const event = (kind: AlertKind, title: string, detail: string): AlertEvent => ({ kind, installation, title, detail, runId: s.runId });
  const what = s.kind === 'sync' ? 'run' : s.kind === 'dry_run' ? 'dry run' : s.kind === 'rescore' ? 'rescore' : 'rollback';
  const out: AlertEvent[] = [];
  if (s.status === 'failed' && settings.events.runFailed) {
    out.push(event('run_failed', `${what} failed`, s.message ?? 'see the run\u2019s errors on the admin page'));
  }
  // lifecycle.ts ends a run "stopped" only when the daily API share (or the CRM's own quota) is spent.
  if (s.status === 'stopped' && settings.events.quotaStopped) {
    out.push(event('quota_stopped', `${what} stopped by the API quota`, `${s.message ?? 'the daily API allowance is spent'}.`));
  }
  // The shares describe what a sync wrote; a dry run or a rollback changes no scores.
  if (s.kind !== 'sync') return out;
  const attempted = Math.max(s.changed, s.written + s.failed);
  const failedLimit = settings.thresholds.failedShare;
  if (failedLimit !== null && attempted > 0 && s.failed / attempted > failedLimit) {
    out.push(
      event('failed_share', `${percent(s.failed / attempted)} of records failed to write`, `${s.failed} of ${attempted} records could not be written (alert above ${percent(failedLimit)}); they are retried by the next run.`),
    );
  }
  const moveLimit = settings.thresholds.stageMoveShare;
  if (moveLimit !== null && s.classified > 0) {
    const targets = new Set<string>(settings.thresholds.stageMoveTo);
    const moved = new Map<string, number>();
    for (const [transition, count] of Object.entries(s.stageTransitions)) {
      const [from, to] = transition.split('\u2192');
      // A first score ("none→at_risk") is not a move: a new installation's first run would always alert.
      if (from === undefined || to === undefined || from === 'none' || from === to || !targets.has(to)) continue;
      moved.set(to, (moved.get(to) ?? 0) + count);
    }
    const total = [...moved.values()].reduce((a, b) => a + b, 0);
    if (total / s.classified > moveLimit) {
      const into = [...moved.entries()].map(([stage, count]) => `${count} to ${stageLabels[stage] ?? stage}`).join(', ');
      out.push(event('stage_moves', `${percent(total / s.classified)} of customers moved to ${[...moved.keys()].map((k) => stageLabels[k] ?? k).join(' or ')}`, `${into}, of ${s.classified} customers classified (alert above ${percent(moveLimit)}).`));
    }
  }
  return out;
}

export interface SuccessHistory {
  installation: AlertInstallation;
  /** The last successful sync run, or null when there has been none. */
  lastSuccess: { runId: string; finishedAt: number } | null;
  /** When the installation was added (the clock starts there when it never succeeded). */
  createdAt: number;
}

/**
 * The "no successful run for N hours" alert when it is due, with the key that makes it one alert per
 * stretch without a success (the stretch since that success, or since the installation was added).
 */
export function noSuccessAlert(history: SuccessHistory, settings: AlertSettings, now: number): { key: string; event: AlertEvent } | null {
  const hours = settings.thresholds.noSuccessHours;
  if (!settings.enabled || hours === null) return null;
  const since = history.lastSuccess?.finishedAt ?? history.createdAt;
  if (now - since < hours * 3_600_000) return null;
  const elapsed = Math.floor((now - since) / 3_600_000);
  const detail = history.lastSuccess
    ? `The last successful run (${history.lastSuccess.runId}) finished ${elapsed} hours ago, at ${new Date(since).toISOString()}: check the runs on the admin page.`
    : `No run has succeeded since the installation was added ${elapsed} hours ago: check its credentials and its runs on the admin page.`;
  return {
    key: `no_success:${history.lastSuccess?.runId ?? 'never'}`,
    event: { kind: 'no_success', installation: history.installation, title: `no successful run for ${elapsed} hours`, detail, runId: null },
  };
}
