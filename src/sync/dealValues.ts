/**
 * What the engine writes to an open deal, and the diff against what the CRM holds: the deal side of
 * values.ts, with the same ideas — numbers rounded to what the field shows (whole percentage points),
 * a number written only when it moved by the configured minimum (`sync.deals.minChange`), and the
 * scoring time written only with a real change (or when the CRM has none), so a second run with
 * nothing new writes nothing.
 */
import { canonicalDatetime, canonicalNumber, type DealFieldValues, type DealOutputKey } from '../../connectors/contract/index.ts';
import type { DealScore } from '../classifier/deals/index.ts';
import { LifecycleSyncError } from '../errors.ts';
import { movedAtLeast } from './values.ts';

/** Outputs whose change is worth a write; `dealScoredAt` goes with them. */
const PRIMARY: readonly DealOutputKey[] = ['meddicScore', 'winProbability', 'biggestGap', 'dealNextAction'];
const NUMBERS: ReadonlySet<DealOutputKey> = new Set(['meddicScore', 'winProbability']);

export function desiredDealValues(recordId: string, score: DealScore, scoredAt: number): DealFieldValues {
  if (!Number.isFinite(score.meddicScore) || !Number.isFinite(score.winProbability)) {
    // Never a value: a non-finite score is a bug in the model, named with the deal it came from.
    throw new LifecycleSyncError('INPUT_INVALID', `deal ${recordId}: the deal score is not a finite number (MEDDIC ${score.meddicScore}, win ${score.winProbability}); it is not written`);
  }
  return {
    meddicScore: canonicalNumber(score.meddicScore, 0),
    winProbability: canonicalNumber(score.winProbability, 0),
    biggestGap: score.biggestGap,
    dealNextAction: score.nextAction,
    dealScoredAt: canonicalDatetime(scoredAt),
  };
}

function differs(key: DealOutputKey, desired: string | null, current: string | null, minChange: number): boolean {
  if (desired === null || current === null) return desired !== current;
  return NUMBERS.has(key) ? movedAtLeast(desired, current, minChange) : desired !== current;
}

/**
 * The outputs to write for one open deal (empty when nothing changed enough). `current` holds only the
 * outputs the pull could read; an unread one counts as empty, so it is written (and then read next run).
 */
export function diffDealValues(desired: DealFieldValues, current: DealFieldValues, minChange: number): DealFieldValues {
  const changes: DealFieldValues = {};
  for (const key of PRIMARY) {
    const value = desired[key] ?? null;
    if (differs(key, value, current[key] ?? null, minChange)) changes[key] = value;
  }
  const scoredAt = desired.dealScoredAt ?? null;
  const missing = (current.dealScoredAt ?? null) === null && scoredAt !== null;
  if ((Object.keys(changes).length > 0 || missing) && scoredAt !== (current.dealScoredAt ?? null)) changes.dealScoredAt = scoredAt;
  return changes;
}
