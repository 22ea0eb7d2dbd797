import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cacheFile, cachedDefaults } from '../../src/config/defaultsCache.ts';
import { defaultConfigPath, loadConfig } from '../../src/config/load.ts';

const written: string[] = [];
afterAll(() => {
  for (const file of written) rmSync(file, { force: true });
});

/** A text of its own per test (a comment with a random id), so no other run's entry answers. */
function uniqueText(body: string): string {
  const text = `# ${randomUUID()}\n${body}`;
  const file = cacheFile(text);
  if (file !== null) written.push(file);
  return text;
}

describe('the cached defaults', () => {
  it('parse a text once, then answer from the cache with the same value', () => {
    const text = uniqueText('classifier:\n  model: bg_nbd\nlist: [1, 2.5, "x"]\n');
    let parses = 0;
    const parseCounting = (t: string) => {
      parses++;
      return parse(t) as unknown;
    };
    const first = cachedDefaults(text, parseCounting);
    const second = cachedDefaults(text, parseCounting);
    expect(first).toEqual({ classifier: { model: 'bg_nbd' }, list: [1, 2.5, 'x'] });
    expect(second).toEqual(first);
    expect(parses).toBe(1);
  });

  it('parse a changed text again (the entry is named by the text)', () => {
    const before = uniqueText('a: 1\n');
    const after = uniqueText('a: 2\n');
    expect(cachedDefaults(before, parse)).toEqual({ a: 1 });
    expect(cachedDefaults(after, parse)).toEqual({ a: 2 });
  });

  it('parse again over a damaged entry, and replace it', () => {
    const text = uniqueText('b: true\n');
    expect(cachedDefaults(text, parse)).toEqual({ b: true });
    const file = cacheFile(text);
    expect(file).not.toBeNull();
    writeFileSync(file!, '{"b": tr');
    expect(cachedDefaults(text, parse)).toEqual({ b: true });
    expect(JSON.parse(readFileSync(file!, 'utf8'))).toEqual({ b: true });
  });

  it("give loadConfig the defaults of config/default.yaml as they are", () => {
    const parsed = parse(readFileSync(defaultConfigPath(), 'utf8')) as { classifier: unknown; schedule: unknown };
    const config = loadConfig({ env: {} });
    const again = loadConfig({ env: {} });
    expect(config.schedule).toEqual(parsed.schedule);
    expect(again).toEqual(config);
  });
});
