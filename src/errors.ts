/** Typed errors with stable codes. The CLI prints `message` on one line; the server maps `code`. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'INPUT_NOT_FOUND'
  | 'INPUT_INVALID'
  | 'INPUT_EMPTY'
  | 'SYNC_LOCKED'
  | 'NOT_CONFIGURED'
  /** Several installations and none named (a flag or an API path names one). */
  | 'INSTALLATION_REQUIRED'
  | 'NOT_FOUND'
  /** The state database failed (locked, full, damaged, read-only, newer schema): the message names the file. */
  | 'STORE_FAILED'
  /** A run's lease was taken from it (abandoned by an admin, or expired and taken over). */
  | 'RUN_ABANDONED';

export class LifecycleSyncError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LifecycleSyncError';
    this.code = code;
  }
}

/** A problem with one input record: reported with where it came from, then skipped. */
export interface RecordProblem {
  /** Where, for people: "file.csv:17" or "HubSpot deal 123". */
  where: string;
  reason: string;
  /** The CRM record's id, when the problem is with a CRM record. */
  recordId?: string;
}
