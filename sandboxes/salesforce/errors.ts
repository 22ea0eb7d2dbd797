/**
 * Salesforce-shaped errors. REST answers are JSON arrays of `{message, errorCode[, fields]}`; per-record
 * results inside sObject Collections and Bulk use `statusCode` instead.
 */

export interface ApiErrorBody {
  message: string;
  errorCode: string;
  fields?: string[];
}

/** A whole-request failure: its status and the one error Salesforce puts in the array. */
export class SalesforceError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly fields: readonly string[] | undefined;

  constructor(status: number, errorCode: string, message: string, fields?: readonly string[]) {
    super(message);
    this.name = 'SalesforceError';
    this.status = status;
    this.errorCode = errorCode;
    this.fields = fields;
  }

  body(): ApiErrorBody[] {
    return [{ message: this.message, errorCode: this.errorCode, ...(this.fields === undefined ? {} : { fields: [...this.fields] }) }];
  }
}

/** One record's failure inside a collection or bulk result. */
export interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

export function recordError(statusCode: string, message: string, fields: string[] = []): RecordError {
  return { statusCode, message, fields };
}

/** Thrown by record validation so that single-record routes can answer 400 with the same content. */
export class RecordErrors extends Error {
  readonly errors: readonly RecordError[];

  constructor(errors: readonly RecordError[]) {
    super(errors.map((e) => `${e.statusCode}: ${e.message}`).join('; '));
    this.name = 'RecordErrors';
    this.errors = errors;
  }
}

export const SESSION_INVALID = 'Session expired or invalid';

export function invalidSession(): SalesforceError {
  return new SalesforceError(401, 'INVALID_SESSION_ID', SESSION_INVALID);
}

export function notFound(): SalesforceError {
  return new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
}

export function badRequest(errorCode: string, message: string, fields?: readonly string[]): SalesforceError {
  return new SalesforceError(400, errorCode, message, fields);
}

export function requestLimitExceeded(): SalesforceError {
  return new SalesforceError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
}

/** The deserialiser's whole-request error for a value of the wrong JSON type (Salesforce uses Jackson). */
export function jsonParserError(message: string): SalesforceError {
  return new SalesforceError(400, 'JSON_PARSER_ERROR', message);
}
