/** A dry run's planned changes as CSV, for people to open in a spreadsheet (`sync --dry-run`): customers', then deals' (`deal:<id>`). */
import Papa from 'papaparse';
import type { AuditField, PlannedChange } from '../store/types.ts';
import { numberCell, textCell } from './spreadsheetCells.ts';

/**
 * One row per planned field change. The current values come from the CRM, where anyone with edit
 * rights can type a formula: every text cell is made safe; numeric fields' numbers stay numbers.
 */
export function planCsv(changes: readonly PlannedChange[], numericFields: ReadonlySet<string>, header = true): string {
  const cell = (field: AuditField, value: string | null) => (value === null ? '' : numericFields.has(field) ? numberCell(value) : textCell(value));
  const data = changes.map((c) => [textCell(c.recordId), c.field, cell(c.field, c.previous), cell(c.field, c.next)]);
  if (data.length === 0) return header ? 'recordId,field,current,planned\n' : '';
  return `${Papa.unparse({ fields: ['recordId', 'field', 'current', 'planned'], data }, { header, newline: '\n' })}\n`;
}
