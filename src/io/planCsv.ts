/** A dry run's planned changes as CSV, for people to open in a spreadsheet (`sync --dry-run`). */
import Papa from 'papaparse';
import type { FieldKey } from '../../connectors/contract/index.ts';
import type { PlannedChange } from '../store/types.ts';
import { numberCell, textCell } from './spreadsheetCells.ts';

/**
 * One row per planned field change. The current values come from the CRM, where anyone with edit
 * rights can type a formula: every text cell is made safe; numeric fields' numbers stay numbers.
 */
export function planCsv(changes: readonly PlannedChange[], numericFields: ReadonlySet<FieldKey>, header = true): string {
  const cell = (field: FieldKey, value: string | null) => (value === null ? '' : numericFields.has(field) ? numberCell(value) : textCell(value));
  const data = changes.map((c) => [textCell(c.recordId), c.field, cell(c.field, c.previous), cell(c.field, c.next)]);
  if (data.length === 0) return header ? 'recordId,field,current,planned\n' : '';
  return `${Papa.unparse({ fields: ['recordId', 'field', 'current', 'planned'], data }, { header })}\n`;
}
