/**
 * What a connector needs from its host, declared here so that connectors import nothing from the
 * program (src/): somewhere to log, the shape of a record it could not read, the customer signals it
 * maps CRM fields into, and where its credentials are kept between runs.
 */

/** The host's logger, as far as a connector uses it (winston's Logger is one). */
export interface ConnectorLogger {
  debug(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

/** A problem with one input record: reported with where it came from, then skipped. */
export interface RecordProblem {
  /** Where, for people: "file.csv:17" or "HubSpot deal 123". */
  where: string;
  reason: string;
  /** The CRM record's id, when the problem is with a CRM record. */
  recordId?: string;
}

/**
 * What a customer's CRM record says besides purchases, in the classifier's terms. Connectors map their
 * fields into it as read; whether a value is plausible (an NPS from 0 to 10, say) is the engine's check.
 */
export interface CustomerSignals {
  openDeals?: number;
  /** UTC day (days since 1970-01-01) of the last engagement. */
  lastEngagementDay?: number | null;
  nps?: number | null;
  referrals?: number | null;
  advocate?: boolean;
  churnFlag?: boolean;
  churnReason?: string | null;
  /** UTC day the CRM record was created (prospects: the record's age; absent: unknown). */
  createdDay?: number | null;
  /** Where the person came from (the CRM's lead source), as the CRM names it. */
  leadSource?: string | null;
}

/** Credentials as the host keeps them (encrypted at rest); this is their decrypted shape. */
export interface StoredCredentials {
  kind: 'oauth' | 'access_token' | 'jwt';
  accessToken?: string;
  refreshToken?: string;
  /** Epoch ms when the access token expires. */
  expiresAt?: number;
  /** CRM-specific extras (Salesforce instance URL, HubSpot hub id, JWT username...). */
  extra?: Record<string, string>;
}

/** One installation's stored credentials: read by the host before it connects, saved when a token or session is renewed. */
export interface CredentialStore {
  /** What the store holds now (null: nothing, or the host cannot read credentials). */
  stored: StoredCredentials | null;
  /** Null when the host cannot keep credentials (no encryption key): renewed tokens live in memory only. */
  save: ((credentials: StoredCredentials) => Promise<void>) | null;
}
