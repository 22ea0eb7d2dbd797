/** The page's settings edits: stored as overrides, checked by the sections' schemas with each setting named, changes in effect listed. */
import { describe, expect, it } from 'vitest';
import { applyEdit, EDITABLE_SETTINGS, settingsView } from '../../src/config/editableSettings.ts';
import { effectiveConfig } from '../../src/config/installationSettings.ts';
import { loadConfig } from '../../src/config/load.ts';
import { STAGE_RULE_ORDER } from '../../src/classifier/types.ts';

const config = loadConfig({ env: {} });

describe('editable settings', () => {
  it('name real settings: each path has a value in the configuration', () => {
    const view = settingsView(config, config, {});
    expect(view).toHaveLength(EDITABLE_SETTINGS.length);
    for (const f of view) if (f.key !== 'classifier.ltv.acquisitionSpend') expect(f.value, f.key).not.toBeNull();
    expect(view.filter((f) => f.group === 'stages')).toHaveLength(STAGE_RULE_ORDER.length * 3);
  });

  it('stores values and resets as overrides, and lists what changed in effect, before and after', () => {
    const first = applyEdit(config, {}, 'in_1', { set: { 'classifier.rules.atRiskMaxPAlive': 0.6, 'classifier.rules.recentPurchaseDays': 90, 'schedule.timezone': 'Europe/Berlin' }, reset: [] });
    if (!first.ok) throw new Error(JSON.stringify(first.issues));
    expect(first.overrides).toEqual({ classifier: { rules: { atRiskMaxPAlive: 0.6, recentPurchaseDays: 90 } }, schedule: { timezone: 'Europe/Berlin' } });
    // The file's own value set again changes nothing in effect: not a change.
    expect(first.changes).toEqual([
      { key: 'classifier.rules.atRiskMaxPAlive', before: 0.5, after: 0.6 },
      { key: 'schedule.timezone', before: 'UTC', after: 'Europe/Berlin' },
    ]);
    const view = settingsView(config, first.config, first.overrides);
    expect(view.find((f) => f.key === 'classifier.rules.atRiskMaxPAlive')).toMatchObject({ value: 0.6, fileValue: 0.5, overridden: true });
    const second = applyEdit(config, first.overrides, 'in_1', { set: {}, reset: ['classifier.rules.atRiskMaxPAlive', 'classifier.rules.recentPurchaseDays'] });
    if (!second.ok) throw new Error(JSON.stringify(second.issues));
    expect(second.overrides).toEqual({ schedule: { timezone: 'Europe/Berlin' } });
    expect(second.changes).toEqual([{ key: 'classifier.rules.atRiskMaxPAlive', before: 0.6, after: 0.5 }]);
    expect(effectiveConfig(config, second.overrides, 'in_1').classifier.rules).toEqual(config.classifier.rules);
  });

  it('refuses bad values naming each setting, settings the page does not edit, and rules that contradict each other', () => {
    const bad = applyEdit(config, {}, 'in_1', { set: { 'classifier.rules.churnedMinDaysSinceLastPurchase': 1.5, 'classifier.ltv.acquisitionSpend': -3, 'schedule.timezone': 'Mars/Olympus' }, reset: [] });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    const byPath = Object.fromEntries(bad.issues.map((i) => [i.path, i.message]));
    expect(byPath['classifier.rules.churnedMinDaysSinceLastPurchase']).toBe('must be a whole number of days');
    expect(byPath['classifier.ltv.acquisitionSpend']).toBe('must not be negative');
    expect(byPath['schedule.timezone']).toMatch(/time zone/i);
    const contradiction = applyEdit(config, {}, 'in_1', { set: { 'classifier.rules.atRiskMaxPAlive': 0.1 }, reset: [] });
    expect(contradiction).toEqual({ ok: false, issues: [{ path: 'classifier.rules.churnedMaxPAlive', message: 'churnedMaxPAlive must not exceed atRiskMaxPAlive' }] });
    expect(applyEdit(config, {}, 'in_1', { set: { 'sync.writeConcurrency': 2 }, reset: ['store.path'] })).toEqual({
      ok: false,
      issues: [
        { path: 'sync.writeConcurrency', message: 'is not a setting the page edits' },
        { path: 'store.path', message: 'is not a setting the page edits' },
      ],
    });
  });
});
