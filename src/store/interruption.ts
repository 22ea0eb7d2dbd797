/**
 * What a run that did not finish is recorded with, in both stores: its counts from its audit (a killed run
 * never recorded them) and a message saying what it wrote, what was in flight, and what comes next.
 */
import type { AuditState, RunRecord, RunStats } from './types.ts';

export const PROCESS_GONE = 'the process running it stopped before it finished';

/** The interrupted run's stats and message, from how many records of its audit are in each state. */
export function interruption(run: RunRecord, counts: Partial<Record<AuditState, number>>, reason: string): { stats: RunStats; message: string } {
  const written = Math.max(run.stats.written, counts.applied ?? 0);
  const failed = Math.max(run.stats.failed, counts.failed ?? 0);
  const unknown = (counts.pending ?? 0) + (counts.superseded ?? 0);
  const parts = [`${written} records written`, ...(failed > 0 ? [`${failed} failed`] : []), ...(unknown > 0 ? [`${unknown} in flight when it stopped`] : [])];
  const rollback = (run.kind === 'sync' || run.kind === 'rescore') && written + unknown > 0 ? '; it can be rolled back' : '';
  return { stats: { ...run.stats, written, failed }, message: `${reason} (${parts.join(', ')}); the next run continues its work${rollback}` };
}
