/** A plan's rows (one per change, in plan order) grouped back into records, as both stores read them. */
import type { PlanKey, PlannedChange, PlannedRecord } from './types.ts';

export function groupPlanRows(rows: Iterable<{ key: PlanKey; change: PlannedChange }>): PlannedRecord[] {
  const out: PlannedRecord[] = [];
  for (const { key, change } of rows) {
    const last = out.at(-1);
    if (last && last.recordId === change.recordId) last.changes.push(change);
    else out.push({ key, recordId: change.recordId, changes: [change] });
  }
  return out;
}
