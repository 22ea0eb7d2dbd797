/**
 * Salesforce Opportunities with the plugin's deal fields (`Connector.deals`): custom fields on
 * Opportunity through the Metadata API and the same permission set as the customer fields (fields.ts),
 * a full pull by SOQL (REST query pages in Id order) of every Opportunity with its MEDDIC levels and
 * what the win model may use — CreatedDate, Amount (converted in multi-currency orgs), LastStageChangeDate
 * (API 52.0+), LastActivityDate, the contact roles' count (a subquery's totalSize), OwnerId —, and
 * sObject Collections updates of the plugin's outputs with a result per record (write.ts).
 */
import { z } from 'zod';
import { ConnectorError, DEAL_CLOSED, DEAL_OUTPUT_KEYS, type DealConnector, type DealFieldKey, type DealFieldValues, type DealPullRequest, type DealUpdate, type FieldPlan, type FieldSpec, type FieldsState, isDealInputKey, type PulledDealPage, type PulledDealRecord, type RecordProblem, type WriteResult } from '../contract/index.ts';
import { dealDisplayFrom, dealOutputsFrom, meddicFrom, timeFromText } from '../dealRecords.ts';
import type { SalesforceApi } from './api.ts';
import { applySalesforceFields, type FieldSet, readSalesforceFields } from './fields.ts';
import { dealFromOpportunity, OPPORTUNITY_FIELDS, text, type CurrencyRates, type SalesforceRecord } from './mapping.ts';
import { currencyRates, restQuery } from './pull.ts';
import { dealFieldApiNames, type SalesforceSettings } from './settings.ts';
import { chunks, soqlId, soqlIdList } from './soql.ts';
import { COLLECTION_LIMIT, writeCollection, type WriteContext } from './write.ts';

const OBJECT = 'Opportunity';
/** Opportunity's own fields the pull reads besides the plugin's and OPPORTUNITY_FIELDS (Name and StageName for people, never scored). */
export const DEAL_FEATURE_FIELDS = ['CreatedDate', 'LastStageChangeDate', 'LastActivityDate', 'OwnerId', 'Name', 'StageName'];

const cursorSchema = z.object({ phase: z.literal('deals'), afterId: z.string().nullable() });
const roles = z.object({ totalSize: z.number() }).nullable().optional();
const closedRows = z.object({ records: z.array(z.object({ Id: z.string(), IsClosed: z.boolean() }).passthrough()), done: z.boolean(), nextRecordsUrl: z.string().optional() });
const retrieved = z.array(z.record(z.string(), z.unknown()).nullable());

export interface SalesforceDealsOptions {
  writes: Omit<WriteContext, 'object' | 'names' | 'specs'>;
  settings: SalesforceSettings;
  specs: FieldSpec<DealFieldKey>[];
}

export class SalesforceDeals implements DealConnector {
  readonly label = 'Salesforce';
  readonly maxBatchSize = COLLECTION_LIMIT;
  private readonly settings: SalesforceSettings;
  private readonly set: FieldSet<DealFieldKey>;
  private readonly writes: WriteContext<DealFieldKey>;
  private readonly api: SalesforceApi;

  constructor(options: SalesforceDealsOptions) {
    this.settings = options.settings;
    const names = dealFieldApiNames(options.settings);
    this.set = { object: OBJECT, names, mapped: new Set(Object.keys(options.settings.dealFieldNames ?? {}) as DealFieldKey[]) };
    this.writes = { ...options.writes, object: OBJECT, names, specs: new Map(options.specs.map((s) => [s.key, s])) };
    this.api = options.writes.api;
  }

  /** The Opportunity field of each deal field. */
  fieldNames(): Record<DealFieldKey, string> {
    return { ...this.set.names };
  }

  readFields(specs: FieldSpec<DealFieldKey>[]): Promise<FieldsState<DealFieldKey>> {
    return readSalesforceFields(this.writes, specs, this.settings, this.set);
  }

  applyFields(plan: FieldPlan<DealFieldKey>): Promise<{ other: string[] }> {
    return applySalesforceFields(this.writes, plan, this.settings, OBJECT);
  }

  async *pull(request: DealPullRequest): AsyncIterable<PulledDealPage> {
    let cursor = request.resume ? cursorSchema.parse(request.resume) : { phase: 'deals' as const, afterId: null };
    const rates = await currencyRates(this.api);
    const fields = [...new Set([...OPPORTUNITY_FIELDS, ...(rates === null ? [] : ['CurrencyIsoCode']), ...DEAL_FEATURE_FIELDS, ...request.fields.map((k) => this.set.names[k])])];
    const where = cursor.afterId ? ` WHERE Id > ${soqlId(cursor.afterId)}` : '';
    const soql = `SELECT ${fields.join(', ')}, (SELECT Id FROM OpportunityContactRoles) FROM ${OBJECT}${where} ORDER BY Id`;
    for await (const records of restQuery(this.api, 'query opportunities with deal fields', soql)) {
      const deals: PulledDealRecord[] = [];
      const problems: RecordProblem[] = [];
      for (const r of records) {
        const mapped = this.dealOf(r, request.fields, rates);
        problems.push(...mapped.problems);
        if (mapped.deal) deals.push(mapped.deal);
      }
      const last = records.length > 0 ? text(records[records.length - 1], 'Id') : null;
      cursor = { phase: 'deals', afterId: last ?? cursor.afterId };
      yield { deals, problems, cursor };
    }
  }

  private dealOf(r: SalesforceRecord, fields: DealFieldKey[], rates: CurrencyRates): { deal: PulledDealRecord | null; problems: RecordProblem[] } {
    const base = dealFromOpportunity(r, [], rates);
    const problems = [...base.problems];
    if (!base.deal) return { deal: null, problems };
    const id = base.deal.recordId;
    const problem = (reason: string) => problems.push({ where: `Salesforce Opportunity ${id}`, reason, recordId: id });
    const nameOf = (key: DealFieldKey) => this.set.names[key];
    const roleCount = roles.safeParse(r.OpportunityContactRoles);
    const deal: PulledDealRecord = {
      recordId: id,
      status: base.deal.status,
      modifiedAt: base.deal.modifiedAt,
      meddic: meddicFrom((key) => text(r, nameOf(key)), fields, problem, nameOf),
      features: {
        createdAt: timeFromText(text(r, 'CreatedDate')),
        amount: base.deal.amount,
        stageEnteredAt: timeFromText(text(r, 'LastStageChangeDate')),
        lastActivityAt: timeFromText(text(r, 'LastActivityDate')),
        // No contact roles: Salesforce answers the subquery with null.
        contactCount: roleCount.success ? (roleCount.data?.totalSize ?? 0) : null,
        ownerId: text(r, 'OwnerId'),
        closeDay: base.deal.closeDay,
      },
      fieldValues: dealOutputsFrom((key) => text(r, nameOf(key)), fields, this.writes.specs, problem, nameOf),
    };
    const display = dealDisplayFrom({ name: text(r, 'Name'), stage: text(r, 'StageName') });
    if (display) deal.display = display;
    return { deal, problems };
  }

  async write(updates: DealUpdate[], options: { skipClosed: boolean }): Promise<WriteResult[]> {
    if (updates.length > this.maxBatchSize) throw new ConnectorError('CRM_REJECTED', `Salesforce takes at most ${this.maxBatchSize} records a call (got ${updates.length})`);
    for (const u of updates) {
      const input = Object.keys(u.values).find(isDealInputKey);
      if (input !== undefined) throw new ConnectorError('CRM_REJECTED', `${input} is the rep's MEDDIC input: the plugin never writes it (Opportunity ${u.recordId})`);
    }
    const closed = options.skipClosed ? await this.closedOf(updates.map((u) => u.recordId)) : new Set<string>();
    const open = updates.filter((u) => !closed.has(u.recordId));
    const written = new Map((open.length > 0 ? await writeCollection<DealFieldKey>(this.writes, open) : []).map((r) => [r.recordId, r]));
    return updates.map((u): WriteResult => written.get(u.recordId) ?? { recordId: u.recordId, ok: false, code: DEAL_CLOSED, message: `Opportunity ${u.recordId} is closed: left as it is` });
  }

  /** The closed Opportunities among these (a SOQL query by Id); ids it does not find are not closed (the write reports them). */
  private async closedOf(ids: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const group of chunks(ids, 200)) {
      let page = await this.api.json('read opportunities closed', closedRows, { method: 'GET', url: `/query?q=${encodeURIComponent(`SELECT Id, IsClosed FROM ${OBJECT} WHERE Id IN ${soqlIdList(group)}`)}` });
      for (;;) {
        for (const r of page.records) if (r.IsClosed) out.add(r.Id);
        if (page.done || !page.nextRecordsUrl) break;
        page = await this.api.json('read opportunities closed', closedRows, { method: 'GET', url: page.nextRecordsUrl });
      }
    }
    return out;
  }

  async readFieldValues(recordIds: string[]): Promise<Map<string, DealFieldValues>> {
    const keys = DEAL_OUTPUT_KEYS.filter((k) => this.writes.specs.has(k));
    const out = new Map<string, DealFieldValues>();
    for (const ids of chunks(recordIds, 2000)) {
      const body = { ids, fields: ['Id', ...keys.map((k) => this.set.names[k])] };
      for (const r of await this.api.json(`read ${ids.length} ${OBJECT} records`, retrieved, { method: 'POST', url: `/composite/sobjects/${OBJECT}`, body })) {
        const id = r === null ? null : text(r, 'Id');
        if (r === null || id === null) continue;
        out.set(id, dealOutputsFrom((key) => text(r, this.set.names[key]), keys, this.writes.specs, () => undefined, (key) => this.set.names[key]));
      }
    }
    return out;
  }
}
