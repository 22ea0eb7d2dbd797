/** What a real run wrote, one row per value, as CSV for people to open in a spreadsheet (the admin page's export). */
import Papa from 'papaparse';
import type { AuditField, RunWriteRecord } from '../store/types.ts';
import { numberCell, textCell } from './spreadsheetCells.ts';

const FIELDS = ['recordId', 'name', 'email', 'field', 'before', 'after', 'status'];

/**
 * The values before and the names come from the CRM, where anyone with edit rights can type a formula:
 * every text cell is made safe; numeric fields' numbers stay numbers.
 */
export function writesCsv(records: readonly RunWriteRecord[], numericFields: ReadonlySet<AuditField>, header = true): string {
  const cell = (field: AuditField, value: string | null) => (value === null ? '' : numericFields.has(field) ? numberCell(value) : textCell(value));
  const data = records.flatMap((r) =>
    r.writes.map((w) => [textCell(r.recordId), textCell(r.display?.name ?? ''), textCell(r.display?.email ?? ''), w.field, cell(w.field, w.previous), cell(w.field, w.next), w.status]),
  );
  if (data.length === 0) return header ? `${FIELDS.join(',')}\n` : '';
  return `${Papa.unparse({ fields: FIELDS, data }, { header })}\n`;
}
