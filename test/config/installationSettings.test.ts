/** An installation's own settings over the configuration file: merged like the file, checked by its schemas. */
import { describe, expect, it } from 'vitest';
import { effectiveConfig, readOverrides, withoutSetting, withSetting } from '../../src/config/installationSettings.ts';
import { loadConfig } from '../../src/config/load.ts';

const config = loadConfig({ env: {} });

describe('installation settings', () => {
  it('layers its settings over the file\u2019s, key by key, leaving the rest and the file\u2019s config as they were', () => {
    const own = withSetting(config, withSetting(config, {}, 'in_1', 'sync.minChange.money', '5'), 'in_1', 'classifier.ltv.periodDays', '180');
    expect(own).toEqual({ sync: { minChange: { money: 5 } }, classifier: { ltv: { periodDays: 180 } } });
    const effective = effectiveConfig(config, own, 'in_1');
    expect(effective.sync.minChange).toEqual({ ...config.sync.minChange, money: 5 });
    expect(effective.classifier.ltv.periodDays).toBe(180);
    expect(effective.schedule).toBe(config.schedule);
    expect(config.sync.minChange.money).not.toBe(5);
    // A later value of the same key replaces the earlier one; a list replaces the whole list.
    expect(withSetting(config, own, 'in_1', 'sync.minChange.money', '7').sync).toEqual({ minChange: { money: 7 } });
  });

  it('drops one setting (the file\u2019s value applies again), and a section left empty with it', () => {
    const own = { sync: { minChange: { money: 5, churnRisk: 2 } }, schedule: { timezone: 'Europe/Berlin' } };
    expect(withoutSetting(config, own, 'in_1', 'sync.minChange.money')).toEqual({ sync: { minChange: { churnRisk: 2 } }, schedule: { timezone: 'Europe/Berlin' } });
    expect(withoutSetting(config, own, 'in_1', 'schedule.timezone')).toEqual({ sync: { minChange: { money: 5, churnRisk: 2 } } });
    expect(withoutSetting(config, withoutSetting(config, own, 'in_1', 'sync.minChange.money'), 'in_1', 'sync.minChange.churnRisk')).toEqual({ schedule: { timezone: 'Europe/Berlin' } });
    // A setting that is not set: nothing changes.
    expect(withoutSetting(config, own, 'in_1', 'classifier.ltv.periodDays')).toEqual(own);
    expect(() => withoutSetting(config, own, 'in_1', 'server.port')).toThrow(/is not a setting an installation can change/);
  });

  it('refuses a value the file would refuse, naming the installation and the setting; and keys outside the three sections', () => {
    expect(() => withSetting(config, {}, 'in_1', 'sync.minChange.money', '-1')).toThrow(/^installation in_1 settings: sync\.minChange\.money: .*\(got -1\)/);
    expect(() => withSetting(config, {}, 'in_1', 'store.path', '/tmp/x')).toThrow(/"store\.path" is not a setting an installation can change/);
    expect(() => withSetting(config, {}, 'in_1', 'schedule', '{}')).toThrow(/is not a setting an installation can change/);
    expect(() => withSetting(config, {}, 'in_1', 'schedule.cron', '[unclosed')).toThrow(/schedule\.cron: the value is not YAML/);
  });

  it('reports stored settings that no longer fit (edited by hand, or from another version) when they are read', () => {
    expect(() => readOverrides({ server: { port: 1 } }, 'in_2')).toThrow(/^installation in_2: its stored settings are not valid \(.*unknown key "server"/);
    expect(() => effectiveConfig(config, readOverrides({ sync: { minChange: { money: 'lots' } } }, 'in_2'), 'in_2')).toThrow(/installation in_2 settings: sync\.minChange\.money/);
  });
});
