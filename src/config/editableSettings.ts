/**
 * The settings the admin page edits (issue #12): the stage rules' thresholds, each stage's label, next
 * action and whether it is used, the acquisition spend, the schedule. Each is a dotted path into a
 * section an installation may override (installationSettings.ts), so the page's changes are the
 * installation's overrides, as `installations set` makes them, checked by the same zod schemas. An edit
 * gives values for some settings and resets others (the configuration file's value applies again).
 */
import { STAGE_RULE_ORDER } from '../classifier/types.ts';
import { effectiveConfig, settingIssues, withoutValue, withValue, type SettingsOverrides } from './installationSettings.ts';
import type { Config } from './schema.ts';

export type SettingGroup = 'thresholds' | 'stages' | 'spend' | 'schedule';
/** How the page edits it: a number, a whole number, a number or nothing, text, long text, on/off. */
export type SettingKind = 'number' | 'integer' | 'nullableNumber' | 'text' | 'longText' | 'boolean';

export interface EditableSetting {
  key: string;
  group: SettingGroup;
  kind: SettingKind;
  label: string;
  help: string;
}

const rule = (name: string, kind: SettingKind, label: string, help: string): EditableSetting => ({ key: `classifier.rules.${name}`, group: 'thresholds', kind, label, help });

export const EDITABLE_SETTINGS: readonly EditableSetting[] = [
  rule('churnedMaxPAlive', 'number', 'Churned below P(alive)', 'Churned: P(alive) below this (0 to 1) and no purchase for the days below.'),
  rule('churnedMinDaysSinceLastPurchase', 'integer', 'Churned after days without a purchase', 'Days since the last purchase before a customer can be churned.'),
  rule('atRiskMaxPAlive', 'number', 'At risk below P(alive)', 'At risk: P(alive) below this (0 to 1).'),
  rule('advocacyMinNps', 'number', 'Advocacy from NPS', 'An NPS (0 to 10) at least this makes an advocate.'),
  rule('advocacyMinReferrals', 'integer', 'Advocacy from referrals', 'At least this many referrals make an advocate.'),
  rule('loyaltyMinRepeatPurchases', 'integer', 'Loyalty from repeat purchases', 'Repeat purchases (distinct days after the first) for loyalty.'),
  rule('retentionMinDaysSinceFirstPurchase', 'integer', 'Retention after days since the first purchase', 'A first purchase older than this counts as retained.'),
  rule('recentPurchaseDays', 'integer', 'First purchase is recent for days', 'The one purchase within this many days: first purchase stage.'),
  rule('recentEngagementDays', 'integer', 'Engagement is recent for days', 'Engagement within this many days: consideration.'),
  ...STAGE_RULE_ORDER.flatMap((stage): EditableSetting[] => [
    { key: `classifier.stages.${stage}.label`, group: 'stages', kind: 'text', label: 'Label', help: `What the ${stage} stage is called in the CRM and on the page.` },
    { key: `classifier.stages.${stage}.nextAction`, group: 'stages', kind: 'longText', label: 'Next action', help: `What to do with customers in the ${stage} stage (written to the CRM).` },
    { key: `classifier.stages.${stage}.enabled`, group: 'stages', kind: 'boolean', label: 'Used', help: `Off: the ${stage} rule is skipped and its customers fall to the next rule.` },
  ]),
  { key: 'classifier.ltv.acquisitionSpend', group: 'spend', kind: 'nullableNumber', label: 'Acquisition spend', help: 'Spent on acquiring customers in the period, for CAC and LTV:CAC; empty: not reported.' },
  { key: 'classifier.ltv.periodDays', group: 'spend', kind: 'integer', label: 'Period (days)', help: 'The period the spend and the LTV figures cover.' },
  { key: 'schedule.enabled', group: 'schedule', kind: 'boolean', label: 'Run on a schedule', help: 'Off: runs start only by hand.' },
  { key: 'schedule.cron', group: 'schedule', kind: 'text', label: 'Cron expression', help: 'minute hour day-of-month month day-of-week, e.g. 0 2 * * * (02:00 every day).' },
  { key: 'schedule.timezone', group: 'schedule', kind: 'text', label: 'Time zone', help: 'The IANA time zone the expression is read in, e.g. Europe/Berlin.' },
];

const BY_KEY = new Map(EDITABLE_SETTINGS.map((s) => [s.key, s]));

export function isEditable(key: string): boolean {
  return BY_KEY.has(key);
}

/** The value at a dotted path (undefined when there is none). */
export function valueAt(source: unknown, key: string): unknown {
  let current: unknown = source;
  for (const part of key.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export interface SettingView extends EditableSetting {
  /** In effect for this installation. */
  value: unknown;
  /** The configuration file's. */
  fileValue: unknown;
  /** Set for this installation (the file's value does not apply). */
  overridden: boolean;
}

/** Every editable setting with its value in effect, the file's, and whether the installation overrides it. */
export function settingsView(file: Config, effective: Config, overrides: SettingsOverrides): SettingView[] {
  return EDITABLE_SETTINGS.map((s) => ({ ...s, value: valueAt(effective, s.key) ?? null, fileValue: valueAt(file, s.key) ?? null, overridden: valueAt(overrides, s.key) !== undefined }));
}

export interface SettingsEdit {
  /** New values by dotted path. */
  set: Record<string, unknown>;
  /** Settings to take from the configuration file again. */
  reset: readonly string[];
}

export interface SettingChangeOf {
  key: string;
  before: unknown;
  after: unknown;
}

export type EditOutcome =
  | { ok: true; overrides: SettingsOverrides; config: Config; changes: SettingChangeOf[] }
  | { ok: false; issues: { path: string; message: string }[] };

/**
 * The overrides after an edit, checked by the section schemas: the issues (each naming its setting), or
 * the new overrides, the configuration they give, and what changed in effect (the change log's entries).
 */
export function applyEdit(file: Config, overrides: SettingsOverrides, installationId: string, edit: SettingsEdit): EditOutcome {
  const unknown = [...Object.keys(edit.set), ...edit.reset].filter((key) => !isEditable(key));
  if (unknown.length > 0) return { ok: false, issues: unknown.map((path) => ({ path, message: 'is not a setting the page edits' })) };
  let next = overrides;
  for (const key of edit.reset) next = withoutValue(next, key);
  for (const [key, value] of Object.entries(edit.set)) next = withValue(next, key, value);
  const issues = settingIssues(file, next);
  if (issues.length > 0) return { ok: false, issues };
  const before = effectiveConfig(file, overrides, installationId);
  const after = effectiveConfig(file, next, installationId);
  const changes: SettingChangeOf[] = [];
  for (const key of new Set([...edit.reset, ...Object.keys(edit.set)])) {
    const was = valueAt(before, key) ?? null;
    const now = valueAt(after, key) ?? null;
    if (JSON.stringify(was) !== JSON.stringify(now)) changes.push({ key, before: was, after: now });
  }
  return { ok: true, overrides: next, config: after, changes };
}
