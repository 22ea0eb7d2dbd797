/**
 * SOQL errors, in the shape Salesforce reports them: the query line, a caret under the problem, the
 * row and column, then the reason.
 */
import { SalesforceError } from '../errors.ts';

function located(text: string, pos: number, detail: string): string {
  const before = text.slice(0, pos);
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = text.indexOf('\n', pos);
  const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
  const column = pos - lineStart + 1;
  return `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${detail}`;
}

export function malformed(text: string, pos: number, detail: string): SalesforceError {
  return new SalesforceError(400, 'MALFORMED_QUERY', located(text, pos, detail));
}

export function invalidField(text: string, pos: number, detail: string): SalesforceError {
  return new SalesforceError(400, 'INVALID_FIELD', located(text, pos, detail));
}

export function noSuchColumn(text: string, pos: number, name: string, objectName: string): SalesforceError {
  return invalidField(text, pos, `No such column '${name}' on entity '${objectName}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`);
}

export function invalidType(text: string, pos: number, name: string): SalesforceError {
  return new SalesforceError(400, 'INVALID_TYPE', located(text, pos, `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`));
}

export function invalidFilter(text: string, pos: number, detail: string): SalesforceError {
  return new SalesforceError(400, 'INVALID_QUERY_FILTER_OPERATOR', located(text, pos, detail));
}
