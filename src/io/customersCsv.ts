/** The customer list as CSV, for people to open in a spreadsheet (the admin page's "Download CSV"). */
import Papa from 'papaparse';
import type { CustomerListRow } from '../store/customerList.ts';
import { textCell } from './spreadsheetCells.ts';

export const CUSTOMER_CSV_FIELDS = ['recordId', 'name', 'email', 'company', 'stage', 'churnRiskBand', 'valueTier', 'clv', 'churnRisk', 'ltv', 'conversionLikelihood', 'changedInLastRun', 'crmUrl'] as const;

/** Names, e-mails and companies are whatever anyone with edit rights typed into the CRM: every text cell is made safe. */
export function customersCsv(rows: readonly (CustomerListRow & { crmUrl: string | null })[], header = true): string {
  const text = (v: string | null) => textCell(v ?? '');
  const number = (v: number | null) => (v === null ? '' : v);
  const data = rows.map((r) => [
    text(r.recordId),
    text(r.name),
    text(r.email),
    text(r.company),
    text(r.stage),
    text(r.churnRiskBand),
    text(r.valueTier),
    number(r.clv),
    number(r.churnRisk),
    number(r.ltv),
    number(r.conversionLikelihood ?? null),
    r.changedInLastRun ? 'yes' : 'no',
    text(r.crmUrl),
  ]);
  if (data.length === 0) return header ? `${CUSTOMER_CSV_FIELDS.join(',')}\n` : '';
  return `${Papa.unparse({ fields: [...CUSTOMER_CSV_FIELDS], data }, { header })}\n`;
}
