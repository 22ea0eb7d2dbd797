/**
 * The CRM connector interface: small, CRM-agnostic I/O primitives. A connector pulls customers (with
 * their won deals and signals) a page at a time and writes batches of field updates; every policy —
 * what to write, when, retries, dry runs, checkpoints, audit — lives in the sync engine, once.
 * (Filled in with the sync engine; see docs/ARCHITECTURE.md.)
 */
import type { CustomerInput } from '../src/classifier/types.ts';

export type CrmName = 'hubspot' | 'salesforce';

/** One CRM record as the classifier sees it, plus the CRM's own id. */
export interface CrmCustomer extends CustomerInput {
  /** The CRM record id (HubSpot contact id, Salesforce Contact or Account id). */
  recordId: string;
}

export interface Connector {
  readonly crm: CrmName;
}
