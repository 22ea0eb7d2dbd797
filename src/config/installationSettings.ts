/**
 * An installation's own settings, layered over the configuration file: any classifier, sync, schedule or
 * alerts setting (an agency's clients differ in thresholds, spend, time zone and who is told of trouble). Stored as the overrides only
 * (nested like the file), merged as the file is merged over the defaults (objects key by key, anything
 * else replaces), and validated by the same zod schemas, so an override is refused with the same message
 * naming the setting as a bad line in the file would be. The store keeps what an admin set; a setting
 * that a later version no longer accepts is reported when the installation's settings are read.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { alertSettingsSchema } from '../alerts/settings.ts';
import { quoted } from '../../connectors/contract/index.ts';
import { classifierSettingsSchema } from '../classifier/settings.ts';
import { isCompanionId } from '../companionIds.ts';
import { LifecycleSyncError } from '../errors.ts';
import { scheduleSettingsSchema } from '../scheduler/settings.ts';
import { syncSettingsSchema } from '../sync/settings.ts';
import { deepMerge, describeIssues } from './load.ts';
import type { Config } from './schema.ts';

/** The sections an installation may override, each with the schema the file's section has. */
const SECTIONS = { classifier: classifierSettingsSchema, sync: syncSettingsSchema, schedule: scheduleSettingsSchema, alerts: alertSettingsSchema } as const;
type Section = keyof typeof SECTIONS;
const SECTION_NAMES = Object.keys(SECTIONS) as Section[];

/** What the store keeps: a partial copy of those sections. */
export const settingsOverridesSchema = z.strictObject({
  classifier: z.record(z.string(), z.unknown()).optional(),
  sync: z.record(z.string(), z.unknown()).optional(),
  schedule: z.record(z.string(), z.unknown()).optional(),
  alerts: z.record(z.string(), z.unknown()).optional(),
});
export type SettingsOverrides = z.infer<typeof settingsOverridesSchema>;

/** The configuration one installation runs with: the file's, with its overrides over it. */
export function effectiveConfig(config: Config, overrides: SettingsOverrides, installationId: string): Config {
  const out: Config = { ...config };
  for (const section of SECTION_NAMES) {
    const override = overrides[section];
    if (override === undefined) continue;
    const merged = deepMerge(config[section], override);
    const parsed = SECTIONS[section].safeParse(merged);
    if (!parsed.success) throw invalid(installationId, section, parsed.error, merged);
    Object.assign(out, { [section]: parsed.data });
  }
  // Deals belong to the account: its own installation scores them, never a companion (src/companionIds.ts),
  // whose fit on another population's figures would write other values to the same deals.
  if (isCompanionId(installationId) && out.sync.deals.enabled) out.sync = { ...out.sync, deals: { ...out.sync.deals, enabled: false } };
  return out;
}

/**
 * The overrides with one setting changed (`set ID KEY VALUE`): KEY is a dotted path into an overridable
 * section (`schedule.cron`, `classifier.thresholds.atRiskMaxPAlive`), VALUE YAML as in the file (`2`,
 * `true`, `"0 3 * * *"`, `[1, 2]`); the result is checked against the configuration before it is kept.
 */
export function withSetting(config: Config, overrides: SettingsOverrides, installationId: string, key: string, valueText: string): SettingsOverrides {
  settingPath(key);
  let value: unknown;
  try {
    value = parseYaml(valueText) as unknown;
  } catch (error) {
    throw new LifecycleSyncError('CONFIG_INVALID', `${key}: the value is not YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
  const next = withValue(overrides, key, value);
  effectiveConfig(config, next, installationId);
  return next;
}

/**
 * The overrides with one setting given as a value (the admin page's form), not yet checked against the
 * configuration: `settingIssues` says what is wrong with the result, field by field.
 */
export function withValue(overrides: SettingsOverrides, key: string, value: unknown): SettingsOverrides {
  const [section, ...rest] = settingPath(key);
  let patch: unknown = value;
  for (const part of [...rest].reverse()) patch = { [part]: patch };
  // Objects merge into what was set before; a value replaces (as in the file).
  return settingsOverridesSchema.parse({ ...overrides, [section]: deepMerge(overrides[section] ?? {}, patch) });
}

/** What the section schemas refuse in these overrides, each with the setting's dotted path (empty: valid). */
export function settingIssues(config: Config, overrides: SettingsOverrides): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  for (const section of SECTION_NAMES) {
    const override = overrides[section];
    if (override === undefined) continue;
    const parsed = SECTIONS[section].safeParse(deepMerge(config[section], override));
    if (parsed.success) continue;
    for (const issue of parsed.error.issues) issues.push({ path: [section, ...issue.path.map(String)].join('.'), message: issue.message });
  }
  return issues;
}

/** The overrides without one setting (`unset ID KEY`): the configuration file's value applies again. */
export function withoutSetting(config: Config, overrides: SettingsOverrides, installationId: string, key: string): SettingsOverrides {
  const next = withoutValue(overrides, key);
  effectiveConfig(config, next, installationId);
  return next;
}

/** The overrides without one setting, not yet checked against the configuration. */
export function withoutValue(overrides: SettingsOverrides, key: string): SettingsOverrides {
  // The key goes, and with it every object (the section too) it leaves empty, so `show` lists only what is set.
  const remove = (value: Record<string, unknown>, [head, ...tail]: readonly string[]): Record<string, unknown> => {
    const { [head]: inner, ...others } = value;
    if (tail.length === 0 || inner === null || typeof inner !== 'object' || Array.isArray(inner)) return tail.length === 0 ? others : value;
    const kept = remove(inner as Record<string, unknown>, tail);
    return Object.keys(kept).length === 0 ? others : { ...others, [head]: kept };
  };
  return settingsOverridesSchema.parse(remove(overrides, settingPath(key)));
}

/** A setting's dotted path, checked to start with an overridable section and to name a key in it. */
function settingPath(key: string): [Section, ...string[]] {
  const [section, ...rest] = key.split('.');
  if (!isSection(section) || rest.length === 0 || rest.some((part) => part === '')) {
    throw new LifecycleSyncError('CONFIG_INVALID', `${quoted(key)} is not a setting an installation can change: give a path such as schedule.cron or classifier.rules.atRiskMaxPAlive (sections ${SECTION_NAMES.join(', ')})`);
  }
  return [section, ...rest];
}

/** The overrides as stored (JSON read back from the store), or a clear error naming the installation. */
export function readOverrides(raw: unknown, installationId: string): SettingsOverrides {
  const parsed = settingsOverridesSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new LifecycleSyncError('CONFIG_INVALID', `installation ${installationId}: its stored settings are not valid (${describeIssues(parsed.error, raw)})`);
}

function isSection(name: string | undefined): name is Section {
  return name !== undefined && Object.hasOwn(SECTIONS, name);
}

function invalid(installationId: string, section: Section, error: z.ZodError, input: unknown): LifecycleSyncError {
  const prefixed = new z.ZodError(error.issues.map((issue) => ({ ...issue, path: [section, ...issue.path] })));
  return new LifecycleSyncError('CONFIG_INVALID', `installation ${installationId} settings: ${describeIssues(prefixed, { [section]: input })}`);
}
