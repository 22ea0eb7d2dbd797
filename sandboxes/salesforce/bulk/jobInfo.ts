/** What Bulk API 2.0 jobs have in common: ids, states, and the job-info JSON (S36, S41, S44). */
import type { LineEnding, ColumnDelimiter } from './csv.ts';
import { formatDateTime } from '../values.ts';

export type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

export interface JobBase {
  id: string;
  object: string;
  createdById: string;
  createdDate: number;
  systemModstamp: number;
  state: JobState;
  apiVersion: string;
  lineEnding: LineEnding;
  columnDelimiter: ColumnDelimiter;
  /** Wall-clock time processing started and ended (totalProcessingTime). */
  startedAt?: number;
  endedAt?: number;
  errorMessage?: string;
  userId: string;
}

export function baseInfo(job: JobBase): Record<string, unknown> {
  return {
    id: job.id,
    object: job.object,
    createdById: job.createdById,
    createdDate: formatDateTime(job.createdDate),
    systemModstamp: formatDateTime(job.systemModstamp),
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
  };
}

export function timing(job: JobBase): Record<string, number> {
  const total = job.startedAt === undefined ? 0 : (job.endedAt ?? Date.now()) - job.startedAt;
  return { retries: 0, totalProcessingTime: Math.round(total) };
}

export function isTerminal(state: JobState): boolean {
  return state === 'JobComplete' || state === 'Failed' || state === 'Aborted';
}
