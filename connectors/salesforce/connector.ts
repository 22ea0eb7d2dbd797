/** The Salesforce connector: the Connector interface over jsforce (REST, Bulk API 2.0, Metadata API). */
import { z } from 'zod';
import { type Connector, ConnectorError, type ConnectorLogger as Logger, type DealFieldKey, type FieldKey, type FieldSpec, type FieldPlan, type FieldsState, type FieldValues, type PulledPage, type PullRequest, type QuotaState, type RecordUpdate, type RequestGuard, type Verification, verificationFailure, type WriteResult } from '../contract/index.ts';
import { realSleep, type Sleep } from '../pacing.ts';
import { DEFAULT_RETRY, type RetryPolicy } from '../retry.ts';
import { SalesforceApi } from './api.ts';
import type { SalesforceAuth } from './auth.ts';
import type { BulkTiming } from './bulk.ts';
import { SalesforceDeals } from './deals.ts';
import { applySalesforceFields, customerFieldSet, readSalesforceFields } from './fields.ts';
import { orgIdOfIdentityUrl } from './identity.ts';
import { salesforceSignalFields, type CustomerMapping } from './mapping.ts';
import { pullSalesforce } from './pull.ts';
import { pullSalesforceCustomers } from './pullById.ts';
import { fieldApiNames, type SalesforceSettings } from './settings.ts';
import { COLLECTION_LIMIT, readValues, writeBulk, writeCollection, type WriteContext } from './write.ts';

/** The versioned REST root ("Resources by Version"): what verify reads of it. */
const restRoot = z.object({ identity: z.string() });

export interface SalesforceConnectorOptions {
  settings: SalesforceSettings;
  /** The engine's field specifications (to create the fields and read values back canonically). */
  fields: FieldSpec[];
  /** The engine's deal field specifications: given and not empty, the connector has `deals` (Opportunity). */
  dealFields?: FieldSpec<DealFieldKey>[];
  auth: SalesforceAuth;
  log: Logger;
  retry?: RetryPolicy;
  clock?: () => number;
  sleep?: Sleep;
}

export class SalesforceConnector implements Connector {
  readonly crm = 'salesforce';
  readonly label = 'Salesforce';
  readonly maxBatchSize = COLLECTION_LIMIT;
  readonly bulk: Connector['bulk'];
  private readonly api: SalesforceApi;
  private readonly settings: SalesforceSettings;
  private readonly names: Record<FieldKey, string>;
  private readonly mapping: CustomerMapping;
  private readonly writes: WriteContext;
  private readonly timing: BulkTiming;
  private readonly clock: () => number;
  readonly deals?: SalesforceDeals;

  constructor(options: SalesforceConnectorOptions) {
    this.settings = options.settings;
    this.names = fieldApiNames(options.settings);
    this.clock = options.clock ?? Date.now;
    const sleep = options.sleep ?? realSleep;
    const retry = options.retry ?? DEFAULT_RETRY;
    this.api = new SalesforceApi({ auth: options.auth, apiVersion: options.settings.apiVersion, instanceUrl: options.settings.instanceUrl, retry, sleep, log: options.log });
    const specs = new Map(options.fields.map((f) => [f.key, f]));
    this.mapping = { object: options.settings.customerObject, names: this.names, specs, signals: salesforceSignalFields(options.settings.signals, options.settings.customerObject) };
    this.writes = { api: this.api, object: options.settings.customerObject, names: this.names, specs, retry, sleep };
    this.timing = { pollMs: options.settings.bulkPollMs, timeoutMs: options.settings.bulkTimeoutMs, sleep, clock: this.clock };
    if (options.dealFields && options.dealFields.length > 0) this.deals = new SalesforceDeals({ writes: { api: this.api, retry, sleep }, settings: options.settings, specs: options.dealFields });
    this.bulk = { threshold: options.settings.bulkWriteThreshold, jobSize: options.settings.bulkJobSize, write: (updates) => writeBulk(this.writes, updates, this.timing) };
  }

  /** The API name of each field (for reports and the admin page). */
  fieldNames(): Record<FieldKey, string> {
    return { ...this.names };
  }

  readFields(specs: FieldSpec[]): Promise<FieldsState> {
    return readSalesforceFields(this.writes, specs, this.settings, customerFieldSet(this.settings, this.names));
  }

  applyFields(plan: FieldPlan): Promise<{ other: string[] }> {
    return applySalesforceFields(this.writes, plan, this.settings, this.settings.customerObject);
  }

  pull(request: PullRequest): AsyncIterable<PulledPage> {
    return pullSalesforce(
      { api: this.api, mapping: this.mapping, accountFallback: this.settings.accountFallback, bulkQueryThreshold: this.settings.bulkQueryThreshold, timing: this.timing },
      request,
    );
  }

  pullCustomers(request: { customerIds: string[]; fields: FieldKey[] }): Promise<PulledPage> {
    return pullSalesforceCustomers({ api: this.api, mapping: this.mapping, accountFallback: this.settings.accountFallback, bulkQueryThreshold: this.settings.bulkQueryThreshold, timing: this.timing }, request);
  }

  write(updates: RecordUpdate[]): Promise<WriteResult[]> {
    if (updates.length > this.maxBatchSize) return Promise.reject(new ConnectorError('CRM_REJECTED', `sObject Collections take at most ${this.maxBatchSize} records a call (got ${updates.length})`));
    return writeCollection(this.writes, updates);
  }

  readFieldValues(recordIds: string[]): Promise<Map<string, FieldValues>> {
    return readValues(this.writes, recordIds);
  }

  quota(): QuotaState {
    return this.api.quota();
  }

  setRequestGuard(guard: RequestGuard | null): void {
    this.api.setGuard(guard);
  }

  async verify(): Promise<Verification> {
    try {
      // The versioned REST root: authenticated, cheap, it proves the API version is served, and its
      // `identity` (the caller's identity URL) names the org.
      const root = await this.api.json('check credentials', restRoot, { method: 'GET', url: `${this.api.restBase}/` });
      const orgId = orgIdOfIdentityUrl(root.identity);
      if (!orgId) throw new ConnectorError('INVALID_RESPONSE', 'Salesforce check credentials: the REST root\u2019s identity URL names no org id');
      const conn = await this.api.connection();
      const lightning = `${conn.instanceUrl.replace(/\/+$/, '')}/lightning/r`;
      const recordUrl = `${lightning}/${this.settings.customerObject}/{id}/view`;
      const recordLabel = this.settings.customerObject === 'Account' ? 'account' : 'contact';
      return { ok: true, account: `Salesforce org ${orgId} at ${conn.instanceUrl} (API ${this.settings.apiVersion})`, accountId: orgId, recordUrl, recordLabel, dealRecordUrl: `${lightning}/Opportunity/{id}/view` };
    } catch (error) {
      return verificationFailure(error);
    }
  }
}
