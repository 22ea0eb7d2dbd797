/** A run's per-record errors as CSV, for people to open in a spreadsheet (the admin page's export). */
import Papa from 'papaparse';
import type { RunErrorRecord } from '../store/types.ts';
import { textCell } from './spreadsheetCells.ts';

/** Messages quote what the CRM held, which anyone with edit rights could have typed: every text cell is made safe. */
export function errorsCsv(errors: readonly RunErrorRecord[], header = true): string {
  const data = errors.map((e) => [textCell(e.recordId ?? ''), e.phase, e.code, textCell(e.message), new Date(e.at).toISOString()]);
  if (data.length === 0) return header ? 'recordId,phase,code,message,at\n' : '';
  return `${Papa.unparse({ fields: ['recordId', 'phase', 'code', 'message', 'at'], data }, { header })}\n`;
}
