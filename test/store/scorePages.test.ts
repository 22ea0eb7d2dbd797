/** The stored form of a page of scores (src/store/scorePages.ts): every customer's scores read back exactly. */
import { describe, expect, it } from 'vitest';
import { ScorePage, scoresInPage } from '../../src/store/scorePages.ts';
import type { StoredScores } from '../../src/store/types.ts';

function scoresOf(i: number): StoredScores {
  const reason = `${i % 7} purchases, ${i} days ago`;
  return {
    asOf: '2026-12-01',
    values: {
      stage: i % 3 === 0 ? 'loyalty' : 'purchase',
      stageReason: reason,
      ltv: String(i * 3),
      ...(i % 5 === 0 ? {} : { churnRisk: String(i % 100) }),
      valueTier: i % 4 === 0 ? null : 'middle',
      scoredAt: '2026-12-01T02:00:00.000Z',
    },
    features: {
      purchases: i % 7,
      pAlive: i === 3 ? 0 : 1 / (i + 1.5),
      clv: i * Math.PI,
      ltv: i % 2 === 0 ? -0 : i * 1.1,
      churnType: i % 6 === 0 ? 'lapsed' : null,
      ...(i % 8 === 1 ? {} : { daysSinceLastPurchase: i % 3 === 0 ? null : i * 2 }),
      reason,
      ...(i === 9 ? { extra: { nested: [1, 'two'] } } : {}),
    },
  };
}

describe('score pages', () => {
  const rows = Array.from({ length: 50 }, (_, i) => ({ recordId: `c${String(i).padStart(3, '0')}`, scores: scoresOf(i) }));

  it('give back each customer\'s scores as saved (absent keys absent, nulls null, -0 as JSON reads it), and nothing for others', () => {
    const page = ScorePage.of(rows).encode();
    expect(page).toMatchObject({ firstRecordId: 'c000', lastRecordId: 'c049' });
    const stored: unknown = JSON.parse(page?.json ?? 'null');
    for (const r of rows) expect(scoresInPage(stored, r.recordId), r.recordId).toEqual(JSON.parse(JSON.stringify(r.scores)));
    expect(Object.hasOwn(scoresInPage(stored, 'c005')?.values ?? {}, 'churnRisk')).toBe(false);
    expect(scoresInPage(stored, 'c999')).toBeNull();
    expect(scoresInPage(stored, 'c009')?.features).not.toHaveProperty('daysSinceLastPurchase');
    expect(scoresInPage(stored, 'c003')?.features.daysSinceLastPurchase).toBeNull();
  });

  it('hold a page of many distinct values (a reason per customer) as exactly', () => {
    const many = Array.from({ length: 700 }, (_, i) => ({ recordId: `d${String(i).padStart(4, '0')}`, scores: scoresOf(i) }));
    const stored: unknown = JSON.parse(ScorePage.of(many).encode()?.json ?? 'null');
    for (const r of many) expect(scoresInPage(stored, r.recordId), r.recordId).toEqual(JSON.parse(JSON.stringify(r.scores)));
  });

  it('read pages written by the earlier version (indices as a JSON array)', () => {
    const f64 = Buffer.from(new Float64Array([0.5, 0.25]).buffer).toString('base64');
    const v2 = {
      v: 2,
      ids: ['a', 'b'],
      columns: [
        { path: ['asOf'], dict: ['2026-12-01'], idx: [0, 0] },
        { path: ['values', 'stage'], dict: ['purchase'], idx: [0, -1] },
        { path: ['features', 'pAlive'], f64 },
        { path: ['features', 'reason'], same: 1 },
      ],
    };
    expect(scoresInPage(v2, 'a')).toEqual({ asOf: '2026-12-01', values: { stage: 'purchase' }, features: { pAlive: 0.5, reason: 'purchase' } });
    expect(scoresInPage(v2, 'b')).toEqual({ asOf: '2026-12-01', values: {}, features: { pAlive: 0.25 } });
  });

  it('keep the last of a customer given twice, and are nothing for no scores', () => {
    const twice = [...rows.slice(0, 3), { recordId: 'c001', scores: { ...scoresOf(1), asOf: '2026-12-02' } }];
    const stored: unknown = JSON.parse(ScorePage.of(twice).encode()?.json ?? 'null');
    expect(scoresInPage(stored, 'c001')?.asOf).toBe('2026-12-02');
    expect(ScorePage.of([]).encode()).toBeNull();
  });

  it('read pages in the per-customer form the migrations wrote', () => {
    const migrated = { ids: ['a', 'b'], scores: [scoresOf(1), scoresOf(2)] };
    expect(scoresInPage(JSON.parse(JSON.stringify(migrated)), 'b')).toEqual(JSON.parse(JSON.stringify(scoresOf(2))));
  });

  it('refuse a damaged page with an error naming the column', () => {
    const stored = JSON.parse(ScorePage.of(rows).encode()?.json ?? 'null') as { columns: { path: string[]; f64?: string; ix?: string; w?: number }[] };
    const numbers = stored.columns.find((c) => c.f64 !== undefined);
    const indexed = stored.columns.find((c) => c.ix !== undefined && c.w === 1);
    if (!numbers || !indexed) throw new Error('expected both kinds of column');
    const cut = structuredClone(stored);
    const cutColumn = cut.columns.find((c) => c.path.join('.') === numbers.path.join('.'));
    if (cutColumn) cutColumn.f64 = Buffer.alloc(8).toString('base64');
    expect(() => scoresInPage(cut, 'c001')).toThrow(new RegExp(`column ${numbers.path.join('\\.')} holds 8 bytes for 50 customers`));
    const wrong = structuredClone(stored);
    const wrongColumn = wrong.columns.find((c) => c.path.join('.') === indexed.path.join('.'));
    if (wrongColumn?.ix) {
      const bytes = Buffer.from(wrongColumn.ix, 'base64');
      bytes[1] = 201;
      wrongColumn.ix = bytes.toString('base64');
    }
    expect(() => scoresInPage(wrong, 'c001')).toThrow(new RegExp(`column ${indexed.path.join('\\.')} refers to value 200`));
    expect(() => scoresInPage({ ids: 'c001' }, 'c001')).toThrow();
  });
});
