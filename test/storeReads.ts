/** Whole reads of the store's paged tables, for tests on small bases (the program itself reads in pages). */
import type { AuditEntry, CustomerCore, DealLink, PlannedChange, Store } from '../src/store/types.ts';

export async function allCustomers(store: Store, installationId: string): Promise<CustomerCore[]> {
  const out: CustomerCore[] = [];
  for (let page = await store.customerPage(installationId, null, 1000); page.length > 0; page = await store.customerPage(installationId, page[page.length - 1].recordId, 1000)) out.push(...page);
  return out;
}

/** A run's audit in (record, id) order. */
export async function allAudit(store: Store, runId: string): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for (let page = await store.auditPage(runId, null, 1000); page.length > 0; ) {
    out.push(...page);
    const last = page[page.length - 1];
    page = await store.auditPage(runId, { recordId: last.recordId, id: last.id }, 1000);
  }
  return out;
}

/** A run's plan, every change, in plan order (retries, stage moves, the rest). */
export async function allPlan(store: Store, runId: string): Promise<PlannedChange[]> {
  return store.planChanges(runId, { offset: 0, limit: 1_000_000 });
}

/** An installation's (customer, deal) links in that order, read `pageSize` at a time. */
export async function allDealLinks(store: Store, installationId: string, pageSize = 500): Promise<DealLink[]> {
  const out: DealLink[] = [];
  for (let page = await store.dealLinkPage(installationId, null, pageSize); page.length > 0; ) {
    out.push(...page);
    const last = page[page.length - 1];
    page = await store.dealLinkPage(installationId, { customerId: last.customerId, dealId: last.dealId }, pageSize);
  }
  return out;
}
