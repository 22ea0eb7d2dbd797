import { describe, expect, it } from 'vitest';
import { firstPurchaseDays } from '../../../src/classifier/conversion/index.ts';

describe('first purchase days from purchase columns', () => {
  it('takes the earliest day with a non-negative amount; a refund is not a first purchase; no purchase, no entry', () => {
    const days = firstPurchaseDays({
      ids: ['a', 'b', 'c'],
      offsets: [0, 3, 5, 6],
      days: [10, 12, 20, 5, 9, 7],
      amounts: [-30, 0, 50, -10, -10, -1],
    });
    expect(days.get('a')).toBe(12);
    expect(days.has('b')).toBe(false);
    expect(days.has('c')).toBe(false);
    expect([...days.keys()]).toEqual(['a']);
  });
});
