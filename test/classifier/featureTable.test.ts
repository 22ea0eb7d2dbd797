/** The feature table the engine and the CSV reader classify from: rows come back as they went in. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FeatureTable } from '../../src/classifier/featureTable.ts';
import type { CustomerFeatures } from '../../src/classifier/types.ts';
import { day, features } from '../helpers.ts';

const AS_OF = day('2024-06-30');

const person = fc
  .record({
    id: fc.string({ minLength: 1, maxLength: 12 }),
    purchases: fc.array(fc.record({ day: fc.integer({ min: AS_OF - 900, max: AS_OF }), amount: fc.double({ min: -50, max: 500, noNaN: true }) }), { maxLength: 6 }),
    nps: fc.option(fc.integer({ min: 0, max: 10 })),
    referrals: fc.option(fc.integer({ min: 0, max: 5 })),
    lastEngagementDay: fc.option(fc.integer({ min: AS_OF - 400, max: AS_OF + 5 })),
    advocate: fc.boolean(),
    churnFlag: fc.boolean(),
    churnReason: fc.option(fc.string({ maxLength: 20 })),
    openDeals: fc.integer({ min: 0, max: 4 }),
  })
  .map((p) => features(p, AS_OF));

describe('feature table', () => {
  it('gives back every row as pushed: nulls, flags, reasons, ids in any script, past its first capacity', () => {
    fc.assert(
      fc.property(fc.array(person, { maxLength: 60 }), (people) => {
        const table = new FeatureTable(16);
        for (const p of people) table.push(p);
        expect(table.size).toBe(people.length);
        expect(Array.from({ length: table.size }, (_, i) => table.row(i))).toEqual(people);
        expect(Array.from({ length: table.size }, (_, i) => table.id(i))).toEqual(people.map((p) => p.id));
      }),
    );
  });

  it('ids of any length and script', () => {
    const ids = ['', 'a', 'ü'.repeat(40), '客户-0042', '🙂'.repeat(100), '0031x00000AbCdEfG'];
    const table = new FeatureTable(16);
    for (const id of ids) table.push({ ...features({ id }, AS_OF), id });
    expect(ids.map((_, i) => table.id(i))).toEqual(ids);
  });

  it('purchaser columns: each purchaser once, in input order, with their row', () => {
    const people: CustomerFeatures[] = [
      features({ id: 'p0' }, AS_OF),
      features({ id: 'c1', purchases: [{ day: AS_OF - 10, amount: 5 }] }, AS_OF),
      features({ id: 'p2' }, AS_OF),
      features({ id: 'c3', purchases: [{ day: AS_OF - 100, amount: 7 }, { day: AS_OF - 3, amount: 9 }] }, AS_OF),
    ];
    const p = FeatureTable.of(people).purchasers();
    expect(Array.from(p.index)).toEqual([-1, 0, -1, 1]);
    expect(Array.from(p.rows)).toEqual([1, 3]);
    expect(Array.from(p.frequency)).toEqual([0, 1]);
    expect(Array.from(p.ltv)).toEqual([5, 16]);
    expect(Array.from(p.monetary)).toEqual([0, 9]);
  });

});
