/**
 * The stage flow between two scored runs: how many customers went from each stage in one to each stage
 * in the other, customers new in the later one and gone from the earlier one counted too. Both runs'
 * stage records (store/stagePages.ts) are streamed in record order and merged by record id, a few pages
 * at a time: a million customers cost two pages of memory, not a million objects.
 */
import type { StagePageRows } from '../store/stagePages.ts';
import type { Store } from '../store/types.ts';

/** A customer only in the later run ('new'), or only in the earlier one ('gone'). */
export const NEW = 'new';
export const GONE = 'gone';

export interface Flow {
  from: string;
  to: string;
  count: number;
}

/** Pages read per store call. */
const PAGES = 5;

/**
 * Record ids compared in the order the stores keep them (bytes of UTF-8, as SQLite and Postgres' "C"
 * collation compare): UTF-16 code units agree with it except where both are surrogates or above.
 */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  if (x >= 0xd800 && y >= 0xd800) return (a.codePointAt(i) ?? x) - (b.codePointAt(i) ?? y);
  return x - y;
}

/** One run's customers and stages in record order, a page at a time. */
class Cursor {
  private pages: StagePageRows[] = [];
  private page: StagePageRows | null = null;
  private at = 0;
  private after: string | null = null;
  private done = false;
  private readonly store: Store;
  private readonly runId: string;

  constructor(store: Store, runId: string) {
    this.store = store;
    this.runId = runId;
  }

  /** Whether a customer is at hand among the pages read (no promise: a million awaits would cost a second). */
  has(): boolean {
    while (!this.page || this.at >= this.page.recordIds.length) {
      const next = this.pages.shift();
      if (!next) return false;
      this.page = next;
      this.at = 0;
    }
    return true;
  }

  /** Whether a customer is at hand, reading the next pages when those read are used up. */
  async ready(): Promise<boolean> {
    while (!this.has()) {
      if (this.done) return false;
      const read = await this.store.stagePages(this.runId, this.after, PAGES);
      if (read.length < PAGES) this.done = true;
      const last = read.at(-1);
      if (last) this.after = last.firstRecordId;
      this.pages = read;
    }
    return true;
  }

  /** The customer at hand (after `ready()` said there is one). */
  get id(): string {
    return this.page?.recordIds[this.at] ?? '';
  }

  get stage(): string {
    return this.page?.stages[this.at] ?? '';
  }

  advance(): void {
    this.at++;
  }
}

/** Counts per (from, to), the largest first; stages the same in both runs included (nobody moved). */
export async function stageFlow(store: Store, fromRunId: string, toRunId: string): Promise<Flow[]> {
  const counts = new Map<string, Flow>();
  const count = (from: string, to: string) => {
    const key = `${from}\u0000${to}`;
    const flow = counts.get(key);
    if (flow) flow.count++;
    else counts.set(key, { from, to, count: 1 });
  };
  const a = new Cursor(store, fromRunId);
  const b = new Cursor(store, toRunId);
  let hasA = await a.ready();
  let hasB = await b.ready();
  while (hasA || hasB) {
    const order = !hasA ? 1 : !hasB ? -1 : compareIds(a.id, b.id);
    if (order === 0) {
      count(a.stage, b.stage);
      a.advance();
      b.advance();
      hasA = a.has() || (await a.ready());
      hasB = b.has() || (await b.ready());
    } else if (order < 0) {
      count(a.stage, GONE);
      a.advance();
      hasA = a.has() || (await a.ready());
    } else {
      count(NEW, b.stage);
      b.advance();
      hasB = b.has() || (await b.ready());
    }
  }
  return [...counts.values()].sort((x, y) => y.count - x.count || x.from.localeCompare(y.from) || x.to.localeCompare(y.to));
}
