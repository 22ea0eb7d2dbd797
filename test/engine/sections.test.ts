/**
 * Reading the configuration loads connectors/sections.ts, not the registry (so `classify` loads no
 * connector): its list must be the registry's, or a `hubspot:` section valid for `sync` would be an
 * unknown key for `classify`. This file imports nothing else, so the sections are seen before the
 * registry adds anything.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';

describe('the configuration sections', () => {
  it('list every registered connector, with its schema and label, before the registry is loaded', async () => {
    const { connectorSections } = await import('../../connectors/sections.ts');
    const before = connectorSections();
    const { connectorDefinitions } = await import('../../connectors/registry.ts');
    const definitions = connectorDefinitions();
    expect(before.map((s) => s.name)).toEqual(definitions.map((d) => d.name));
    for (const [i, d] of definitions.entries()) {
      expect(before[i].settingsSchema).toBe(d.settingsSchema);
      expect(before[i].label).toBe(d.label);
    }
  });

  it('refuse another section under a registered name', async () => {
    const { registerSection } = await import('../../connectors/sections.ts');
    const { z } = await import('zod');
    expect(() => registerSection({ name: 'hubspot', label: 'HubSpot', settingsSchema: z.object({}) })).toThrow(/a connector named hubspot is already registered/);
  });

  it('are all that loading the configuration loads of the connectors', () => {
    // A fresh process (this one has loaded the registry above) that notes every module it loads.
    const script = `
      import { registerHooks } from 'node:module';
      const loaded = [];
      registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
      const { loadConfig } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src/config/load.ts')).href)});
      const config = loadConfig({ env: {} });
      console.log(JSON.stringify({ sections: Object.keys(config.connectors), loaded: loaded.filter((u) => u.includes('/connectors/')) }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    const { sections, loaded } = JSON.parse(out) as { sections: string[]; loaded: string[] };
    expect(sections).toEqual(['hubspot', 'salesforce']);
    const files = loaded.map((u) => u.slice(u.indexOf('/connectors/') + 1)).sort();
    expect(files.filter((f) => !f.startsWith('connectors/contract/'))).toEqual(['connectors/hubspot/settings.ts', 'connectors/salesforce/settings.ts', 'connectors/sections.ts']);
  });
});
