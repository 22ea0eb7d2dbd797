/**
 * The win model's card for the open-deal pipeline (issue #14): what the stored fit of a deal-scoring run
 * says of its win model — fitted or the MEDDIC fallback (and why), the closed deals it learnt from, the
 * cross-validated AUC with its standard error and the calibration — validated on the way out, since an
 * older version may have written it.
 */
import { z } from 'zod';
import { winModelLabel, winModelSchema } from '../classifier/deals/index.ts';
import type { Store } from '../store/types.ts';

const validationSchema = z.object({
  method: z.enum(['cross_validation', 'meddic_score', 'holdout']),
  folds: z.number().nullable(),
  deals: z.number(),
  won: z.number(),
  auc: z.number().nullable(),
  aucStandardError: z.number().nullable(),
  brier: z.number(),
  calibration: z.array(z.object({ from: z.number(), to: z.number(), deals: z.number(), meanPredicted: z.number(), observedWinRate: z.number() })),
});
const storedSchema = z.object({ winModel: z.object({ model: winModelSchema, validation: validationSchema.nullable() }) });

export interface WinModelCard {
  runId: string;
  basis: 'fitted' | 'meddic_fallback';
  /** In words: "win model fitted on N closed deals…" or "MEDDIC score as the win probability (fallback: …)". */
  label: string;
  /** The fallback's reason, naming the setting (null when fitted). */
  reason: string | null;
  closedDeals: number;
  won: number;
  validation: z.infer<typeof validationSchema> | null;
}

/** Fits looked through for the one of the pipeline's run (one per run, newest first) when the newest is another's. */
const LOOK_BACK = 20;

/**
 * The card of the run's fit when given (the run that stored the pipeline), else of the newest fit with a
 * win model; null when no fit has one.
 */
export async function winModelCard(store: Store, installationId: string, runId: string | null): Promise<WinModelCard | null> {
  // Usually the newest fit is the pipeline's run's: one read. Else a few more (a dry run's came after it).
  const latest = await store.latestModelFit(installationId);
  const fits = latest === null ? [] : latest.runId === runId ? [latest] : await store.modelFits(installationId, LOOK_BACK);
  const cards = fits.flatMap((f) => {
    const parsed = storedSchema.safeParse(f.fit);
    return parsed.success ? [{ runId: f.runId, ...parsed.data.winModel }] : [];
  });
  const card = cards.find((c) => c.runId === runId) ?? cards[0];
  if (!card) return null;
  const m = card.model;
  return { runId: card.runId, basis: m.basis, label: winModelLabel(m), reason: m.basis === 'meddic_fallback' ? m.reason : null, closedDeals: m.closedDeals, won: m.won, validation: card.validation };
}
