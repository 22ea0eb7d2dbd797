/** The open deals as CSV, for people to open in a spreadsheet (the pipeline card's "Download CSV"). */
import Papa from 'papaparse';
import type { StoredOpenDeal } from '../store/openDeals.ts';
import { textCell } from './spreadsheetCells.ts';

export const OPEN_DEAL_CSV_FIELDS = ['dealId', 'name', 'stage', 'amount', 'meddicScore', 'winProbability', 'biggestGap', 'nextAction', 'basis', 'scoredAt', 'crmUrl'] as const;

/** Deal names, stages and next actions are text people typed (in the CRM or the configuration): every text cell is made safe. */
export function openDealsCsv(rows: readonly (StoredOpenDeal & { crmUrl: string | null })[], header = true): string {
  const text = (v: string | null) => textCell(v ?? '');
  const data = rows.map((r) => [
    text(r.dealId),
    text(r.name),
    text(r.stage),
    r.amount === null ? '' : r.amount,
    r.meddicScore,
    r.winProbability,
    text(r.biggestGap),
    text(r.nextAction),
    r.basis,
    new Date(r.scoredAt).toISOString(),
    text(r.crmUrl),
  ]);
  if (data.length === 0) return header ? `${OPEN_DEAL_CSV_FIELDS.join(',')}\n` : '';
  return `${Papa.unparse({ fields: [...OPEN_DEAL_CSV_FIELDS], data }, { header, newline: '\n' })}\n`;
}
