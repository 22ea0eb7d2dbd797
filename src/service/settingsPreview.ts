/**
 * Before new stage settings apply: how many of an installation's stored customers would move stage (a
 * dry classification, issue #12). The stored customers and deals are classified as a dry run would
 * classify them today (the same features, the same reused fit, or the same fit of this data), once; each
 * customer's stage is then decided under the current settings and under the proposed ones. The proposed
 * settings differ only in what the page edits (thresholds, stages), never the model, so one fit serves
 * both. No CRM call, nothing written.
 */
import { selectModel } from '../classifier/autoModel.ts';
import { classify } from '../classifier/classify.ts';
import { dayOf, isoDateOfDay } from '../classifier/features.ts';
import { purchaseRules } from '../classifier/inputLimits.ts';
import type { ClassifierSettings } from '../classifier/settings.ts';
import { decideStage } from '../classifier/stages.ts';
import type { Stage } from '../classifier/types.ts';
import type { Store } from '../store/types.ts';
import { fitToReuse } from '../sync/modelFit.ts';
import { readFeatures } from '../sync/planPhase.ts';
import type { SyncSettings } from '../sync/settings.ts';
import { readStoredPurchases } from '../sync/storedPurchases.ts';

export interface StagePreview {
  asOf: string;
  customers: number;
  /** Customers whose stage differs between the current and the proposed settings. */
  moves: number;
  /** Those moves, "from→to" (stage keys), largest first. */
  transitions: { from: Stage; to: Stage; count: number }[];
  /** Customers per stage under each. */
  current: Partial<Record<Stage, number>>;
  proposed: Partial<Record<Stage, number>>;
  /** The model the classification used, and whether it was the installation's last fit (as a dry run's would be). */
  model: string;
  reusedFit: boolean;
  ms: number;
}

export async function previewStages(
  store: Store,
  installationId: string,
  o: { current: ClassifierSettings; proposed: ClassifierSettings; sync: SyncSettings; now: number },
): Promise<StagePreview> {
  const started = performance.now();
  const asOfDay = dayOf(o.now);
  const rules = purchaseRules(o.current.input, asOfDay);
  const { features } = await readFeatures({ store, installationId, runId: 'settings-preview', asOfDay, classifier: o.current }, rules);
  // As an incremental dry run today: the last fit when it is still fresh, else a fit of this data.
  const reuse = await fitToReuse(store, installationId, { mode: 'incremental', asOfDay, refitDays: o.sync.refitDays, settings: o.current });
  const selection = o.current.model === 'auto' && !reuse ? selectModel(await readStoredPurchases(store, installationId, rules), asOfDay, o.current) : null;
  const result = classify(features, { asOfDay, settings: o.current, reuse, selection });
  const { purchaserIndex, pAlive, heuristic } = result.columns;
  const current: Partial<Record<Stage, number>> = {};
  const proposed: Partial<Record<Stage, number>> = {};
  const moves = new Map<string, number>();
  for (let i = 0; i < features.size; i++) {
    const f = features.row(i);
    const j = purchaserIndex[i];
    const ctx = { asOfDay, pAlive: j >= 0 ? pAlive[j] : null, heuristic, withReason: false };
    const from = decideStage(f, { ...ctx, settings: o.current }).stage;
    const to = decideStage(f, { ...ctx, settings: o.proposed }).stage;
    current[from] = (current[from] ?? 0) + 1;
    proposed[to] = (proposed[to] ?? 0) + 1;
    if (from !== to) moves.set(`${from}→${to}`, (moves.get(`${from}→${to}`) ?? 0) + 1);
  }
  const transitions = [...moves].map(([k, count]) => {
    const [from, to] = k.split('→') as [Stage, Stage];
    return { from, to, count };
  });
  transitions.sort((a, b) => b.count - a.count);
  return {
    asOf: isoDateOfDay(asOfDay),
    customers: features.size,
    moves: transitions.reduce((n, t) => n + t.count, 0),
    transitions,
    current,
    proposed,
    model: result.model.name,
    reusedFit: result.model.reused,
    ms: Math.round(performance.now() - started),
  };
}
