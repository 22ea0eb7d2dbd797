/**
 * The memory CRM's deal object (the contract's DealConnector), so the engine's deal policy (fields, dry
 * run, open deals only, closed since the pull, rollback) can be tested fast: the deals are the memory
 * CRM's (MemoryDeal, with the rep's MEDDIC levels and the plugin's outputs), the deal fields' definitions
 * sit beside the customer fields' under `lcs_deal_<key>`, and every call is a counted request.
 */
import {
  DEAL_CLOSED,
  DEAL_INPUT_KEYS,
  MEDDIC_ELEMENTS,
  MEDDIC_INPUT_KEY,
  RECORD_NOT_FOUND,
  ConnectorError,
  type DealConnector,
  type DealFieldKey,
  type DealFieldValues,
  type DealOutputKey,
  type DealPullRequest,
  type DealUpdate,
  type FieldPlan,
  type FieldSpec,
  type FieldsState,
  type PulledDealPage,
  type WriteResult,
} from '../../connectors/contract/index.ts';
import type { MemoryCrm, RequestKind } from './memoryCrm.ts';

const INPUTS: ReadonlySet<DealFieldKey> = new Set(DEAL_INPUT_KEYS);

/** The CRM's name of a deal field. */
export const dealFieldName = (key: DealFieldKey): string => `lcs_deal_${key}`;

export class MemoryDealConnector implements DealConnector {
  readonly label = 'Memory CRM deals';
  readonly maxBatchSize: number;
  private readonly memory: MemoryCrm;
  private readonly call: (kind: RequestKind) => Promise<void>;

  constructor(memory: MemoryCrm, maxBatchSize: number, call: (kind: RequestKind) => Promise<void>) {
    this.memory = memory;
    this.maxBatchSize = maxBatchSize;
    this.call = call;
  }

  async readFields(specs: FieldSpec<DealFieldKey>[]): Promise<FieldsState<DealFieldKey>> {
    await this.call('fields');
    const existing: FieldsState<DealFieldKey>['existing'] = {};
    for (const spec of specs) {
      const d = this.memory.definitions.get(dealFieldName(spec.key));
      if (d) existing[spec.key] = { ...d, key: spec.key, compatible: d.crmType === spec.type };
    }
    const names = Object.fromEntries(specs.map((s) => [s.key, { name: dealFieldName(s.key), mapped: false }])) as FieldsState<DealFieldKey>['names'];
    return { names, existing, setup: [], labelMaxLength: null, inPlace: false };
  }

  async applyFields(plan: FieldPlan<DealFieldKey>): Promise<{ other: string[] }> {
    for (const c of [...plan.create.map((c) => ({ ...c, options: (c.spec.options ?? []).map((o) => ({ ...o, active: true })) })), ...plan.update]) {
      await this.call('fields');
      const s = c.spec;
      this.memory.definitions.set(c.name, { name: c.name, crmType: s.type, compatible: true, label: s.label, description: s.description, options: c.options, maxLength: s.maxLength ?? null, decimals: s.decimals ?? null, readable: true });
    }
    return { other: [] };
  }

  /** Deal pulls are full: every deal, in id order, one page (the memory CRM is small). */
  async *pull(request: DealPullRequest): AsyncIterable<PulledDealPage> {
    await this.call('pull');
    const read = new Set(request.fields);
    const deals = [...this.memory.deals.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    yield {
      deals: deals.map((d) => ({
        recordId: d.id,
        status: d.status,
        modifiedAt: d.modifiedAt,
        meddic: Object.fromEntries(MEDDIC_ELEMENTS.map((e) => [e, read.has(MEDDIC_INPUT_KEY[e]) ? (d.meddic?.[e] ?? null) : null])) as PulledDealRecord['meddic'],
        features: { createdAt: d.createdAt ?? null, amount: d.amount, stageEnteredAt: null, lastActivityAt: null, contactCount: d.customerIds.length, ownerId: null, closeDay: d.closeDay },
        fieldValues: Object.fromEntries(Object.entries(d.outputs ?? {}).filter(([k]) => read.has(k as DealOutputKey))),
      })),
      problems: [],
      cursor: { phase: 'deals', after: null },
    };
  }

  async write(updates: DealUpdate[], options: { skipClosed: boolean }): Promise<WriteResult[]> {
    if (updates.length > this.maxBatchSize) throw new ConnectorError('CRM_REJECTED', `at most ${this.maxBatchSize} deal updates a call`);
    for (const u of updates) for (const key of Object.keys(u.values)) if (INPUTS.has(key as DealFieldKey)) throw new ConnectorError('CRM_REJECTED', `${key} is the rep's MEDDIC input: the plugin never writes it`);
    await this.call('write');
    return updates.map((u): WriteResult => {
      const d = this.memory.deals.get(u.recordId);
      if (!d) return { recordId: u.recordId, ok: false, code: RECORD_NOT_FOUND, message: 'no such deal' };
      if (options.skipClosed && d.status !== 'open') return { recordId: u.recordId, ok: false, code: DEAL_CLOSED, message: 'the deal is closed' };
      d.outputs = { ...d.outputs, ...u.values };
      d.modifiedAt = this.memory.tick();
      return { recordId: u.recordId, ok: true, modifiedAt: d.modifiedAt };
    });
  }

  async readFieldValues(recordIds: string[]): Promise<Map<string, DealFieldValues>> {
    await this.call('read');
    const out = new Map<string, DealFieldValues>();
    for (const id of recordIds) {
      const d = this.memory.deals.get(id);
      if (d) out.set(id, { ...d.outputs });
    }
    return out;
  }
}

type PulledDealRecord = PulledDealPage['deals'][number];
