/**
 * An installation's won deals from the store, as purchases in columns per customer (the shape of the
 * CSV reader's table), for the backtest: the same plausibility rules as a run (implausible deals are
 * skipped and counted), read a page of deal links at a time.
 */
import { amountProblem, purchaseDayProblem, type PurchaseRules } from '../classifier/inputLimits.ts';
import type { PurchaseColumns } from '../classifier/backtest.ts';
import type { DealLink, Store } from '../store/types.ts';

const LINK_PAGE = 5000;

export interface StoredPurchases extends PurchaseColumns {
  /** Won deals skipped as implausible (a date or amount outside classifier.input). */
  skipped: number;
}

/** Every (customer, deal) link of the installation's deals not deleted, a page at a time, in (customer, deal) order. */
export async function* dealLinkPages(store: Store, installationId: string): AsyncGenerator<DealLink[]> {
  let after: { customerId: string; dealId: string } | null = null;
  for (;;) {
    const page = await store.dealLinkPage(installationId, after, LINK_PAGE);
    if (page.length > 0) yield page;
    const last = page.at(-1);
    if (page.length < LINK_PAGE || !last) return;
    after = { customerId: last.customerId, dealId: last.dealId };
  }
}

export async function readStoredPurchases(store: Store, installationId: string, rules: PurchaseRules): Promise<StoredPurchases> {
  const ids: string[] = [];
  const offsets: number[] = [0];
  const days: number[] = [];
  const amounts: number[] = [];
  let skipped = 0;
  let currentId: string | null = null;
  let rows: [number, number][] = [];
  const close = (id: string | null) => {
    if (id === null || rows.length === 0) return;
    // Links come by customer then deal id: the purchases of one customer are sorted by day here.
    rows.sort((a, b) => a[0] - b[0]);
    for (const [day, amount] of rows) {
      days.push(day);
      amounts.push(amount);
    }
    ids.push(id);
    offsets.push(days.length);
  };
  for await (const page of dealLinkPages(store, installationId)) {
    for (const link of page) {
      if (currentId !== link.customerId) {
        close(currentId);
        currentId = link.customerId;
        rows = [];
      }
      if (link.status !== 'won' || link.amount === null || link.closeDay === null) continue;
      if (purchaseDayProblem(link.closeDay, rules) !== null || amountProblem(link.amount, rules) !== null) {
        skipped++;
        continue;
      }
      rows.push([link.closeDay, link.amount]);
    }
  }
  close(currentId);
  return { ids, offsets: Int32Array.from(offsets), days: Int32Array.from(days), amounts: Float64Array.from(amounts), skipped };
}
