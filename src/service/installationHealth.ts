/** An installation's health at a glance, from its status and its newest run (the admin API, metrics). */
import type { Installation, RunRecord } from '../store/types.ts';

export const INSTALLATION_HEALTHS = ['ok', 'running', 'failing', 'paused', 'never_run'] as const;
export type InstallationHealth = (typeof INSTALLATION_HEALTHS)[number];

export function installationHealth(installation: Pick<Installation, 'status'>, last: Pick<RunRecord, 'status'> | null): InstallationHealth {
  if (installation.status === 'paused') return 'paused';
  if (!last) return 'never_run';
  if (last.status === 'running') return 'running';
  return last.status === 'failed' || last.status === 'interrupted' ? 'failing' : 'ok';
}
