/**
 * A CRM's change notifications (webhooks) as the program receives them: the connector checks a request's
 * signature and reads its events into canonical changes; the program (src/webhooks/) records them as
 * pending work per installation, and drains it. The connector knows the CRM's event shapes and its
 * signature scheme; the program knows nothing of either.
 */
import type { Environment } from './definition.ts';

/** A request as it arrived: what a signature covers. */
export interface WebhookRequest {
  method: string;
  /** The full address the CRM called (the server's public URL + path and query). */
  uri: string;
  /** The raw body, exactly as received. */
  body: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
}

/**
 * What one event means for the stored customers. `rescore`: the customer's record changed (or one of
 * their deals did); `deal`: a deal changed, whose customers the rescore side finds from the CRM; `forget`:
 * the person was deleted (or merged away) and everything stored about them goes.
 */
export type WebhookChange = (
  | { kind: 'rescore'; customerId: string }
  | { kind: 'deal'; dealId: string; deleted: boolean }
  | { kind: 'forget'; customerId: string; privacy: boolean }
) & {
  /**
   * The change matters only to installations whose customers are this kind of record (HubSpot: "contact"
   * or "company"; `ConnectorDefinition.customerRecord`): a contact's change means nothing where the
   * customers are companies, and its id may even be a company's. Absent: it matters to every installation.
   */
  record?: string;
};

export interface WebhookEvent {
  /** The CRM's id of the event: the same on every delivery of it. */
  eventId: string;
  /** When it happened in the CRM (ms since the epoch). */
  occurredAt: number;
  /** What it means; empty when it means nothing to us (why in `ignored`). */
  changes: WebhookChange[];
  ignored?: string;
}

export interface WebhookBatch {
  /** The CRM account the events are from (HubSpot portal id): finds the installation. */
  accountId: string;
  events: WebhookEvent[];
}

export type WebhookCheck = { ok: true; signature: string } | { ok: false; reason: string };
export type WebhookParse = { ok: true; batches: WebhookBatch[] } | { ok: false; reason: string };

export interface WebhookReceiver {
  /** Null when the environment holds what checking signatures needs; else what is missing, for the admin. */
  missing(env: Environment): string | null;
  /** The request's signature is valid and fresh; `signature` is its value (a replay repeats it). */
  verify(request: WebhookRequest, env: Environment, now: number): WebhookCheck;
  /**
   * The body's events (only called on a verified request), grouped by account. `ownFields` are the
   * CRM names of the plugin's own fields: changes to them are the plugin's writes and mean nothing.
   */
  parse(body: string, env: Environment, ownFields: readonly string[]): WebhookParse;
}
