/**
 * A pulled deal as the conversion model sees it (classifier/conversion ProspectDeal): open from its
 * created day until it closed, with the win probability known at a day. An open deal's is this run's
 * score, as of the scoring day. A closed deal keeps the last probability the plugin wrote while it was
 * open (closed deals are never written), known from the day of its "deal scored at": so the factor is
 * learnable at past cut-offs once runs have scored deals for a while. A deal of unknown creation is left
 * out: it cannot be placed before or after a cut-off.
 */
import type { PulledDealRecord } from '../../connectors/contract/index.ts';
import type { ProspectDeal } from '../classifier/conversion/index.ts';

const DAY_MS = 86_400_000;

function written(d: PulledDealRecord): { probability: number; day: number } | null {
  const p = Number(d.fieldValues.winProbability ?? NaN);
  const at = Date.parse(d.fieldValues.dealScoredAt ?? '');
  if (!Number.isFinite(p) || p < 0 || p > 100 || !Number.isFinite(at)) return null;
  return { probability: p / 100, day: Math.floor(at / DAY_MS) };
}

/** `winProbability`: this run's score of an open deal, 0–100; null for a closed deal. */
export function prospectDeal(d: PulledDealRecord, winProbability: number | null, asOfDay: number): ProspectDeal | null {
  const created = d.features.createdAt;
  if (created === null || !Number.isFinite(created)) return null;
  const createdDay = Math.floor(created / DAY_MS);
  if (d.status === 'open') {
    const known = winProbability !== null && Number.isFinite(winProbability);
    return { createdDay, closedDay: null, winProbability: known ? winProbability / 100 : null, scoredDay: known ? asOfDay : null };
  }
  const last = written(d);
  return { createdDay, closedDay: d.features.closeDay, winProbability: last?.probability ?? null, scoredDay: last?.day ?? null };
}
