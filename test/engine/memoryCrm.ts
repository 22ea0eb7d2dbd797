/**
 * A CRM in memory, and a connector for it that implements the contract the way the real ones do (pages
 * with resumable cursors, own-write filtering, per-record write results, field definitions, a daily
 * allowance), so the engine's policy can be tested fast and exhaustively without HTTP. Hooks let a test
 * fail a record's write, stop the process at the n-th request, or run anything before a request.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { MemoryDealConnector } from './memoryDeals.ts';
import {
  canonicalFieldValues,
  ConnectorError,
  FIELD_KEYS,
  RECORD_NOT_FOUND,
  type Connector,
  type ConnectorDefinition,
  type CustomerSignals,
  type DealConnector,
  type DealFieldKey,
  type DealFieldValues,
  type DealStatus,
  type MeddicElement,
  type MeddicLevel,
  type ExistingField,
  type FieldKey,
  type FieldPlan,
  type FieldSpec,
  type FieldsState,
  type FieldValues,
  type PulledPage,
  type PullRequest,
  type QuotaState,
  type RecordUpdate,
  type RequestGuard,
  type WriteResult,
} from '../../connectors/contract/index.ts';

export interface MemoryCustomer {
  id: string;
  modifiedAt: number;
  signals: CustomerSignals;
  /** The plugin's fields by CRM name, as text. */
  fields: Record<string, string | null>;
}

export interface MemoryDeal {
  id: string;
  customerIds: string[];
  status: DealStatus;
  amount: number | null;
  closeDay: number | null;
  modifiedAt: number;
  /** The deal object's (memoryDeals.ts): the rep's MEDDIC levels, the plugin's outputs, when it was created. */
  meddic?: Partial<Record<MeddicElement, MeddicLevel>>;
  outputs?: DealFieldValues;
  createdAt?: number;
}

export type RequestKind = 'fields' | 'pull' | 'write' | 'read';

/** The CRM's state: what a person would see in it. Times come from its own clock. */
export class MemoryCrm {
  readonly customers = new Map<string, MemoryCustomer>();
  readonly deals = new Map<string, MemoryDeal>();
  /** Field definitions by CRM name. */
  readonly definitions = new Map<string, Omit<ExistingField, 'key'>>();
  requests = 0;
  dailyLimit: number | null = null;
  usedToday = 0;
  now: number;
  /** Runs before every request; throw from it to fail the request (a kill, an outage). */
  beforeRequest: ((kind: RequestKind, n: number) => void) | null = null;
  /** A record whose writes fail with this code (and message). */
  readonly failingWrites = new Map<string, string>();
  /** The account id verify() reports: each memory CRM is its own account. */
  readonly accountId = `memory-${randomUUID().slice(0, 8)}`;

  constructor(now = Date.UTC(2026, 10, 1, 12)) {
    this.now = now;
  }

  /** The CRM's clock moves on with every change, as a real CRM's last-modified times do. */
  tick(): number {
    this.now += 1000;
    return this.now;
  }

  request(kind: RequestKind): void {
    this.requests++;
    this.beforeRequest?.(kind, this.requests);
    if (this.dailyLimit !== null) {
      if (this.usedToday >= this.dailyLimit) throw new ConnectorError('QUOTA_EXHAUSTED', 'the memory CRM\u2019s daily allowance is spent');
      this.usedToday++;
    }
  }

  addCustomer(id: string, signals: CustomerSignals = {}): void {
    this.customers.set(id, { id, modifiedAt: this.tick(), signals, fields: {} });
  }

  addDeal(deal: Omit<MemoryDeal, 'modifiedAt'>): void {
    this.deals.set(deal.id, { ...deal, modifiedAt: this.tick() });
  }

  /** A person edits a customer's field (by CRM name). */
  edit(id: string, name: string, value: string | null): void {
    const c = this.customers.get(id);
    if (!c) throw new Error(`no customer ${id}`);
    c.fields[name] = value;
    c.modifiedAt = this.tick();
  }

  delete(id: string): void {
    this.customers.delete(id);
  }
}

export interface MemorySettings {
  pageSize: number;
  batchSize: number;
  fieldPrefix: string;
}

export const memorySettingsSchema = z
  .object({ pageSize: z.number().int().min(1).default(25), batchSize: z.number().int().min(1).default(10), fieldPrefix: z.string().default('lcs_') })
  .strict();

const fullCursor = z.object({ mode: z.literal('full'), phase: z.enum(['customers', 'deals']), after: z.string().nullable() });
const incrementalCursor = z.object({ mode: z.literal('incremental'), phase: z.enum(['customers', 'deals']), afterTs: z.number(), afterId: z.string().nullable() });

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class MemoryConnector implements Connector {
  readonly crm = 'memory';
  readonly label = 'Memory CRM';
  readonly maxBatchSize: number;
  private readonly names: Record<FieldKey, string>;
  private readonly specs: ReadonlyMap<FieldKey, FieldSpec>;
  private guard: RequestGuard | null = null;
  private sent = 0;
  readonly memory: MemoryCrm;
  private readonly settings: MemorySettings;
  /** With deal field specifications (deal scoring on), the deal object. */
  readonly deals?: DealConnector;

  constructor(memory: MemoryCrm, settings: MemorySettings, fields: FieldSpec[], dealFields?: FieldSpec<DealFieldKey>[]) {
    this.memory = memory;
    this.settings = settings;
    this.maxBatchSize = settings.batchSize;
    if (dealFields) this.deals = new MemoryDealConnector(memory, settings.batchSize, (kind) => this.call(kind));
    this.names = Object.fromEntries(FIELD_KEYS.map((k) => [k, `${settings.fieldPrefix}${k}`])) as Record<FieldKey, string>;
    this.specs = new Map(fields.map((f) => [f.key, f]));
  }

  /** One request: the engine's guard first, then the CRM (which may refuse it); settles like I/O would. */
  private call(kind: RequestKind): Promise<void> {
    this.guard?.();
    this.sent++;
    this.memory.request(kind);
    return Promise.resolve();
  }

  async readFields(specs: FieldSpec[]): Promise<FieldsState> {
    await this.call('fields');
    const existing: FieldsState['existing'] = {};
    for (const spec of specs) {
      const d = this.memory.definitions.get(this.names[spec.key]);
      if (d) existing[spec.key] = { ...d, key: spec.key, compatible: d.crmType === spec.type };
    }
    const names = Object.fromEntries(specs.map((s) => [s.key, { name: this.names[s.key], mapped: false }])) as FieldsState['names'];
    return { names, existing, setup: [], labelMaxLength: null, inPlace: false };
  }

  async applyFields(plan: FieldPlan): Promise<{ other: string[] }> {
    for (const c of [...plan.create.map((c) => ({ ...c, options: (c.spec.options ?? []).map((o) => ({ ...o, active: true })) })), ...plan.update]) {
      await this.call('fields');
      const s = c.spec;
      this.memory.definitions.set(c.name, { name: c.name, crmType: s.type, compatible: true, label: s.label, description: s.description, options: c.options, maxLength: s.maxLength ?? null, decimals: s.decimals ?? null, readable: true });
    }
    return { other: [] };
  }

  private customerPage(customers: MemoryCustomer[], fields: readonly FieldKey[]): PulledPage['customers'] {
    const read = new Set(fields);
    return customers.map((c) => ({
      recordId: c.id,
      modifiedAt: c.modifiedAt,
      signals: { ...c.signals },
      fieldValues: canonicalFieldValues((key) => (read.has(key) ? c.fields[this.names[key]] : null), this.specs).values,
    }));
  }

  private dealPage(deals: MemoryDeal[]): PulledPage['deals'] {
    return deals.map((d) => ({ recordId: d.id, customerIds: [...d.customerIds], status: d.status, amount: d.amount, closeDay: d.closeDay, modifiedAt: d.modifiedAt, ...(d.createdAt === undefined ? {} : { createdDay: Math.floor(d.createdAt / 86_400_000) }) }));
  }

  async *pull(request: PullRequest): AsyncIterable<PulledPage> {
    const size = this.settings.pageSize;
    if (request.mode === 'full') {
      let cursor = request.resume ? fullCursor.parse(request.resume) : { mode: 'full' as const, phase: 'customers' as const, after: null };
      while (cursor.phase === 'customers') {
        await this.call('pull');
        const page = [...this.memory.customers.values()].sort(byId).filter((c) => cursor.after === null || c.id > cursor.after).slice(0, size);
        cursor = page.length < size ? { mode: 'full', phase: 'deals', after: null } : { ...cursor, after: page[page.length - 1].id };
        yield { customers: this.customerPage(page, request.fields), deals: [], problems: [], cursor };
      }
      for (;;) {
        await this.call('pull');
        const after = cursor.after;
        const page = [...this.memory.deals.values()].sort(byId).filter((d) => after === null || d.id > after).slice(0, size);
        cursor = { ...cursor, after: page.at(-1)?.id ?? after };
        yield { customers: [], deals: this.dealPage(page), problems: [], cursor };
        if (page.length < size) return;
      }
    }
    const since = request.since ?? 0;
    let cursor = request.resume ? incrementalCursor.parse(request.resume) : { mode: 'incremental' as const, phase: 'customers' as const, afterTs: since, afterId: null };
    const skip = request.skipOwnWrites ?? null;
    const after = <T extends { id: string; modifiedAt: number }>(r: T) => r.modifiedAt > cursor.afterTs || (r.modifiedAt === cursor.afterTs && (cursor.afterId === null || r.id > cursor.afterId));
    const order = <T extends { id: string; modifiedAt: number }>(a: T, b: T) => a.modifiedAt - b.modifiedAt || byId(a, b);
    while (cursor.phase === 'customers') {
      await this.call('pull');
      const own = (c: MemoryCustomer) => skip !== null && c.fields[this.names[skip.field]] === skip.value && c.modifiedAt <= skip.unlessModifiedAfter;
      const page = [...this.memory.customers.values()].filter((c) => after(c) && !own(c)).sort(order).slice(0, size);
      const last = page.at(-1);
      cursor = page.length < size || !last ? { mode: 'incremental', phase: 'deals', afterTs: since, afterId: null } : { ...cursor, afterTs: last.modifiedAt, afterId: last.id };
      yield { customers: this.customerPage(page, request.fields), deals: [], problems: [], cursor };
    }
    for (;;) {
      await this.call('pull');
      const page = [...this.memory.deals.values()].filter(after).sort(order).slice(0, size);
      const last = page.at(-1);
      if (last) cursor = { ...cursor, afterTs: last.modifiedAt, afterId: last.id };
      yield { customers: [], deals: this.dealPage(page), problems: [], cursor };
      if (page.length < size) return;
    }
  }

  async write(updates: RecordUpdate[]): Promise<WriteResult[]> {
    if (updates.length > this.maxBatchSize) throw new ConnectorError('CRM_REJECTED', `at most ${this.maxBatchSize} updates a call`);
    await this.call('write');
    return updates.map((u): WriteResult => {
        const c = this.memory.customers.get(u.recordId);
        if (!c) return { recordId: u.recordId, ok: false, code: RECORD_NOT_FOUND, message: 'no such record' };
        const failing = this.memory.failingWrites.get(u.recordId);
        if (failing) return { recordId: u.recordId, ok: false, code: failing, message: `the memory CRM refused ${u.recordId}` };
        for (const [key, value] of Object.entries(u.values) as [FieldKey, string | null][]) c.fields[this.names[key]] = value;
        c.modifiedAt = this.memory.tick();
        return { recordId: u.recordId, ok: true, modifiedAt: c.modifiedAt };
      });
  }

  async readFieldValues(recordIds: string[]): Promise<Map<string, FieldValues>> {
    await this.call('read');
    const out = new Map<string, FieldValues>();
    for (const id of recordIds) {
      const c = this.memory.customers.get(id);
      if (c) out.set(id, canonicalFieldValues((key) => c.fields[this.names[key]], this.specs).values);
    }
    return out;
  }

  quota(): QuotaState {
    const limit = this.memory.dailyLimit;
    return { requests: this.sent, rateLimited: 0, retries: 0, daily: limit === null ? null : { limit, remaining: limit - this.memory.usedToday }, window: null };
  }

  setRequestGuard(guard: RequestGuard | null): void {
    this.guard = guard;
  }

  verify(): Promise<{ ok: true; account: string; accountId: string }> {
    return Promise.resolve({ ok: true, account: 'the memory CRM', accountId: this.memory.accountId });
  }

  /** The plugin's fields of a customer by key, as the CRM holds them. */
  valuesOf(id: string): FieldValues {
    const c = this.memory.customers.get(id);
    return c ? canonicalFieldValues((key) => c.fields[this.names[key]], this.specs).values : {};
  }
}

/** CRMs in memory by id, so the registry's `connect` (which only gets settings and environment) finds one. */
export const memoryCrms = new Map<string, MemoryCrm>();

/** The memory CRM as a registry definition: chosen by MEMORY_CRM=<id> in the environment. */
export const memoryDefinition: ConnectorDefinition = {
  name: 'memory',
  label: 'Memory CRM',
  settingsSchema: memorySettingsSchema,
  hasEnvCredentials: (env) => Boolean(env.MEMORY_CRM),
  accountVariables: ['MEMORY_CRM'],
  hasOAuthApp: () => false,
  fieldNames: (raw) => {
    const s = memorySettingsSchema.parse(raw);
    return Object.fromEntries(FIELD_KEYS.map((k) => [k, `${s.fieldPrefix}${k}`])) as Record<FieldKey, string>;
  },
  installationName: (_raw, env) => `Memory CRM ${env.MEMORY_CRM ?? ''}`,
  connect(input) {
    const crm = memoryCrms.get(input.env.MEMORY_CRM ?? '');
    if (!crm) throw new ConnectorError('NOT_CONFIGURED', 'MEMORY_CRM names no memory CRM');
    return new MemoryConnector(crm, memorySettingsSchema.parse(input.settings), input.fields, input.dealFields);
  },
};
