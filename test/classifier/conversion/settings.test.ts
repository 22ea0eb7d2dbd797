/** classifier.conversion: the defaults load, and a bad value is refused with its path. */
import { describe, expect, it } from 'vitest';
import { CONVERSION_FACTORS, conversionSettingsSchema } from '../../../src/classifier/conversion/index.ts';
import { settings } from '../../helpers.ts';

describe('classifier.conversion settings', () => {
  it('loads the defaults: a 90-day horizon and every factor', () => {
    const conversion = settings().conversion;
    expect(conversion.horizonDays).toBe(90);
    expect([...conversion.factors].sort()).toEqual([...CONVERSION_FACTORS].sort());
  });

  it('refuses a zero horizon, a repeated factor, a prior rate above 1 and an unknown key, naming the key', () => {
    const base = settings().conversion;
    const cases: [Record<string, unknown>, string][] = [
      [{ horizonDays: 0 }, 'horizonDays'],
      [{ factors: ['openDeals', 'openDeals'] }, 'factors'],
      [{ priorRate: 1.5 }, 'priorRate'],
      [{ minPositives: 1 }, 'minPositives'],
      [{ surprise: true }, ''],
    ];
    for (const [change, path] of cases) {
      const result = conversionSettingsSchema.safeParse({ ...base, ...change });
      expect(result.success).toBe(false);
      if (!result.success && path !== '') expect(result.error.issues[0].path[0]).toBe(path);
    }
    expect(() => settings({ conversion: { ...base, horizonDays: -1 } })).toThrow(/horizonDays/);
  });
});
