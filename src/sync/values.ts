/**
 * What the engine writes: a customer's scores as canonical field values (rounded), and the diff against
 * what the CRM holds. Policy, in one place for every CRM:
 * - numbers are rounded (churn risk to a whole percent, money to the currency unit) and a change is
 *   written only when it exceeds the configured minimum, so daily drift does not rewrite everyone; the
 *   churn-risk band follows the rounded risk, and a band change writes the risk with it;
 * - the companion fields (reason, stage changed at, scored at) are written with a real change, or when
 *   the CRM has none, never on their own: the reason's "86 % likely still active" moves every day;
 * - a score holding NaN or an infinity is an error naming the customer (scoreGuard.ts), never a value.
 */
import { canonicalDatetime, canonicalNumber, type FieldKey, type FieldValues } from '../../connectors/contract/index.ts';
import type { ProspectScore } from '../classifier/conversion/index.ts';
import type { CustomerScore } from '../classifier/scoreColumns.ts';
import type { ClassifierSettings } from '../classifier/settings.ts';
import { assertFiniteScore } from '../scoreGuard.ts';
import type { SyncSettings } from './settings.ts';

/** Fields whose change is worth a write. */
const PRIMARY: readonly FieldKey[] = ['stage', 'ltv', 'predictedClv', 'churnRisk', 'churnRiskBand', 'valueTier', 'expectedPurchases', 'nextAction', 'conversionLikelihood'];
/** Fields written along with a primary change (or when the CRM has none). */
const COMPANIONS: readonly FieldKey[] = ['stageReason', 'stageChangedAt', 'scoredAt'];


/** The run's scoring time as text: one time for every customer of a run, so formatted once, not a million times. */
let scoredAtText = { ms: NaN, text: '' };
function scoredAtOf(ms: number): string {
  if (scoredAtText.ms !== ms) scoredAtText = { ms, text: canonicalDatetime(ms) };
  return scoredAtText.text;
}

/** The stage reason, naming a prospect's strongest conversion factor in the consideration stage, cut to the field's length. */
function reasonOf(score: CustomerScore, prospect: ProspectScore | null, maxLength: number): string {
  const factor = score.stage === 'consideration' ? prospect?.strongestFactor : null;
  const full = factor ? `${score.reason}; strongest factor: ${factor.description}` : score.reason;
  return full.length > maxLength ? `${full.slice(0, maxLength - 1)}…` : full;
}

/**
 * The values the plugin wants in the CRM for a customer, except stageChangedAt (decided by the diff).
 * `prospect` is the customer's conversion score when a prospect (sync/conversionPhase.ts); anyone else's
 * conversion likelihood is empty, so a customer who has bought has it cleared.
 */
export function desiredValues(score: CustomerScore, settings: ClassifierSettings, sync: SyncSettings, scoredAt: number, prospect: ProspectScore | null = null): FieldValues {
  assertFiniteScore(score);
  const money = (v: number | null) => (v === null ? null : canonicalNumber(v, sync.rounding.moneyDecimals));
  const reason = reasonOf(score, prospect, sync.maxReasonLength);
  return {
    stage: score.stage,
    stageReason: reason,
    ltv: money(score.ltv),
    predictedClv: money(score.clv),
    churnRisk: score.churnRisk === null ? null : canonicalNumber(score.churnRisk, 0),
    churnRiskBand: score.churnRiskBand,
    valueTier: score.valueTier,
    expectedPurchases: score.expectedPurchases === null ? null : canonicalNumber(score.expectedPurchases, sync.rounding.expectedPurchasesDecimals),
    nextAction: settings.stages[score.stage].nextAction,
    scoredAt: scoredAtOf(scoredAt),
    conversionLikelihood: prospect && Number.isFinite(prospect.likelihood) ? canonicalNumber(Math.min(100, Math.max(0, prospect.likelihood)), 0) : null,
  };
}

function numeric(v: string | null | undefined): number | null {
  if (v === null || v === undefined || v.trim() === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Whether a number written as text moved by at least `min` (text that is not a number always counts as moved). Deals use it too. */
export function movedAtLeast(desired: string, current: string, min: number): boolean {
  const [a, b] = [numeric(desired), numeric(current)];
  return a === null || b === null || Math.abs(a - b) >= Math.max(min, 1e-9);
}

/** Whether a primary field's desired value differs enough from the CRM's to be written. */
function differs(key: FieldKey, desired: string | null, current: string | null | undefined, sync: SyncSettings): boolean {
  const now = current ?? null;
  if (desired === null || now === null) return desired !== now;
  switch (key) {
    case 'churnRisk':
      return movedAtLeast(desired, now, sync.minChange.churnRisk);
    case 'ltv':
      return movedAtLeast(desired, now, sync.minChange.money);
    case 'predictedClv':
      return movedAtLeast(desired, now, Math.max(sync.minChange.money, sync.minChange.clvRelative * Math.abs(numeric(now) ?? 0)));
    case 'expectedPurchases':
      return movedAtLeast(desired, now, sync.minChange.expectedPurchases);
    // A percentage like the churn risk: the same minimum change in points.
    case 'conversionLikelihood':
      return movedAtLeast(desired, now, sync.minChange.churnRisk);
    default:
      return desired !== now;
  }
}

/**
 * The fields to write for one customer (empty when nothing changed enough). `stageChangedAt` is set to
 * the scoring time when the stage changes, and when it is empty while other fields are written.
 */
export function diffValues(desired: FieldValues, current: FieldValues, sync: SyncSettings): FieldValues {
  const changes: FieldValues = {};
  for (const key of PRIMARY) {
    const value = desired[key] ?? null;
    if (differs(key, value, current[key], sync)) changes[key] = value;
  }
  // The band and the churn risk are read together: a band that moves carries its number along, even one
  // below the minimum change, so the CRM never holds 49 beside "high".
  if ('churnRiskBand' in changes && !('churnRisk' in changes) && (desired.churnRisk ?? null) !== (current.churnRisk ?? null)) changes.churnRisk = desired.churnRisk ?? null;
  const primaryChanged = Object.keys(changes).length > 0;
  for (const key of COMPANIONS) {
    if (key === 'stageChangedAt') continue;
    const value = desired[key] ?? null;
    const missing = (current[key] ?? null) === null && value !== null;
    if ((primaryChanged || missing) && value !== (current[key] ?? null)) changes[key] = value;
  }
  const stageMoved = 'stage' in changes;
  if (stageMoved || ((current.stageChangedAt ?? null) === null && Object.keys(changes).length > 0)) {
    changes.stageChangedAt = desired.scoredAt ?? null;
  }
  // A companion-only diff (e.g. a reason the CRM lost) still carries the scoring time with it.
  if (Object.keys(changes).length > 0 && !('scoredAt' in changes) && desired.scoredAt !== (current.scoredAt ?? null)) changes.scoredAt = desired.scoredAt ?? null;
  return changes;
}

/** "from→to" for the stage transition report ("none" when the CRM had no stage). */
export function stageTransition(current: FieldValues, changes: FieldValues): string | null {
  if (!('stage' in changes)) return null;
  return `${current.stage ?? 'none'}→${changes.stage ?? 'none'}`;
}
