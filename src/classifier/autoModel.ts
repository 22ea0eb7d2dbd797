/**
 * `classifier.model: auto`: which transaction model scores a base, decided by a holdout backtest
 * (backtest.ts) when the base is large enough to tell the models apart, and the warnings a model card
 * carries. BG/NBD is never chosen by auto: its P(alive) is 1 for every one-time buyer however long ago
 * they bought, so as a churn signal it ranks customers worse than chance where most buy once (CDNOW:
 * AUC about 0.32), however well it predicts purchase counts.
 */
import { backtest, type BacktestResult, type PurchaseColumns } from './backtest.ts';
import type { ClassifierSettings } from './settings.ts';
import type { ModelChoice, TransactionModelName } from './types.ts';

/** The models auto chooses from, in order of preference on equal scores (the default first). */
export const AUTO_CANDIDATES: readonly TransactionModelName[] = ['pareto_nbd', 'mbg_nbd'];
const DEFAULT_MODEL: TransactionModelName = 'pareto_nbd';

export interface ModelScore {
  model: TransactionModelName;
  fitted: boolean;
  mae: number | null;
  churnAuc: number | null;
  aggregateErrorPct: number | null;
}

/** The model card's record of auto's choice. */
export interface ModelSelection {
  chosen: TransactionModelName;
  /** One sentence: why this model. */
  reason: string;
  /** The backtest behind it; null when the base was too small or too young to run one. */
  calibrationEnd: string | null;
  holdoutEnd: string | null;
  scores: ModelScore[];
}

export const BG_NBD_WARNING =
  "BG/NBD gives every one-time buyer P(alive) = 1 however long ago they bought, so their churn risk stays 0 %: where most customers buy once it ranks who stops buying worse than chance. Use pareto_nbd or mbg_nbd for churn risk (see `lifecycle-sync backtest`).";

/** Warnings a model card carries for the configured choice. */
export function modelWarnings(requested: ModelChoice): string[] {
  return requested === 'bg_nbd' ? [BG_NBD_WARNING] : [];
}

const fmt = (v: number | null, digits = 3) => (v === null ? 'n/a' : v.toFixed(digits));

/** Auto's choice from a backtest: the lowest holdout MAE among the candidates that fitted. */
export function chooseModel(result: BacktestResult, settings: ClassifierSettings): ModelSelection {
  const scores: ModelScore[] = result.models.flatMap((m) =>
    m.model === 'recency_heuristic'
      ? []
      : [{ model: m.model, fitted: m.fitted, mae: m.accuracy?.mae ?? null, churnAuc: m.accuracy?.churnAuc ?? null, aggregateErrorPct: m.accuracy?.aggregateErrorPct ?? null }],
  );
  const base = { calibrationEnd: result.calibrationEnd, holdoutEnd: result.holdoutEnd, scores };
  const { autoMinCustomers, autoMinRepeatBuyers } = settings.backtest;
  if (result.customers < autoMinCustomers || result.repeatBuyers < autoMinRepeatBuyers) {
    return {
      ...base,
      chosen: DEFAULT_MODEL,
      reason:
        `${result.customers} customers (${result.repeatBuyers} repeat buyers) had bought before the holdout from ${result.calibrationEnd}; ` +
        `auto compares the models from ${autoMinCustomers} (${autoMinRepeatBuyers} repeat buyers), so ${DEFAULT_MODEL}, the default, is used`,
    };
  }
  const candidates = scores.filter((s) => AUTO_CANDIDATES.includes(s.model) && s.fitted && s.mae !== null);
  let best: ModelScore | null = null;
  for (const s of candidates) if (!best || (s.mae ?? Infinity) < (best.mae ?? Infinity)) best = s;
  if (!best) {
    return { ...base, chosen: DEFAULT_MODEL, reason: `neither ${AUTO_CANDIDATES.join(' nor ')} could be fitted on the history to ${result.calibrationEnd}; trying ${DEFAULT_MODEL}` };
  }
  const others = candidates.filter((s) => s !== best).map((s) => `${s.model} ${fmt(s.mae)}`);
  let reason =
    `${best.model} predicted the ${result.holdoutDays} days to ${result.holdoutEnd} best: mean absolute error ${fmt(best.mae)} purchases per customer` +
    `${others.length > 0 ? ` (${others.join(', ')})` : ''}, churn AUC ${fmt(best.churnAuc, 2)}`;
  const bg = scores.find((s) => s.model === 'bg_nbd');
  if (bg && bg.mae !== null && best.mae !== null && bg.mae < best.mae) {
    reason += `; bg_nbd's was lower (${fmt(bg.mae)}) but its churn AUC is ${fmt(bg.churnAuc, 2)} and auto never lets it drive churn risk`;
  }
  return { ...base, chosen: best.model, reason };
}

/**
 * Auto's choice for a base scored as of `asOfDay`: a backtest whose holdout is the last
 * `backtest.holdoutDays` days, or the default when no one had bought before them.
 */
export function selectModel(purchases: PurchaseColumns, asOfDay: number, settings: ClassifierSettings): ModelSelection {
  const calibrationEndDay = asOfDay - settings.backtest.holdoutDays;
  let first = Infinity;
  for (let c = 0; c < purchases.ids.length; c++) {
    for (let i = purchases.offsets[c]; i < purchases.offsets[c + 1]; i++) {
      if (purchases.amounts[i] >= 0) {
        first = Math.min(first, purchases.days[i]);
        break;
      }
    }
  }
  if (!(first <= calibrationEndDay)) {
    return {
      chosen: DEFAULT_MODEL,
      reason: `no purchase is older than the ${settings.backtest.holdoutDays}-day holdout (classifier.backtest.holdoutDays), so the models cannot be compared; ${DEFAULT_MODEL}, the default, is used`,
      calibrationEnd: null,
      holdoutEnd: null,
      scores: [],
    };
  }
  return chooseModel(backtest(purchases, { calibrationEndDay, holdoutEndDay: asOfDay, settings }), settings);
}
