/** The stored form of a page of scores (src/store/scorePages.ts): every customer's scores read back exactly. */
import { describe, expect, it } from 'vitest';
import { encodeScorePage, scoresInPage } from '../../src/store/scorePages.ts';
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
      reason,
      ...(i === 9 ? { extra: { nested: [1, 'two'] } } : {}),
    },
  };
}

describe('score pages', () => {
  const rows = Array.from({ length: 50 }, (_, i) => ({ recordId: `c${String(i).padStart(3, '0')}`, scores: scoresOf(i) }));

  it('give back each customer\'s scores as saved (absent keys absent, nulls null, -0 as JSON reads it), and nothing for others', () => {
    const page = encodeScorePage(rows);
    expect(page).toMatchObject({ firstRecordId: 'c000', lastRecordId: 'c049' });
    const stored: unknown = JSON.parse(page?.json ?? 'null');
    for (const r of rows) expect(scoresInPage(stored, r.recordId), r.recordId).toEqual(JSON.parse(JSON.stringify(r.scores)));
    expect(Object.hasOwn(scoresInPage(stored, 'c005')?.values ?? {}, 'churnRisk')).toBe(false);
    expect(scoresInPage(stored, 'c999')).toBeNull();
  });

  it('keep the last of a customer given twice, and are nothing for no scores', () => {
    const twice = [...rows.slice(0, 3), { recordId: 'c001', scores: { ...scoresOf(1), asOf: '2026-12-02' } }];
    const stored: unknown = JSON.parse(encodeScorePage(twice)?.json ?? 'null');
    expect(scoresInPage(stored, 'c001')?.asOf).toBe('2026-12-02');
    expect(encodeScorePage([])).toBeNull();
  });

  it('read pages in the per-customer form the migrations wrote', () => {
    const migrated = { ids: ['a', 'b'], scores: [scoresOf(1), scoresOf(2)] };
    expect(scoresInPage(JSON.parse(JSON.stringify(migrated)), 'b')).toEqual(JSON.parse(JSON.stringify(scoresOf(2))));
  });

  it('refuse a damaged page with an error naming the column', () => {
    const stored = JSON.parse(encodeScorePage(rows)?.json ?? 'null') as { columns: { path: string[]; f64?: string; idx?: number[] }[] };
    const numbers = stored.columns.find((c) => c.f64 !== undefined);
    const indexed = stored.columns.find((c) => c.idx !== undefined);
    if (!numbers || !indexed) throw new Error('expected both kinds of column');
    const cut = structuredClone(stored);
    const cutColumn = cut.columns.find((c) => c.path.join('.') === numbers.path.join('.'));
    if (cutColumn) cutColumn.f64 = Buffer.alloc(8).toString('base64');
    expect(() => scoresInPage(cut, 'c001')).toThrow(new RegExp(`column ${numbers.path.join('\\.')} holds 8 bytes for 50 customers`));
    const wrong = structuredClone(stored);
    const wrongColumn = wrong.columns.find((c) => c.path.join('.') === indexed.path.join('.'));
    if (wrongColumn?.idx) wrongColumn.idx[1] = 999;
    expect(() => scoresInPage(wrong, 'c001')).toThrow(new RegExp(`column ${indexed.path.join('\\.')} refers to value 999`));
    expect(() => scoresInPage({ ids: 'c001' }, 'c001')).toThrow();
  });
});
