/**
 * One customer's explanation in words: the sentences `lifecycle-sync explain` prints and the admin page
 * shows (the API sends them beside the explanation), so both say the same thing. Pure: the explanation
 * and the installation's labels in, text out. Numbers are the rounded values the CRM gets (values.ts),
 * dates are YYYY-MM-DD (UTC), money in the installation's currency.
 */
import type { FieldKey } from '../../connectors/contract/index.ts';
import type { ClassifierSettings } from '../classifier/settings.ts';
import { percentText } from '../classifier/stages.ts';
import { signalsSchema } from '../store/rowSchemas.ts';
import type { AuditState } from '../store/types.ts';
import type { Explanation, HistoryEntry } from './explain.ts';
import { fieldSpecs } from './fields.ts';
import type { SyncSettings } from './settings.ts';

export interface DescribeOptions {
  /** The CRM's name for people: 'HubSpot'. */
  crm: string;
  currency: string;
  clvHorizonMonths: number;
  expectedDays: number;
  /** The conversion likelihood's horizon: a first purchase within this many days. */
  conversionDays: number;
  /** Field labels as the CRM shows them, and the labels of the fields' options (stages, bands, tiers). */
  fieldLabels: Record<FieldKey, string>;
  optionLabels: Partial<Record<FieldKey, Record<string, string>>>;
}

/** One value written, as a person reads it. */
export interface HistoryLine {
  at: number;
  /** "2026-11-19 02:00 UTC". */
  when: string;
  runId: string;
  /** "Sync", "Dry run", "Rollback of run_…". */
  run: string;
  field: FieldKey;
  label: string;
  from: string;
  to: string;
  state: AuditState;
  /** "written", "refused by the CRM"… */
  outcome: string;
  /** The rollback that restored the value this write replaced, or null. */
  rolledBackBy: string | null;
}

export interface CustomerDescription {
  /** "Noah Adams (noah@example.com, Acme), HubSpot record 1001". */
  title: string;
  /** "HubSpot record 1001". */
  record: string;
  /** The stage's label, or null when not scored. */
  stage: string | null;
  /** Sentences on the scores: churn risk, value, expected purchases, next action, stage change, scoring. */
  scores: string[];
  /** Why the stage (the reason written to the CRM). */
  reason: string | null;
  /** One sentence on the purchases and open deals. */
  purchases: string;
  /** The CRM's other signals, one phrase each (empty when there are none). */
  signals: string[];
  /** The values written, newest first. */
  history: HistoryLine[];
}

const MODEL_NAMES: Record<string, string> = { pareto_nbd: 'Pareto/NBD', bg_nbd: 'BG/NBD', mbg_nbd: 'MBG/NBD', recency_heuristic: 'recency heuristic' };
const RUN_KINDS: Record<string, string> = { sync: 'Sync', dry_run: 'Dry run', rollback: 'Rollback', rescore: 'Rescore' };
const OUTCOMES: Record<AuditState, string> = {
  applied: 'written',
  failed: 'refused by the CRM',
  pending: 'being written',
  superseded: 'not confirmed (its run was interrupted)',
};
const DAY_MS = 86_400_000;

/** The labels and settings of an installation, from its configuration. */
export function describeOptions(config: { classifier: ClassifierSettings; sync: SyncSettings }, crm: string): DescribeOptions {
  const specs = fieldSpecs(config.classifier, config.sync);
  const fieldLabels = Object.fromEntries(specs.map((s) => [s.key, s.label])) as Record<FieldKey, string>;
  const optionLabels: DescribeOptions['optionLabels'] = {};
  for (const s of specs) if (s.options) optionLabels[s.key] = Object.fromEntries(s.options.map((o) => [o.value, o.label]));
  return { crm, currency: config.classifier.ltv.currency, clvHorizonMonths: config.classifier.clv.horizonMonths, expectedDays: config.classifier.expectedDays, conversionDays: config.classifier.conversion.horizonDays, fieldLabels, optionLabels };
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

/** Money as the CRM holds it: the rounded value's own decimals (a stored "101" stays $101), grouped. */
export function moneyText(value: string | number, currency: string): string {
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  // Cents are shown as cents ("$12.50", not "$12.5"); a value without a fraction stays whole.
  const decimals = typeof value === 'string' ? Math.min(value.split('.')[1]?.length ?? 0, 20) : Number.isInteger(n) ? 0 : 2;
  const shown = decimals === 0 ? 0 : Math.max(decimals, 2);
  return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: shown, maximumFractionDigits: shown }).format(n);
}

/** A stored date-time as a date, with the time when it is not midnight UTC. */
export function dateTimeText(value: string | number): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const iso = d.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

const dayOf = (iso: string): number => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);

/** "over 14 months", "over 9 days": the time between two days. */
export function spanText(fromIso: string, toIso: string): string {
  const days = dayOf(toIso) - dayOf(fromIso);
  const months = Math.round(days / 30.44);
  return months >= 2 ? `over ${months} months` : `over ${plural(days, 'day')}`;
}

const sentence = (text: string): string => (/[.!?]$/.test(text) ? text : `${text}.`);

/** A field's value as a person reads it: labels for options, money, percent, dates; "empty" for none. */
export function valueText(field: FieldKey, value: string | null | undefined, o: DescribeOptions): string {
  if (value === null || value === undefined || value === '') return 'empty';
  const option = o.optionLabels[field]?.[value];
  if (option !== undefined) return option;
  switch (field) {
    case 'ltv':
    case 'predictedClv':
      return moneyText(value, o.currency);
    case 'churnRisk':
      return `${value} %`;
    case 'stageChangedAt':
    case 'scoredAt':
      return dateTimeText(value);
    default:
      return value;
  }
}

function title(e: Explanation, o: DescribeOptions): string {
  const name = e.display?.name;
  const details = [name ? e.display?.email : undefined, e.display?.company].filter(Boolean).join(', ');
  const who = name ?? e.display?.email;
  const record = `${o.crm} record ${e.recordId}`;
  return who ? `${who}${details ? ` (${details})` : ''}, ${record}` : record;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function churnSentence(e: Explanation, asOf: string, risk: string, band: string | null): string {
  const f = e.scores?.features ?? {};
  const facts: string[] = [];
  const last = e.purchases.at(-1)?.day;
  if (last) {
    const days = dayOf(asOf) - dayOf(last);
    facts.push(days <= 0 ? `a purchase on ${last}` : `no purchase since ${last} (${plural(days, 'day')})`);
  }
  // The models count distinct purchase days: the features' count, as the reason says it.
  const count = num(f.purchases) ?? e.purchases.length;
  const first = e.purchases[0]?.day;
  if (count > 0) facts.push(count === 1 || !first || !last || first === last ? plural(count, 'purchase') : `${plural(count, 'purchase')} ${spanText(first, last)}`);
  const pAlive = num(f.pAlive);
  if (pAlive !== null) facts.push(`${percentText(pAlive)} likely still active`);
  return `Churn risk ${risk} %${band ? ` (${band})` : ''}${facts.length ? `: ${facts.join(', ')}` : ''}.`;
}

function modelText(e: Explanation): string {
  const m = e.model;
  if (!m) return '';
  const name = MODEL_NAMES[m.name] ?? m.name;
  const model = m.name === 'recency_heuristic' ? 'the recency heuristic (too little data to fit a model)' : `the ${name} model`;
  const spend = m.spend === 'gamma_gamma' ? ' and the gamma-gamma spend model' : m.spend ? ` and ${m.spend}` : " and each customer's mean spend";
  return ` with ${model}${spend}${m.reused ? ' (fitted by an earlier run, reused)' : ''}`;
}

function scoreSentences(e: Explanation, o: DescribeOptions): string[] {
  const s = e.scores;
  const out: string[] = [];
  if (e.deleted) out.push(s ? 'No longer in the CRM: these are its last scores, from before it was deleted, and nothing more is written to it.' : 'No longer in the CRM: nothing more is written to it.');
  if (!s) return [...out, e.deleted ? 'It was never scored.' : 'Not scored yet: the next sync or dry run scores it.'];
  const v = s.values;
  if (v.churnRisk !== null && v.churnRisk !== undefined) out.push(churnSentence(e, s.asOf, v.churnRisk, v.churnRiskBand ? valueText('churnRiskBand', v.churnRiskBand, o).toLowerCase() : null));
  else out.push('No purchase yet, so no churn risk, CLV or expected purchases.');
  const value: string[] = [];
  if (v.predictedClv !== null && v.predictedClv !== undefined) {
    const tier = v.valueTier ? ` (value tier ${valueText('valueTier', v.valueTier, o)})` : '';
    value.push(`Predicted CLV ${moneyText(v.predictedClv, o.currency)} over the next ${plural(o.clvHorizonMonths, 'month')}${tier}`);
  }
  if (v.ltv !== null && v.ltv !== undefined) value.push(`LTV to date ${moneyText(v.ltv, o.currency)}`);
  if (value.length) out.push(`${value.join('; ')}.`);
  if (v.expectedPurchases !== null && v.expectedPurchases !== undefined) out.push(`Expected purchases in the next ${plural(o.expectedDays, 'day')}: ${v.expectedPurchases}.`);
  if (v.nextAction) out.push(`Next action: ${sentence(v.nextAction)}`);
  const changed = v.stageChangedAt ?? e.inCrm.stageChangedAt;
  if (v.stage && changed) out.push(`Stage ${valueText('stage', v.stage, o)} since ${dateTimeText(changed)}.`);
  const scoredAt = v.scoredAt ? dateTimeText(v.scoredAt) : null;
  out.push(`Scored ${scoredAt && scoredAt !== s.asOf ? `on ${scoredAt} ` : ''}as of ${s.asOf}${modelText(e)}.`);
  return out;
}

function purchasesSentence(e: Explanation, o: DescribeOptions): string {
  const open = e.openDeals === 0 ? 'no open deal' : plural(e.openDeals, 'open deal');
  const p = e.purchases;
  if (p.length === 0) return `No purchase yet; ${open}.`;
  // Cents added as integers: 0.1 + 0.2 is not 0.3.
  const total = p.reduce((sum, x) => sum + Math.round(x.amount * 100), 0) / 100;
  const days = new Set(p.map((x) => x.day)).size;
  const sameDay = days < p.length ? ` (on ${plural(days, 'distinct day')}, as the models count them)` : '';
  if (p.length === 1) return `1 purchase, on ${p[0].day}, ${moneyText(total, o.currency)}; ${open}.`;
  return `${plural(p.length, 'purchase')}${sameDay} from ${p[0].day} to ${p[p.length - 1].day}, ${moneyText(total, o.currency)} in all; ${open}.`;
}

function signalPhrases(e: Explanation): string[] {
  const parsed = signalsSchema.safeParse(e.signals);
  if (!parsed.success) return [];
  const s = parsed.data;
  const out: string[] = [];
  if (typeof s.lastEngagementDay === 'number') out.push(`last engagement on ${new Date(s.lastEngagementDay * DAY_MS).toISOString().slice(0, 10)}`);
  if (typeof s.nps === 'number') out.push(`NPS ${s.nps}`);
  if (typeof s.referrals === 'number') out.push(plural(s.referrals, 'referral'));
  if (s.advocate) out.push('marked as an advocate');
  if (s.churnFlag) out.push(`marked as churned in the CRM${s.churnReason ? ` (${s.churnReason})` : ''}`);
  return out;
}

function runText(h: HistoryEntry): string {
  if (h.runKind === 'rollback') return h.rollbackOf ? `Rollback of ${h.rollbackOf}` : 'Rollback';
  return h.runKind ? (RUN_KINDS[h.runKind] ?? h.runKind) : 'Run';
}

export function historyLine(h: HistoryEntry, o: DescribeOptions): HistoryLine {
  return {
    at: h.at,
    when: dateTimeText(h.at),
    runId: h.runId,
    run: runText(h),
    field: h.field,
    label: o.fieldLabels[h.field] ?? h.field,
    from: valueText(h.field, h.previous, o),
    to: valueText(h.field, h.next, o),
    state: h.state,
    outcome: h.rolledBackBy ? `written, rolled back by ${h.rolledBackBy}` : OUTCOMES[h.state],
    rolledBackBy: h.rolledBackBy,
  };
}

/** Runs newest first (as the audit reads), each run's values in the order of the fields (stage first). */
function inFieldOrder(history: HistoryEntry[], o: DescribeOptions): HistoryEntry[] {
  const order = Object.keys(o.fieldLabels);
  const rank = (h: HistoryEntry) => (order.includes(h.field) ? order.indexOf(h.field) : order.length);
  const runs = new Map<string, HistoryEntry[]>();
  for (const h of history) runs.set(h.runId, [...(runs.get(h.runId) ?? []), h]);
  return [...runs.values()].flatMap((entries) => entries.sort((a, b) => rank(a) - rank(b) || b.id - a.id));
}

export function describeCustomer(e: Explanation, o: DescribeOptions): CustomerDescription {
  const stage = e.scores?.values.stage ?? null;
  const reason = e.scores?.features.reason;
  return {
    title: title(e, o),
    record: `${o.crm} record ${e.recordId}`,
    stage: stage === null ? null : valueText('stage', stage, o),
    scores: scoreSentences(e, o),
    reason: typeof reason === 'string' ? reason : (e.scores?.values.stageReason ?? null),
    purchases: purchasesSentence(e, o),
    signals: signalPhrases(e),
    history: inFieldOrder(e.history, o).map((h) => historyLine(h, o)),
  };
}
