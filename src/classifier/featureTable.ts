/**
 * A base's features in typed columns, one row per person in input order. A million feature objects cost
 * about 300 bytes each on the heap and are traced by every full garbage collection; as columns they
 * cost about 130 bytes (ids as UTF-8 bytes) and none of that tracing. Rows are built on demand
 * (`row(i)`) for the rules and the reason sentences, and die young.
 */
import type { CustomerFeatures } from './types.ts';

/** Numbers that may be absent are NaN in their column. */
const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);
const orNaN = (v: number | null | undefined): number => (v === null || v === undefined ? NaN : v);

const FLAG_ADVOCATE = 1;
const FLAG_CHURN = 2;
const FLAG_PREVIOUS_PERIOD = 4;

const NUMERIC = [
  'purchaseDays',
  'frequency',
  'recencyDays',
  'ageDays',
  'monetary',
  'ltv',
  'revenueInPeriod',
  'purchaseDaysInPeriod',
  'openDeals',
  'firstPurchaseDay',
  'lastPurchaseDay',
  'lastEngagementDay',
  'nps',
  'referrals',
] as const;
export type FeatureColumnName = (typeof NUMERIC)[number];

function columns(capacity: number): Record<FeatureColumnName, Float64Array> {
  return Object.fromEntries(NUMERIC.map((name) => [name, new Float64Array(capacity)])) as Record<FeatureColumnName, Float64Array>;
}

/** The people with a purchase, in input order: their row numbers and the columns the models fit. */
export interface PurchaserColumns {
  /** Per person: index among the purchasers, or -1. */
  index: Int32Array;
  /** Per purchaser: their row. */
  rows: Int32Array;
  frequency: Float64Array;
  recencyDays: Float64Array;
  ageDays: Float64Array;
  monetary: Float64Array;
  ltv: Float64Array;
  purchaseDays: Float64Array;
}

export class FeatureTable {
  private count = 0;
  private capacity: number;
  private numbers: Record<FeatureColumnName, Float64Array>;
  private flags: Uint8Array;
  private idBytes: Buffer;
  private idEnd: Float64Array;
  /** Churn reasons are rare: kept by row. */
  private readonly reasons = new Map<number, string>();

  constructor(capacity = 1024) {
    this.capacity = Math.max(16, capacity);
    this.numbers = columns(this.capacity);
    this.flags = new Uint8Array(this.capacity);
    this.idBytes = Buffer.alloc(this.capacity * 12);
    this.idEnd = new Float64Array(this.capacity);
  }

  static of(features: readonly CustomerFeatures[]): FeatureTable {
    const table = new FeatureTable(features.length);
    for (const f of features) table.push(f);
    return table;
  }

  get size(): number {
    return this.count;
  }

  push(f: CustomerFeatures): void {
    if (this.count === this.capacity) this.grow();
    const i = this.count;
    const set = (name: FeatureColumnName, v: number) => {
      this.numbers[name][i] = v;
    };
    set('purchaseDays', f.purchaseDays);
    set('frequency', f.frequency);
    set('recencyDays', f.recencyDays);
    set('ageDays', f.ageDays);
    set('monetary', f.monetary);
    set('ltv', f.ltv);
    set('revenueInPeriod', f.revenueInPeriod);
    set('purchaseDaysInPeriod', f.purchaseDaysInPeriod);
    set('openDeals', f.openDeals ?? 0);
    set('firstPurchaseDay', orNaN(f.firstPurchaseDay));
    set('lastPurchaseDay', orNaN(f.lastPurchaseDay));
    set('lastEngagementDay', orNaN(f.lastEngagementDay));
    set('nps', orNaN(f.nps));
    set('referrals', orNaN(f.referrals));
    this.flags[i] = (f.advocate ? FLAG_ADVOCATE : 0) | (f.churnFlag ? FLAG_CHURN : 0) | (f.purchasedInPreviousPeriod ? FLAG_PREVIOUS_PERIOD : 0);
    if (f.churnReason !== null && f.churnReason !== undefined) this.reasons.set(i, f.churnReason);
    const start = i === 0 ? 0 : this.idEnd[i - 1];
    const bytes = Buffer.byteLength(f.id, 'utf8');
    if (start + bytes > this.idBytes.length) {
      const larger = Buffer.alloc(Math.max(2 * this.idBytes.length, start + bytes));
      this.idBytes.copy(larger, 0, 0, start);
      this.idBytes = larger;
    }
    this.idBytes.write(f.id, start, 'utf8');
    this.idEnd[i] = start + bytes;
    this.count++;
  }

  /** Row i's id. */
  id(i: number): string {
    return this.idBytes.toString('utf8', i === 0 ? 0 : this.idEnd[i - 1], this.idEnd[i]);
  }

  /** A column over the rows (a view: not to be written). */
  column(name: FeatureColumnName): Float64Array {
    return this.numbers[name].subarray(0, this.count);
  }

  /** Row i as an object, for the stage rules and reasons. */
  row(i: number): CustomerFeatures {
    const n = (name: FeatureColumnName) => this.numbers[name][i];
    const flags = this.flags[i];
    return {
      id: this.id(i),
      openDeals: n('openDeals'),
      lastEngagementDay: orNull(n('lastEngagementDay')),
      nps: orNull(n('nps')),
      referrals: orNull(n('referrals')),
      advocate: (flags & FLAG_ADVOCATE) !== 0,
      churnFlag: (flags & FLAG_CHURN) !== 0,
      churnReason: this.reasons.get(i) ?? null,
      purchaseDays: n('purchaseDays'),
      firstPurchaseDay: orNull(n('firstPurchaseDay')),
      lastPurchaseDay: orNull(n('lastPurchaseDay')),
      frequency: n('frequency'),
      recencyDays: n('recencyDays'),
      ageDays: n('ageDays'),
      monetary: n('monetary'),
      ltv: n('ltv'),
      revenueInPeriod: n('revenueInPeriod'),
      purchaseDaysInPeriod: n('purchaseDaysInPeriod'),
      purchasedInPreviousPeriod: (flags & FLAG_PREVIOUS_PERIOD) !== 0,
    };
  }

  purchasers(): PurchaserColumns {
    const purchaseDays = this.column('purchaseDays');
    const index = new Int32Array(this.count);
    let k = 0;
    for (let i = 0; i < this.count; i++) index[i] = purchaseDays[i] > 0 ? k++ : -1;
    const rows = new Int32Array(k);
    for (let i = 0; i < this.count; i++) if (index[i] >= 0) rows[index[i]] = i;
    const pick = (name: FeatureColumnName) => {
      const all = this.column(name);
      const out = new Float64Array(k);
      for (let j = 0; j < k; j++) out[j] = all[rows[j]];
      return out;
    };
    return {
      index,
      rows,
      frequency: pick('frequency'),
      recencyDays: pick('recencyDays'),
      ageDays: pick('ageDays'),
      monetary: pick('monetary'),
      ltv: pick('ltv'),
      purchaseDays: pick('purchaseDays'),
    };
  }

  private grow(): void {
    const capacity = 2 * this.capacity;
    const numbers = columns(capacity);
    for (const name of NUMERIC) numbers[name].set(this.numbers[name]);
    this.numbers = numbers;
    const flags = new Uint8Array(capacity);
    flags.set(this.flags);
    this.flags = flags;
    const idEnd = new Float64Array(capacity);
    idEnd.set(this.idEnd);
    this.idEnd = idEnd;
    this.capacity = capacity;
  }
}
