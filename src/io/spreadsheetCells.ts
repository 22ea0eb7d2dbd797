/**
 * Cells of the CSV files people open in a spreadsheet (the classify output, the dry-run plan). A text
 * cell that starts with = + - @ TAB or CR is run as a formula by Excel, LibreOffice and Google Sheets
 * (CSV injection: `=HYPERLINK(...)` planted in a CRM record would become a live link that can send the
 * sheet's contents elsewhere). Such cells get a leading single quote, as OWASP recommends: the
 * spreadsheet shows the text, quote hidden or visible, and runs nothing. Numbers are not text: a number
 * column's -12.5 is written as -12.5.
 */

const EQUALS = 0x3d;
const PLUS = 0x2b;
const MINUS = 0x2d;
const AT = 0x40;
const TAB = 0x09;
const CR = 0x0d;

/** A text cell a spreadsheet will not evaluate (before CSV quoting). */
export function textCell(text: string): string {
  const first = text.charCodeAt(0);
  return first === EQUALS || first === PLUS || first === MINUS || first === AT || first === TAB || first === CR ? `'${text}` : text;
}

const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/**
 * A value of a numeric field, held as text (the plan stores the CRM's values as strings): a plain
 * decimal number is written as it is; anything else (the CRM may hold text there) is a text cell.
 */
export function numberCell(value: string): string {
  return DECIMAL.test(value) ? value : textCell(value);
}
