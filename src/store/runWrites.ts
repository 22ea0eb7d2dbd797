/** What both stores share to answer "what did this run write, per record": the search pattern and rows grouped into records. */
import type { CustomerDisplay } from '../../connectors/contract/index.ts';
import type { AuditState, RecordWrite, RunWriteRecord, WriteStatus } from './types.ts';

/** A LIKE pattern that finds `search` anywhere, its own % _ and \ taken literally (ESCAPE '\'). */
export function containsPattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The search, trimmed; null when there is nothing to search for. */
export function searchOf(search: string | undefined): string | null {
  const s = search?.trim() ?? '';
  return s === '' ? null : s;
}

/** An audit entry's state as the page says it; applied values a rollback of the run restored say so. */
export function writeStatus(state: AuditState, rolledBack: boolean): WriteStatus {
  if (state === 'applied') return rolledBack ? 'rolled_back' : 'written';
  if (state === 'failed') return 'failed';
  // pending or superseded: the run ended before the CRM answered for it.
  return 'unconfirmed';
}

export interface WriteRow {
  recordId: string;
  display?: CustomerDisplay;
  write: RecordWrite;
}

/** Rows in (record, id) order grouped into records. */
export function groupWrites(rows: readonly WriteRow[]): RunWriteRecord[] {
  const out: RunWriteRecord[] = [];
  for (const row of rows) {
    const last = out.at(-1);
    if (last && last.recordId === row.recordId) last.writes.push(row.write);
    else out.push({ recordId: row.recordId, ...(row.display ? { display: row.display } : {}), writes: [row.write] });
  }
  return out;
}
