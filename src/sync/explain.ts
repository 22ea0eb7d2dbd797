/** Everything the store knows about one customer: for `explain` and the admin API. */
import type { FieldValues } from '../../connectors/contract/index.ts';
import { isoDateOfDay } from '../classifier/features.ts';
import { LifecycleSyncError } from '../errors.ts';
import type { AuditEntry, Store, StoredScores } from '../store/types.ts';

export interface Explanation {
  recordId: string;
  /** Who it is (name, e-mail, company), as the CRM showed it at the last pull; null when it showed none. */
  display: { name?: string; email?: string; company?: string } | null;
  deleted: boolean;
  signals: Record<string, unknown>;
  purchases: { dealId: string; day: string; amount: number }[];
  openDeals: number;
  /** The last scores computed (all fields, with the features they came from). */
  scores: StoredScores | null;
  /** The plugin's fields as the CRM holds them (as last pulled or written). */
  inCrm: FieldValues;
  history: AuditEntry[];
}

export async function explainCustomer(store: Store, installationId: string, recordId: string): Promise<Explanation> {
  const customer = await store.getCustomer(installationId, recordId);
  if (!customer) throw new LifecycleSyncError('NOT_FOUND', `no customer ${recordId} in ${installationId}'s store (has a sync run yet?)`);
  const deals = await store.dealsOf(installationId, recordId);
  return {
    recordId,
    display: customer.display ?? null,
    deleted: customer.deleted,
    signals: { ...customer.signals },
    purchases: deals
      .filter((d) => d.status === 'won' && d.amount !== null && d.closeDay !== null)
      .map((d) => ({ dealId: d.recordId, day: isoDateOfDay(d.closeDay ?? 0), amount: d.amount ?? 0 })),
    openDeals: deals.filter((d) => d.status === 'open').length,
    scores: customer.scores,
    inCrm: customer.crmValues,
    history: await store.auditOfRecord(installationId, recordId, 50),
  };
}
