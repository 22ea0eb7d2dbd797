/**
 * A sorted index of one field of one table, for ORDER BY and range predicates (incremental syncs ask
 * for `SystemModstamp > :cursor ORDER BY SystemModstamp`). Built on first use, then kept up to date:
 * a write that moves a record to the end (every SystemModstamp bump) is an append, and the entry it
 * replaces goes stale; any other move marks the index for a rebuild on its next use.
 */
export type IndexKey = string | number | null;

/** Null sorts first (Salesforce's default, NULLS FIRST). */
export function compareKeys(a: IndexKey, b: IndexKey): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export class OrderedIndex {
  private keys: IndexKey[] = [];
  private seqs: number[] = [];
  /** Where each record's live entry is; entries elsewhere for the same seq are stale. */
  private posOf: number[] = [];
  private stale = 0;
  private dirty = true;
  private readonly keyOf: (seq: number) => IndexKey | undefined;
  private readonly size: () => number;

  /** `keyOf` gives a record's current key, or undefined for a record that no longer exists. */
  constructor(keyOf: (seq: number) => IndexKey | undefined, size: () => number) {
    this.keyOf = keyOf;
    this.size = size;
  }

  /** A record's key changed from `before` (undefined: new record) to `after` (undefined: removed). */
  update(seq: number, before: IndexKey | undefined, after: IndexKey | undefined): void {
    if (this.dirty || before === after) return;
    if (before !== undefined) {
      this.posOf[seq] = -1;
      this.stale++;
    }
    if (after === undefined) return;
    const last = this.keys.length - 1;
    const c = last < 0 ? 1 : compareKeys(after, this.keys[last]);
    if (c > 0 || (c === 0 && seq > this.seqs[last])) {
      this.keys.push(after);
      this.seqs.push(seq);
      this.posOf[seq] = this.keys.length - 1;
    } else {
      this.dirty = true;
    }
  }

  private ensure(): void {
    if (!this.dirty && this.stale <= this.keys.length / 2) return;
    const entries: { key: IndexKey; seq: number }[] = [];
    const n = this.size();
    for (let seq = 0; seq < n; seq++) {
      const key = this.keyOf(seq);
      if (key !== undefined) entries.push({ key, seq });
    }
    entries.sort((a, b) => compareKeys(a.key, b.key) || a.seq - b.seq);
    this.keys = entries.map((e) => e.key);
    this.seqs = entries.map((e) => e.seq);
    this.posOf = new Array<number>(n).fill(-1);
    this.seqs.forEach((seq, pos) => {
      this.posOf[seq] = pos;
    });
    this.stale = 0;
    this.dirty = false;
  }

  /** First position whose key is ≥ key (or > key when `after`). */
  private bound(key: IndexKey, after: boolean): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareKeys(this.keys[mid], key);
      if (c < 0 || (after && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Record seqs in key order between the bounds (each inclusive or not; undefined = open), ascending or
   * descending. Nulls are only included when no lower bound is given.
   */
  *scan(options: { lower?: { key: IndexKey; inclusive: boolean }; upper?: { key: IndexKey; inclusive: boolean }; descending?: boolean; nulls?: 'first' | 'last' }): Generator<number> {
    this.ensure();
    let start = options.lower === undefined ? 0 : this.bound(options.lower.key, !options.lower.inclusive);
    const end = options.upper === undefined ? this.keys.length : this.bound(options.upper.key, options.upper.inclusive);
    const firstNonNull = this.bound(null, true);
    if (options.lower !== undefined) start = Math.max(start, firstNonNull);
    const live = (p: number): boolean => this.posOf[this.seqs[p]] === p;
    const nullEnd = Math.min(firstNonNull, end);
    const nonNullStart = Math.max(start, firstNonNull);
    const nullsFirst = (options.nulls ?? (options.descending === true ? 'last' : 'first')) === 'first';
    const nullPart = function* (self: OrderedIndex): Generator<number> {
      if (options.descending === true) {
        for (let p = nullEnd - 1; p >= start; p--) if (live(p)) yield self.seqs[p];
      } else {
        for (let p = start; p < nullEnd; p++) if (live(p)) yield self.seqs[p];
      }
    };
    if (nullsFirst) yield* nullPart(this);
    if (options.descending === true) {
      for (let p = end - 1; p >= nonNullStart; p--) if (live(p)) yield this.seqs[p];
    } else {
      for (let p = nonNullStart; p < end; p++) if (live(p)) yield this.seqs[p];
    }
    if (!nullsFirst) yield* nullPart(this);
  }
}
