/** Configuration: defaults are valid; mistakes are reported with the file, the key and the problem. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { LifecycleSyncError } from '../../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'lcs-config-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
function errorOf(fn: () => unknown): LifecycleSyncError {
  try {
    fn();
  } catch (error) {
    if (error instanceof LifecycleSyncError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('config', () => {
  it('config/default.yaml is valid and holds the product brief defaults', () => {
    const c = loadConfig().classifier;
    expect(c.model).toBe('pareto_nbd');
    expect(c.rules.churnedMaxPAlive).toBe(0.2);
    expect(c.rules.atRiskMaxPAlive).toBe(0.5);
    expect(c.clv).toEqual({ horizonMonths: 12, monthlyDiscountRate: 0.01, grossMargin: null });
    expect(c.valueTiers).toEqual({ topShare: 0.2, nextShare: 0.3 });
  });

  it('a user file overrides single keys and keeps the other defaults', () => {
    const c = loadConfig({ file: file('ok.yaml', 'classifier:\n  model: bg_nbd\n  rules:\n    atRiskMaxPAlive: 0.4\n') }).classifier;
    expect(c.model).toBe('bg_nbd');
    expect(c.rules.atRiskMaxPAlive).toBe(0.4);
    expect(c.rules.churnedMaxPAlive).toBe(0.2);
  });

  it('LIFECYCLE_SYNC_CONFIG names the file when no flag does', () => {
    const path = file('env.yaml', 'classifier:\n  timeUnit: day\n');
    expect(loadConfig({ env: { LIFECYCLE_SYNC_CONFIG: path } }).classifier.timeUnit).toBe('day');
  });

  it('a bad value names the key, the problem and the value', () => {
    const path = file('bad.yaml', 'classifier:\n  rules:\n    atRiskMaxPAlive: 2\n');
    const e = errorOf(() => loadConfig({ file: path }));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toBe(`invalid config (${path}): classifier.rules.atRiskMaxPAlive: must be between 0 and 1 (got 2)`);
  });

  it('an unknown key (a typo) is an error, not a silent default', () => {
    const e = errorOf(() => loadConfig({ file: file('typo.yaml', 'classifier:\n  rules:\n    atRiskMaxPalive: 0.4\n') }));
    expect(e.message).toContain('classifier.rules: unknown key "atRiskMaxPalive"');
  });

  it('cross-field rules are checked', () => {
    const e = errorOf(() => loadConfig({ file: file('cross.yaml', 'classifier:\n  rules:\n    churnedMaxPAlive: 0.6\n') }));
    expect(e.message).toContain('classifier.rules.churnedMaxPAlive: churnedMaxPAlive must not exceed atRiskMaxPAlive');
    const off = errorOf(() => loadConfig({ file: file('off.yaml', 'classifier:\n  stages:\n    awareness:\n      enabled: false\n') }));
    expect(off.message).toContain('classifier.stages.awareness.enabled: awareness is the catch-all stage');
  });

  it('an invalid model name lists the choices', () => {
    const e = errorOf(() => loadConfig({ file: file('model.yaml', 'classifier:\n  model: nbd\n') }));
    expect(e.message).toMatch(/classifier\.model: .*pareto_nbd.*bg_nbd.*mbg_nbd.*\(got "nbd"\)/);
  });

  it('broken YAML gives the line; a missing file says so', () => {
    const e = errorOf(() => loadConfig({ file: file('broken.yaml', 'classifier:\n  model: [unclosed\n') }));
    expect(e.message).toMatch(/invalid YAML in .*broken\.yaml at line \d/);
    expect(errorOf(() => loadConfig({ file: join(dir, 'nope.yaml') })).code).toBe('CONFIG_NOT_FOUND');
  });
});

describe('config files that say nothing, or too much (issue 8)', () => {
  it('an empty file, a comments-only file and a section with every key commented out mean "no overrides"', () => {
    const defaults = loadConfig();
    for (const [name, text] of [
      ['empty.yaml', ''],
      ['blank.yaml', '\n\n   \n'],
      ['comments.yaml', '# my overrides\n# classifier:\n#   model: bg_nbd\n'],
      ['document.yaml', '---\n# nothing yet\n'],
      ['section.yaml', 'classifier:\n  # model: bg_nbd\nsync:\n'],
    ]) {
      expect(loadConfig({ file: file(name, text) }), name).toEqual(defaults);
    }
  });

  it('a file that is not a mapping of settings says so in one problem', () => {
    const e = errorOf(() => loadConfig({ file: file('list.yaml', '- classifier\n- sync\n') }));
    expect(e.message).toBe(`invalid config (${join(dir, 'list.yaml')}): expected a mapping of settings (key: value), got a list`);
  });

  it('a long value or key is quoted as a short excerpt with its length', () => {
    const value = errorOf(() => loadConfig({ file: file('long.yaml', `classifier:\n  model: ${'m'.repeat(100_000)}\n`) }));
    expect(value.message.length).toBeLessThan(400);
    expect(value.message).toContain('(100000 characters)');
    const key = errorOf(() => loadConfig({ file: file('longkey.yaml', `classifier:\n  ? ${'k'.repeat(50_000)}\n  : 1\n`) }));
    expect(key.message.length).toBeLessThan(400);
    expect(key.message).toContain('(50000 characters)');
  });
});
