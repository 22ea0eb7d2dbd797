/** The HubSpot connector: the Connector interface over the official SDK (@hubspot/api-client). */
import { type Connector, ConnectorError, type ConnectorLogger as Logger, type DealFieldKey, type FieldKey, type FieldPlan, type FieldSpec, type FieldsState, type FieldValues, type PulledPage, type PullRequest, type QuotaState, type RecordUpdate, type RequestGuard, type Verification, verificationFailure, type WriteResult } from '../contract/index.ts';
import type { Sleep } from '../pacing.ts';
import { readHubSpotAccount } from './account.ts';
import type { TokenSource } from './auth.ts';
import { applyHubSpotFields, contactProperties, readHubSpotFields } from './fields.ts';
import { hubspotSignalFields, type ContactMapping } from './mapping.ts';
import { pullHubSpot } from './pull.ts';
import { pullHubSpotContacts } from './pullById.ts';
import { CUSTOMER_OBJECTS, propertyNames, type HubSpotSettings } from './settings.ts';
import type { RetryPolicy } from '../retry.ts';
import { HubSpotTransport } from './transport.ts';
import { readContactValues, type WriteContext, writeContacts } from './write.ts';
import { HubSpotDeals } from './deals.ts';

export interface HubSpotConnectorOptions {
  settings: HubSpotSettings;
  /** The engine's field specifications (to read values back in canonical form). */
  fields: FieldSpec[];
  /** The engine's deal field specifications: given and not empty, the connector has `deals`. */
  dealFields?: FieldSpec<DealFieldKey>[];
  auth: TokenSource;
  burstShare: number;
  log: Logger;
  retry?: RetryPolicy;
  clock?: () => number;
  sleep?: Sleep;
}

export class HubSpotConnector implements Connector {
  readonly crm = 'hubspot';
  readonly label = 'HubSpot';
  readonly maxBatchSize = 100;
  private readonly transport: HubSpotTransport;
  private readonly settings: HubSpotSettings;
  private readonly names: Record<FieldKey, string>;
  private readonly mapping: ContactMapping;
  readonly deals?: HubSpotDeals;

  constructor(options: HubSpotConnectorOptions) {
    this.settings = options.settings;
    this.names = propertyNames(options.settings);
    this.mapping = { object: options.settings.customerObject, names: this.names, specs: new Map(options.fields.map((f) => [f.key, f])), signals: hubspotSignalFields(options.settings.signals) };
    this.transport = new HubSpotTransport({
      baseUrl: options.settings.baseUrl.replace(/\/+$/, ''),
      auth: options.auth,
      burstShare: options.burstShare,
      searchPerSecond: options.settings.searchPerSecond,
      retry: options.retry,
      clock: options.clock,
      sleep: options.sleep,
      log: options.log,
    });
    if (options.dealFields && options.dealFields.length > 0) this.deals = new HubSpotDeals({ transport: this.transport, settings: this.settings, specs: options.dealFields });
  }

  /** The CRM property name of each field (for reports and the admin page). */
  fieldNames(): Record<FieldKey, string> {
    return { ...this.names };
  }

  readFields(specs: FieldSpec[]): Promise<FieldsState> {
    return readHubSpotFields(this.transport, specs, this.settings, contactProperties(this.settings, this.names));
  }

  applyFields(plan: FieldPlan): Promise<{ other: string[] }> {
    return applyHubSpotFields(this.transport, plan, this.settings, this.settings.customerObject);
  }

  pull(request: PullRequest): AsyncIterable<PulledPage> {
    return pullHubSpot({ transport: this.transport, mapping: this.mapping, apiVersion: this.settings.apiVersion }, request);
  }

  async write(updates: RecordUpdate[]): Promise<WriteResult[]> {
    if (updates.length > this.maxBatchSize) throw new ConnectorError('CRM_REJECTED', `HubSpot takes at most ${this.maxBatchSize} updates a call (got ${updates.length})`);
    return writeContacts(this.writing(), updates);
  }

  pullCustomers(request: { customerIds: string[]; fields: FieldKey[] }): Promise<PulledPage> {
    return pullHubSpotContacts({ transport: this.transport, mapping: this.mapping, apiVersion: this.settings.apiVersion }, request);
  }

  readFieldValues(recordIds: string[]): Promise<Map<string, FieldValues>> {
    return readContactValues(this.writing(), recordIds, this.mapping.specs);
  }

  private writing(): WriteContext {
    return { transport: this.transport, object: this.settings.customerObject, names: this.names, apiVersion: this.settings.apiVersion };
  }

  quota(): QuotaState {
    return this.transport.quota();
  }

  setRequestGuard(guard: RequestGuard | null): void {
    this.transport.setGuard(guard);
  }

  async verify(): Promise<Verification> {
    try {
      // One call that needs a working token and says whose it is; the scopes show at the first pull.
      const account = await readHubSpotAccount(this.transport);
      // The customer's record (a contact 0-1, a company 0-2) in the portal's own UI domain (EU portals have their own).
      const object = CUSTOMER_OBJECTS[this.settings.customerObject];
      const records = `https://${account.uiDomain ?? 'app.hubspot.com'}/contacts/${account.portalId}/record`;
      const recordUrl = `${records}/${object.typeId}/{id}`;
      // Deals are object type 0-3 in the same record view.
      return { ok: true, account: `HubSpot portal ${account.portalId} at ${this.settings.baseUrl}`, accountId: account.portalId, recordUrl, recordLabel: object.singular, dealRecordUrl: `${records}/0-3/{id}` };
    } catch (error) {
      return verificationFailure(error);
    }
  }
}
