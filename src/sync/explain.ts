/** Everything the store knows about one customer: for `explain` and the admin API. */
import { z } from 'zod';
import type { FieldValues } from '../../connectors/contract/index.ts';
import { isoDateOfDay } from '../classifier/features.ts';
import { LifecycleSyncError } from '../errors.ts';
import { type CustomerAuditEntry, isCustomerAudit, type RunKind, type Store, type StoredScores } from '../store/types.ts';

/** A value written, with the kind of its run and, when a rollback restored what it replaced, that rollback's id. */
export interface HistoryEntry extends CustomerAuditEntry {
  runKind: RunKind | null;
  /** For rollbacks: the run rolled back. */
  rollbackOf: string | null;
  rolledBackBy: string | null;
}

/** The model that scored the customer (the latest fit, when it is of the scores' day). */
export interface ScoringModel {
  runId: string;
  name: string;
  /** The spend model, or null when the customer's own mean spend stood in for it. */
  spend: string | null;
  /** The fit was an earlier run's, reused. */
  reused: boolean;
}

export interface Explanation {
  recordId: string;
  /** Who it is (name, e-mail, company), as the CRM showed it at the last pull; null when it showed none. */
  display: { name?: string; email?: string; company?: string } | null;
  deleted: boolean;
  signals: Record<string, unknown>;
  /** Won deals with an amount and a close date, oldest first. */
  purchases: { dealId: string; day: string; amount: number }[];
  openDeals: number;
  /** The last scores computed (all fields, with the features they came from). */
  scores: StoredScores | null;
  model: ScoringModel | null;
  /** The plugin's fields as the CRM holds them (as last pulled or written). */
  inCrm: FieldValues;
  /** The values written to it, newest first (the last HISTORY_LIMIT). */
  history: HistoryEntry[];
}

/** Entries of the history read: a sync writes up to 11 fields, so some twenty runs. */
export const HISTORY_LIMIT = 250;

// Fits are stored by every version of the program: only what is shown is read, leniently.
const fitSchema = z.object({
  asOf: z.string(),
  model: z.object({ name: z.string(), reused: z.boolean().optional() }),
  spendModel: z.object({ name: z.string() }).nullable().optional(),
});

async function scoringModel(store: Store, installationId: string, scores: StoredScores | null): Promise<ScoringModel | null> {
  if (!scores) return null;
  const latest = await store.latestModelFit(installationId);
  const fit = fitSchema.safeParse(latest?.fit);
  // A later fit of another day did not score these (e.g. a customer deleted since): say nothing rather than the wrong model.
  if (!latest || !fit.success || fit.data.asOf !== scores.asOf) return null;
  return { runId: latest.runId, name: fit.data.model.name, spend: fit.data.spendModel?.name ?? null, reused: fit.data.model.reused ?? false };
}

/** The audit with each run's kind, and the writes a rollback undid marked with the rollback's id. */
async function historyOf(store: Store, installationId: string, recordId: string): Promise<HistoryEntry[]> {
  // A customer's history: deal entries (record ids `deal:…`) are never a customer's, even with the same CRM id.
  const audit = (await store.auditOfRecord(installationId, recordId, HISTORY_LIMIT)).filter(isCustomerAudit);
  const runs = new Map(await Promise.all([...new Set(audit.map((a) => a.runId))].map(async (id) => [id, await store.getRun(id)] as const)));
  // A rollback is newer than the run it undoes, so within the newest entries when that run's are.
  const undone = new Map<string, string>();
  for (const a of audit) {
    const run = runs.get(a.runId);
    if (run?.kind === 'rollback' && run.rollbackOf && a.state === 'applied') undone.set(`${run.rollbackOf}\u0000${a.field}`, run.id);
  }
  return audit.map((a) => {
    const run = runs.get(a.runId) ?? null;
    const rolledBackBy = a.state === 'applied' ? (undone.get(`${a.runId}\u0000${a.field}`) ?? null) : null;
    return { ...a, runKind: run?.kind ?? null, rollbackOf: run?.rollbackOf ?? null, rolledBackBy };
  });
}

export async function explainCustomer(store: Store, installationId: string, recordId: string): Promise<Explanation> {
  const customer = await store.getCustomer(installationId, recordId);
  if (!customer) throw new LifecycleSyncError('NOT_FOUND', `no customer ${recordId} in installation ${installationId}: not among the records its last pull found (or no sync has run yet)`);
  const deals = await store.dealsOf(installationId, recordId);
  const purchases = deals
    .filter((d) => d.status === 'won' && d.amount !== null && d.closeDay !== null)
    .sort((a, b) => (a.closeDay ?? 0) - (b.closeDay ?? 0) || (a.recordId < b.recordId ? -1 : 1))
    .map((d) => ({ dealId: d.recordId, day: isoDateOfDay(d.closeDay ?? 0), amount: d.amount ?? 0 }));
  return {
    recordId,
    display: customer.display ?? null,
    deleted: customer.deleted,
    signals: { ...customer.signals },
    purchases,
    openDeals: deals.filter((d) => d.status === 'open').length,
    scores: customer.scores,
    model: await scoringModel(store, installationId, customer.scores),
    inCrm: customer.crmValues,
    history: await historyOf(store, installationId, recordId),
  };
}
