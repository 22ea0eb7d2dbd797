/**
 * The stage rules of the product brief, evaluated in order (first match wins), each with a one-sentence
 * reason in plain words. Disabled stages are skipped; awareness always matches.
 */
import type { ClassifierSettings } from './settings.ts';
import type { ChurnType, CustomerFeatures, Stage } from './types.ts';

export interface StageDecision {
  stage: Stage;
  churnType: ChurnType | null;
  /** "<detail> → <stage label>[ (<type> churn)]". */
  reason: string;
  /** The reason's part before the arrow, for writers that format the rest themselves. */
  detail: string;
}

export interface StageContext {
  /** Build the reason sentence (skipped when only the stage is needed, e.g. for counts). */
  withReason?: boolean;
  asOfDay: number;
  /** null for people without a purchase. */
  pAlive: number | null;
  /** True when P(alive) comes from the recency heuristic rather than a fitted model. */
  heuristic: boolean;
  settings: ClassifierSettings;
}

/** The end of every reason: " → <stage label>", and the churn type for churned customers. */
export function reasonTail(label: string, churnType: ChurnType | null): string {
  return ` → ${label}${churnType ? ` (${churnType} churn)` : ''}`;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function percentText(p: number): string {
  const pct = p * 100;
  if (pct > 0 && pct < 1) return '<1 %';
  if (pct < 100 && pct > 99) return '>99 %';
  return `${Math.round(pct)} %`;
}

/**
 * A day as YYYY-MM-DD. Reasons name dates, not "N days ago": the CRM keeps a reason until the record is
 * rewritten, and a count of days would be wrong the next morning.
 */
function dateText(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

function purchaseFacts(f: CustomerFeatures, asOfDay: number): string {
  const last = dateText(f.lastPurchaseDay ?? asOfDay);
  return f.purchaseDays === 1 ? `1 purchase on ${last}` : `${plural(f.purchaseDays, 'purchase')}, last on ${last}`;
}

function aliveFacts(ctx: StageContext): string {
  if (ctx.pAlive === null) return '';
  return `; ${percentText(ctx.pAlive)} likely still active${ctx.heuristic ? ' (recency heuristic)' : ''}`;
}

function advocacyFacts(f: CustomerFeatures, s: ClassifierSettings['rules']): string | null {
  if (f.nps !== null && f.nps !== undefined && f.nps >= s.advocacyMinNps) return `NPS ${f.nps}`;
  if (f.referrals !== null && f.referrals !== undefined && f.referrals >= s.advocacyMinReferrals) return plural(f.referrals, 'referral');
  if (f.advocate) return 'marked as an advocate';
  return null;
}

export function decideStage(f: CustomerFeatures, ctx: StageContext): StageDecision {
  const { settings, asOfDay, pAlive } = ctx;
  const rules = settings.rules;
  const enabled = (stage: Stage) => settings.stages[stage].enabled;
  const label = (stage: Stage) => settings.stages[stage].label;
  const isCustomer = f.purchaseDays > 0;
  const daysSinceLast = f.lastPurchaseDay === null ? null : asOfDay - f.lastPurchaseDay;
  const daysSinceFirst = f.firstPurchaseDay === null ? null : asOfDay - f.firstPurchaseDay;
  // Details are functions so that nothing is formatted when no reason is wanted.
  const facts = () => (isCustomer ? purchaseFacts(f, asOfDay) + aliveFacts(ctx) : '');
  const decide = (stage: Stage, describe: () => string, churnType: ChurnType | null = null): StageDecision => {
    if (ctx.withReason === false) return { stage, churnType, reason: '', detail: '' };
    const detail = describe();
    return { stage, churnType, detail, reason: detail + reasonTail(label(stage), churnType) };
  };

  if (enabled('churned')) {
    if (f.churnFlag) {
      const reason = f.churnReason?.trim();
      const natural = reason !== undefined && reason !== '' && rules.naturalChurnReasons.some((r) => r.toLowerCase() === reason.toLowerCase());
      return decide('churned', () => `Marked as churned in the CRM${reason ? ` (reason: ${reason})` : ''}`, natural ? 'natural' : 'preventable');
    }
    if (isCustomer && pAlive !== null && pAlive < rules.churnedMaxPAlive && (daysSinceLast ?? 0) >= rules.churnedMinDaysSinceLastPurchase) {
      return decide('churned', facts, 'preventable');
    }
  }
  if (enabled('at_risk') && isCustomer && pAlive !== null && pAlive < rules.atRiskMaxPAlive) {
    return decide('at_risk', facts);
  }
  // From here on a customer is alive: P(alive) is at least the at-risk threshold (or that stage is off).
  if (enabled('advocacy') && isCustomer) {
    const advocacy = advocacyFacts(f, rules);
    if (advocacy) return decide('advocacy', () => `${facts()}; ${advocacy}`);
  }
  if (enabled('loyalty') && isCustomer && f.frequency >= rules.loyaltyMinRepeatPurchases) {
    return decide('loyalty', facts);
  }
  if (enabled('retention') && isCustomer && (f.frequency >= 1 || (daysSinceFirst ?? 0) > rules.retentionMinDaysSinceFirstPurchase)) {
    return decide('retention', facts);
  }
  if (enabled('purchase') && f.purchaseDays === 1 && (daysSinceLast ?? Infinity) <= rules.recentPurchaseDays) {
    return decide('purchase', facts);
  }
  if (enabled('consideration') && !isCustomer) {
    const engagedDaysAgo = f.lastEngagementDay === null || f.lastEngagementDay === undefined ? null : asOfDay - f.lastEngagementDay;
    const openDeals = f.openDeals ?? 0;
    const engaged = engagedDaysAgo !== null && engagedDaysAgo <= rules.recentEngagementDays;
    if (openDeals > 0 || engaged) {
      const parts = [
        openDeals > 0 ? plural(openDeals, 'open deal') : null,
        engaged && f.lastEngagementDay !== null && f.lastEngagementDay !== undefined ? `last engagement on ${dateText(f.lastEngagementDay)}` : null,
      ].filter((p): p is string => p !== null);
      return decide('consideration', () => `No purchase yet; ${parts.join(' and ')}`);
    }
  }
  return decide('awareness', () =>
    isCustomer ? `${facts()}; no other stage applies` : `No purchase, no open deal and no engagement in the last ${plural(rules.recentEngagementDays, 'day')}`,
  );
}
