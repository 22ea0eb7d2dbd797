/** Errors of whole connector operations, with stable codes; record-level failures are WriteResults. */

/**
 * A credentials check. Success names the CRM account the credentials belong to: `accountId` is the
 * CRM's own id for it (HubSpot portal id, Salesforce 18-character org id), the key installations are
 * kept by. A failure carries its error code and HTTP status (null when unknown), so a caller can say
 * what is wrong in its own words (/readyz shows no CRM text).
 */
/**
 * A credentials check. On success: who the account is, its id, and where a customer's record opens in the
 * CRM's own UI (`{id}` stands for the record id) when the CRM says where.
 */
/**
 * A credentials check. A success names the account; `recordUrl` links a customer's record (`{id}` in it),
 * `recordLabel` says what a customer record is there ("contact", "company", "account"); `dealRecordUrl` links a deal's
 * record the same way (the open-deal pipeline's links).
 */
export type Verification = { ok: true; account: string; accountId: string; recordUrl?: string; recordLabel?: string; dealRecordUrl?: string } | { ok: false; message: string; code: string | null; status: number | null };

/** The failed Verification for an error thrown by the check. */
export function verificationFailure(error: unknown): Verification & { ok: false } {
  const status = (error as { status?: unknown } | null)?.status;
  const code = (error as { code?: unknown } | null)?.code;
  return {
    ok: false,
    message: error instanceof Error ? error.message : String(error),
    code: error instanceof Error && typeof code === 'string' ? code : null,
    status: typeof status === 'number' ? status : null,
  };
}

export type ConnectorErrorCode =
  /** Credentials or settings missing or unusable in the environment or configuration. */
  | 'NOT_CONFIGURED'
  | 'AUTH_FAILED'
  | 'QUOTA_SHARE_SPENT'
  | 'QUOTA_EXHAUSTED'
  | 'FIELD_CONFLICT'
  | 'CRM_UNAVAILABLE'
  | 'CRM_REJECTED'
  | 'INVALID_RESPONSE';

/** A failure of a whole connector operation (record-level failures are WriteResults). */
export class ConnectorError extends Error {
  readonly code: ConnectorErrorCode;
  readonly status: number | null;
  constructor(code: ConnectorErrorCode, message: string, options: { status?: number | null; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ConnectorError';
    this.code = code;
    this.status = options.status ?? null;
  }
}
