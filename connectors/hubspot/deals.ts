/**
 * HubSpot deals with the plugin's deal properties (`Connector.deals`): the property set on the deals
 * object (created in the plugin's group on deals, through the properties API for `deals`), a full pull
 * of every deal with its MEDDIC levels and what the win model may use (create date, amount, when it
 * entered its stage — the stage calculated property `hs_date_entered_<stage id>` —, last activity
 * `notes_last_updated`, `num_associated_contacts`, `hubspot_owner_id`; `dealname` and the stage's label for
 * people), and batch updates of the
 * plugin's outputs with a result per record (write.ts, as for contacts).
 */
import { z } from 'zod';
import { ConnectorError, DEAL_CLOSED, type DealConnector, type DealFieldKey, type DealFieldValues, type DealPullRequest, type DealUpdate, type FieldPlan, type FieldSpec, type FieldsState, isDealInputKey, type PulledDealPage, type PulledDealRecord, type RecordProblem, type WriteResult } from '../contract/index.ts';
import { countFromText, dealDisplayFrom, dealOutputsFrom, meddicFrom, timeFromText } from '../dealRecords.ts';
import { applyHubSpotFields, type PropertySet, readHubSpotFields } from './fields.ts';
import { dealFromHubSpot, type HubSpotRecord, type StageMap } from './mapping.ts';
import { listPage, loadStages, toRecord } from './pull.ts';
import { dealPropertyNames, type HubSpotSettings } from './settings.ts';
import type { HubSpotTransport } from './transport.ts';
import { objectsPath } from './versions.ts';
import { readResponse, writeObjects } from './write.ts';

const LIST_PAGE = 100;
/** Deals a page of the pull holds (ten list requests). */
const GROUP = 1000;

/** HubSpot's own deal properties the pull reads besides the plugin's. */
export const DEAL_FEATURE_PROPERTIES = ['dealname', 'amount', 'amount_in_home_currency', 'closedate', 'createdate', 'dealstage', 'pipeline', 'hs_is_closed', 'hs_is_closed_won', 'hs_lastmodifieddate', 'notes_last_updated', 'num_associated_contacts', 'hubspot_owner_id'];

const cursorSchema = z.object({ phase: z.literal('deals'), after: z.string().nullable() });

export interface HubSpotDealsOptions {
  transport: HubSpotTransport;
  settings: HubSpotSettings;
  specs: FieldSpec<DealFieldKey>[];
}

export class HubSpotDeals implements DealConnector {
  readonly label = 'HubSpot';
  readonly maxBatchSize = 100;
  private readonly transport: HubSpotTransport;
  private readonly settings: HubSpotSettings;
  private readonly set: PropertySet<DealFieldKey>;
  private readonly specs: ReadonlyMap<DealFieldKey, FieldSpec<DealFieldKey>>;

  constructor(options: HubSpotDealsOptions) {
    this.transport = options.transport;
    this.settings = options.settings;
    this.set = { objectType: 'deals', names: dealPropertyNames(options.settings), mapped: new Set(Object.keys(options.settings.dealFieldNames ?? {}) as DealFieldKey[]) };
    this.specs = new Map(options.specs.map((s) => [s.key, s]));
  }

  /** The deal property of each deal field. */
  fieldNames(): Record<DealFieldKey, string> {
    return { ...this.set.names };
  }

  readFields(specs: FieldSpec<DealFieldKey>[]): Promise<FieldsState<DealFieldKey>> {
    return readHubSpotFields(this.transport, specs, this.settings, this.set);
  }

  applyFields(plan: FieldPlan<DealFieldKey>): Promise<{ other: string[] }> {
    // A mapped MEDDIC input is the team's own property: the policy never plans to create or change it.
    return applyHubSpotFields(this.transport, plan, this.settings, 'deals');
  }

  async *pull(request: DealPullRequest): AsyncIterable<PulledDealPage> {
    let cursor = request.resume ? cursorSchema.parse(request.resume) : { phase: 'deals' as const, after: null };
    const stages = await loadStages({ transport: this.transport });
    // Every stage's "date entered" property: the deal's own stage picks its one.
    const entered = [...new Set([...stages.keys()].map((k) => `hs_date_entered_${k.slice(k.indexOf('/') + 1)}`))];
    const properties = [...new Set([...DEAL_FEATURE_PROPERTIES, ...entered, ...request.fields.map((k) => this.set.names[k])])];
    for (;;) {
      const records: HubSpotRecord[] = [];
      let after = cursor.after;
      do {
        const page = listPage.parse((await this.transport.call('api', 'list deals', (c) => c.crm.deals.basicApi.getPageWithHttpInfo(LIST_PAGE, after ?? undefined, properties))).data);
        records.push(...page.results.map(toRecord));
        after = page.paging?.next?.after ?? null;
      } while (after && records.length < GROUP);
      const deals: PulledDealRecord[] = [];
      const problems: RecordProblem[] = [];
      for (const r of records) {
        const mapped = this.dealOf(r, request.fields, stages);
        problems.push(...mapped.problems);
        if (mapped.deal) deals.push(mapped.deal);
      }
      cursor = { phase: 'deals', after };
      yield { deals, problems, cursor };
      if (after === null) return;
    }
  }

  private dealOf(r: HubSpotRecord, fields: DealFieldKey[], stages: StageMap): { deal: PulledDealRecord | null; problems: RecordProblem[] } {
    const base = dealFromHubSpot(r, [], stages);
    const problems = [...base.problems];
    if (!base.deal) return { deal: null, problems };
    const problem = (reason: string) => problems.push({ where: `HubSpot deal ${r.id}`, reason, recordId: r.id });
    const p = r.properties;
    const nameOf = (key: DealFieldKey) => this.set.names[key];
    const stage = p.dealstage ?? null;
    const deal: PulledDealRecord = {
      recordId: r.id,
      status: base.deal.status,
      modifiedAt: base.deal.modifiedAt,
      meddic: meddicFrom((key) => p[nameOf(key)], fields, problem, nameOf),
      features: {
        createdAt: timeFromText(p.createdate),
        amount: base.deal.amount,
        stageEnteredAt: stage === null ? null : timeFromText(p[`hs_date_entered_${stage}`]),
        lastActivityAt: timeFromText(p.notes_last_updated),
        contactCount: countFromText(p.num_associated_contacts),
        ownerId: p.hubspot_owner_id ? p.hubspot_owner_id : null,
        closeDay: base.deal.closeDay,
      },
      fieldValues: dealOutputsFrom((key) => p[nameOf(key)], fields, this.specs, problem, nameOf),
    };
    // The stage as the portal labels it (the id where the pipelines API gave no label).
    const display = dealDisplayFrom({ name: p.dealname, stage: stage === null ? null : (stages.get(`${p.pipeline ?? ''}/${stage}`)?.label ?? stage) });
    if (display) deal.display = display;
    return { deal, problems };
  }

  async write(updates: DealUpdate[], options: { skipClosed: boolean }): Promise<WriteResult[]> {
    if (updates.length > this.maxBatchSize) throw new ConnectorError('CRM_REJECTED', `HubSpot takes at most ${this.maxBatchSize} updates a call (got ${updates.length})`);
    for (const u of updates) {
      const input = Object.keys(u.values).find(isDealInputKey);
      if (input !== undefined) throw new ConnectorError('CRM_REJECTED', `${input} is the rep's MEDDIC input: the plugin never writes it (deal ${u.recordId})`);
    }
    const closed = options.skipClosed ? await this.closedOf(updates.map((u) => u.recordId)) : new Set<string>();
    const open = updates.filter((u) => !closed.has(u.recordId));
    const written = new Map((await writeObjects({ transport: this.transport, names: this.set.names, apiVersion: this.settings.apiVersion, object: 'deals' }, open)).map((r) => [r.recordId, r]));
    return updates.map(
      (u): WriteResult => written.get(u.recordId) ?? { recordId: u.recordId, ok: false, code: DEAL_CLOSED, message: `HubSpot deal ${u.recordId} is closed: left as it is` },
    );
  }

  /** The closed deals among these (one batch read of hs_is_closed); unknown ids are not closed (the write reports them). */
  private async closedOf(ids: string[]): Promise<Set<string>> {
    const rows = await this.batchRead(ids, ['hs_is_closed']);
    return new Set(rows.filter((r) => r.properties.hs_is_closed === 'true').map((r) => r.id));
  }

  async readFieldValues(recordIds: string[]): Promise<Map<string, DealFieldValues>> {
    const keys = [...this.specs.keys()].filter((k) => !isDealInputKey(k));
    const out = new Map<string, DealFieldValues>();
    for (const r of await this.batchRead(recordIds, keys.map((k) => this.set.names[k]))) {
      out.set(r.id, dealOutputsFrom((key) => r.properties[this.set.names[key]], keys, this.specs, () => undefined, (key) => this.set.names[key]));
    }
    return out;
  }

  private async batchRead(ids: string[], properties: string[]): Promise<{ id: string; properties: Record<string, string | null> }[]> {
    const out: { id: string; properties: Record<string, string | null> }[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      const body = { inputs: ids.slice(i, i + 100).map((id) => ({ id })), properties, propertiesWithHistory: [] };
      const label = `batch read ${body.inputs.length} deals`;
      const data =
        this.settings.apiVersion === 'legacy'
          ? (await this.transport.call('api', label, (c) => c.crm.deals.batchApi.readWithHttpInfo(body))).data
          : (await this.transport.request('api', label, { method: 'POST', path: objectsPath(this.settings.apiVersion, 'deals/batch/read'), body })).data;
      const parsed = readResponse.safeParse(data);
      if (!parsed.success) throw new ConnectorError('INVALID_RESPONSE', `HubSpot answered the deals' batch read unexpectedly: ${z.prettifyError(parsed.error)}`);
      out.push(...parsed.data.results);
    }
    return out;
  }
}
